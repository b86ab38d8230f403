import { describe, expect, it } from 'vitest';
import { currencyDigits, formatMinor, isSupportedCurrency } from './money.js';

describe('currencyDigits', () => {
  it('follows each currency', () => {
    expect(currencyDigits('JPY')).toBe(0);
    expect(currencyDigits('USD')).toBe(2);
    expect(currencyDigits('BHD')).toBe(3);
  });

  it('rejects an unknown code', () => {
    expect(() => currencyDigits('XYZ')).toThrow('invalid currency: "XYZ" (expected an ISO 4217 currency code in capitals, such as "USD")');
  });
});

describe('isSupportedCurrency', () => {
  it('accepts ISO codes in capitals only', () => {
    expect(isSupportedCurrency('CNY')).toBe(true);
    expect(isSupportedCurrency('cny')).toBe(false);
    expect(isSupportedCurrency('US')).toBe(false);
    expect(isSupportedCurrency('XYZ')).toBe(false);
  });
});

describe('formatMinor', () => {
  const cases: Array<[amount: number, currency: string, text: string]> = [
    [1999, 'USD', '$19.99'],
    [5, 'USD', '$0.05'],
    [0, 'USD', '$0.00'],
    [-1999, 'USD', '-$19.99'],
    [123_456_789, 'USD', '$1,234,567.89'],
    [1000, 'JPY', '¥1,000'],
    [1500, 'BHD', 'BHD\u00a01.500'],
    [1, 'BHD', 'BHD\u00a00.001'],
  ];

  for (const [amount, currency, text] of cases) {
    it(`formats ${amount} ${currency}`, () => {
      expect(formatMinor(amount, currency)).toBe(text);
    });
  }

  it('formats for a locale', () => {
    expect(formatMinor(1, 'USD', 'zh-CN')).toBe('US$0.01');
    expect(formatMinor(1999, 'CNY', 'zh-CN')).toBe('¥19.99');
  });

  it('rejects a fractional amount', () => {
    expect(() => formatMinor(19.99, 'USD')).toThrow('invalid amountMinor: 19.99 (expected an integer amount in minor units)');
  });
});
