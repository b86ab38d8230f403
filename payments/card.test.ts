import { describe, expect, it } from 'vitest';
import { CloudburstError } from '../common/errors.js';
import {
  checkCard,
  checkCardNumber,
  checkCvc,
  checkExpiry,
  detectCardBrand,
  listCardErrors,
  maskCard,
  passesLuhn,
  type CardBrand,
} from './card.js';

/** 5 December 2026, 03:00 UTC. */
const NOW = Date.UTC(2026, 11, 5, 3, 0, 0);

function thrown(run: () => unknown): CloudburstError {
  try {
    run();
  } catch (error) {
    if (error instanceof CloudburstError) return error;
    throw error;
  }
  throw new Error('expected a CloudburstError, nothing was thrown');
}

describe('card brands', () => {
  const valid: Array<[string, CardBrand]> = [
    ['4242424242424242', 'visa'],
    ['4222222222222', 'visa'],
    ['4000000000000000006', 'visa'],
    ['5555555555554444', 'mastercard'],
    ['5100000000000008', 'mastercard'],
    ['2221000000000009', 'mastercard'],
    ['2223003122003222', 'mastercard'],
    ['2720999999999996', 'mastercard'],
    ['378282246310005', 'amex'],
    ['371449635398431', 'amex'],
    ['6011111111111117', 'discover'],
    ['6440000000000005', 'discover'],
    ['6500000000000002', 'discover'],
    ['6011000000000000001', 'discover'],
    ['3566002020360505', 'jcb'],
    ['3528000000000007', 'jcb'],
    ['3589999999999994', 'jcb'],
    ['6200000000000005', 'unionpay'],
    ['6205500000000000004', 'unionpay'],
    ['3056930009020004', 'diners'],
    ['36227206271667', 'diners'],
    ['30000000000004', 'diners'],
    ['38000000000006', 'diners'],
  ];

  it.each(valid)('accepts %s as %s', (number, brand) => {
    expect(detectCardBrand(number)).toBe(brand);
    expect(checkCardNumber(number)).toEqual({ digits: number, brand });
  });

  it('detects no brand outside the ranges', () => {
    for (const number of ['1234567812345678', '5000000000000009', '2220999999999999', '2721000000000000', '3527000000000000', '9']) {
      expect(detectCardBrand(number), number).toBeUndefined();
    }
  });

  it('accepts spaces and dashes between groups', () => {
    expect(checkCardNumber('4242 4242 4242 4242')).toEqual({ digits: '4242424242424242', brand: 'visa' });
    expect(checkCardNumber('3782-822463-10005')).toEqual({ digits: '378282246310005', brand: 'amex' });
    expect(checkCardNumber(' 5555\t5555 5555-4444 ')).toEqual({ digits: '5555555555554444', brand: 'mastercard' });
  });
});

describe('card number errors', () => {
  const cases: Array<[string, string, unknown]> = [
    ['', 'card.number is missing', undefined],
    ['  - ', 'card.number is missing', undefined],
    ['4242 4242 4242 424x', 'invalid card.number: use only digits, spaces and dashes', '**** 2424'],
    ['4242.4242.4242.4242', 'invalid card.number: use only digits, spaces and dashes', '**** 4242'],
    [
      '1234567812345670',
      'invalid card.number **** 5670: not a number of a supported brand (visa, mastercard, amex, discover, jcb, unionpay, diners)',
      '**** 5670',
    ],
    ['424242424242424', 'invalid card.number **** 2424: visa numbers have 13, 16 or 19 digits, received 15', '**** 2424'],
    ['37828224631000', 'invalid card.number **** 1000: amex numbers have 15 digits, received 14', '**** 1000'],
    ['55555555555544444', 'invalid card.number **** 4444: mastercard numbers have 16 digits, received 17', '**** 4444'],
    ['601100000000000', 'invalid card.number **** 0000: discover numbers have 16 to 19 digits, received 15', '**** 0000'],
    ['4242424242424241', 'invalid card.number **** 4241: the check digit does not match, so a digit is mistyped', '**** 4241'],
    ['5555555555554440', 'invalid card.number **** 4440: the check digit does not match, so a digit is mistyped', '**** 4440'],
    ['378282246310006', 'invalid card.number **** 0006: the check digit does not match, so a digit is mistyped', '**** 0006'],
  ];

  it.each(cases)('rejects %j', (number, message, value) => {
    const error = thrown(() => checkCardNumber(number));
    expect(error.code).toBe('invalid_input');
    expect(error.field).toBe('card.number');
    expect(error.message).toBe(message);
    expect(error.value).toBe(value);
  });

  it('fails Luhn on one changed digit or swapped neighbours', () => {
    expect(passesLuhn('4242424242424242')).toBe(true);
    expect(passesLuhn('4242424242424243')).toBe(false);
    expect(passesLuhn('4242424242424224')).toBe(false);
    expect(passesLuhn('79927398713')).toBe(true);
    expect(passesLuhn('79927398710')).toBe(false);
    expect(passesLuhn('')).toBe(false);
    expect(passesLuhn('4242x')).toBe(false);
  });
});

describe('maskCard', () => {
  it('shows only the last four digits', () => {
    expect(maskCard('4242 4242 4242 4242')).toBe('**** 4242');
    expect(maskCard('3782-822463-10005')).toBe('**** 0005');
    expect(maskCard('123')).toBe('****');
    expect(maskCard('')).toBe('****');
  });
});

describe('card expiry', () => {
  it('accepts 2- and 4-digit years as numbers or strings', () => {
    expect(checkExpiry(4, 2030, NOW)).toEqual({ expMonth: 4, expYear: 2030 });
    expect(checkExpiry('04', '30', NOW)).toEqual({ expMonth: 4, expYear: 2030 });
    expect(checkExpiry('4', '2030', NOW)).toEqual({ expMonth: 4, expYear: 2030 });
    expect(checkExpiry(12, 26, NOW)).toEqual({ expMonth: 12, expYear: 2026 });
  });

  it('is valid through the last millisecond of the month in UTC', () => {
    const lastInstantOfFebruary = Date.UTC(2027, 1, 28, 23, 59, 59, 999);
    expect(checkExpiry(2, 2027, lastInstantOfFebruary)).toEqual({ expMonth: 2, expYear: 2027 });

    const error = thrown(() => checkExpiry(2, 2027, lastInstantOfFebruary + 1));
    expect(error.field).toBe('card.expMonth');
    expect(error.message).toBe('invalid card.expMonth: the card expired at the end of 02/2027 (UTC)');
    expect(error.value).toBe('02/2027');
  });

  it('expires in UTC even where it is still the old month', () => {
    // 00:30 UTC on 1 March is still 28 February in the Americas.
    const error = thrown(() => checkExpiry(2, 27, Date.UTC(2027, 2, 1, 0, 30)));
    expect(error.message).toBe('invalid card.expMonth: the card expired at the end of 02/2027 (UTC)');
  });

  it('rolls December over to the next year', () => {
    expect(checkExpiry(12, 2026, Date.UTC(2026, 11, 31, 23, 59, 59, 999))).toEqual({ expMonth: 12, expYear: 2026 });
    const error = thrown(() => checkExpiry(12, 2026, Date.UTC(2027, 0, 1)));
    expect(error.field).toBe('card.expYear');
    expect(error.message).toBe('invalid card.expYear: the card expired at the end of 12/2026 (UTC)');
  });

  it('blames the year for a past year', () => {
    const error = thrown(() => checkExpiry(11, 2025, NOW));
    expect(error.field).toBe('card.expYear');
    expect(error.message).toBe('invalid card.expYear: the card expired at the end of 11/2025 (UTC)');
  });

  it('accepts up to 20 years ahead', () => {
    expect(checkExpiry(12, 2046, NOW)).toEqual({ expMonth: 12, expYear: 2046 });
    expect(checkExpiry(1, '46', NOW)).toEqual({ expMonth: 1, expYear: 2046 });

    for (const year of [2047, '47']) {
      const error = thrown(() => checkExpiry(1, year, NOW));
      expect(error.field).toBe('card.expYear');
      expect(error.message).toBe('invalid card.expYear: 2047 is more than 20 years ahead (expected 2046 or earlier)');
      expect(error.value).toBe(year);
    }
  });

  it.each([0, 13, -1, 1.5, '', 'ab', '123', '1 2'])('rejects month %j', (month) => {
    const error = thrown(() => checkExpiry(month, 2030, NOW));
    expect(error.field).toBe('card.expMonth');
    expect(error.message).toBe(`invalid card.expMonth: ${JSON.stringify(month)} (expected a month 1–12)`);
    expect(error.value).toBe(month);
  });

  it.each([2030.5, 100, 999, 10000, -26, '', '2', '203', '20301', 'yy'])('rejects year %j', (year) => {
    const error = thrown(() => checkExpiry(6, year, NOW));
    expect(error.field).toBe('card.expYear');
    expect(error.message).toBe(`invalid card.expYear: ${JSON.stringify(year)} (expected a 2- or 4-digit year)`);
  });
});

describe('card CVC', () => {
  it('needs 4 digits for amex and 3 for the other brands', () => {
    expect(() => checkCvc('1234', 'amex')).not.toThrow();
    for (const brand of ['visa', 'mastercard', 'discover', 'jcb', 'unionpay', 'diners'] as const) {
      expect(() => checkCvc('123', brand), brand).not.toThrow();
      const error = thrown(() => checkCvc('1234', brand));
      expect(error.message).toBe(`invalid card.cvc: 4 digits received, ${brand} cards have 3`);
    }
    const error = thrown(() => checkCvc('123', 'amex'));
    expect(error.field).toBe('card.cvc');
    expect(error.message).toBe('invalid card.cvc: 3 digits received, amex cards have 4');
  });

  it('never echoes the CVC', () => {
    for (const cvc of ['98', '98a', '98765']) {
      const error = thrown(() => checkCvc(cvc, 'visa'));
      expect(error.field).toBe('card.cvc');
      expect(error.value).toBeUndefined();
      expect(error.message).not.toContain('98');
    }
    expect(thrown(() => checkCvc(' ', 'visa')).message).toBe('card.cvc is missing');
    expect(thrown(() => checkCvc('12a', 'visa')).message).toBe('invalid card.cvc: use only digits');
  });

  it('accepts 3 or 4 digits when the brand is unknown', () => {
    expect(() => checkCvc('123')).not.toThrow();
    expect(() => checkCvc('1234')).not.toThrow();
    expect(thrown(() => checkCvc('12')).message).toBe('invalid card.cvc: 2 digits received, cards have 3 or 4');
  });
});

describe('checkCard', () => {
  it('returns brand, last four and expiry, and no number', () => {
    const card = checkCard({ number: '3782 822463 10005', expMonth: '07', expYear: '29', cvc: '1234' }, NOW);
    expect(card).toEqual({ brand: 'amex', last4: '0005', expMonth: 7, expYear: 2029 });
  });

  it('lists every bad field at once', () => {
    const errors = listCardErrors({ number: '4242424242424241', expMonth: 13, expYear: 2030, cvc: '12' }, NOW);
    expect(errors.map((error) => error.field)).toEqual(['card.number', 'card.expMonth', 'card.cvc']);
    expect(errors[2]!.message).toBe('invalid card.cvc: 2 digits received, cards have 3 or 4');
  });

  it('lists nothing for a good card', () => {
    expect(listCardErrors({ number: '4242424242424242', expMonth: 1, expYear: 2027, cvc: '123' }, NOW)).toEqual([]);
  });
});
