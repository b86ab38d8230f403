import { describe, expect, it } from 'vitest';
import { formatMinorUnits, fromMinorUnits, minorUnitDigits, toMinorUnits } from './money.js';

describe('minor units', () => {
  it.each([
    ['USD', 2],
    ['JPY', 0],
    ['KWD', 3],
    ['U', 2],
  ])('%s has %i decimals', (currency, digits) => {
    expect(minorUnitDigits(currency)).toBe(digits);
  });

  it('rounds major units to whole minor units', () => {
    expect(toMinorUnits(4.015, 'USD')).toBe(402);
    expect(toMinorUnits(0.1 + 0.2, 'USD')).toBe(30);
  });

  it('converts back', () => {
    expect(fromMinorUnits(1234, 'KWD')).toBe(1.234);
  });

  it('formats for the locale', () => {
    expect(formatMinorUnits(450, 'USD', 'en')).toBe('$4.50');
    expect(formatMinorUnits(450, undefined, 'en')).toBe('450');
  });
});
