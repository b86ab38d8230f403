import { describe, expect, it } from 'vitest';
import { normalizePhone } from './phone.js';

describe('normalizePhone', () => {
  const accepted: Array<[raw: string, country: string, e164: string]> = [
    ['+1 415 555 2671', 'US', '+14155552671'],
    ['(415) 555-2671', 'US', '+14155552671'],
    ['415.555.2671', 'US', '+14155552671'],
    ['  415 555 2671  ', 'US', '+14155552671'],
    ['011 86 138 0013 8000', 'US', '+8613800138000'],
    ['0086 138 0013 8000', 'US', '+8613800138000'],
    ['+86 138-0013-8000', 'US', '+8613800138000'],
    ['138 0013 8000', 'CN', '+8613800138000'],
    ['(010) 1234 5678', 'CN', '+861012345678'],
    ['00 1 415 555 2671', 'CN', '+14155552671'],
    ['+1 415 555 2671', 'CN', '+14155552671'],
    ['１３８ ００１３ ８０００', 'CN', '+8613800138000'],
  ];

  it.each(accepted)('accepts %j with default country %s', (raw, country, e164) => {
    expect(normalizePhone(raw, country)).toEqual({ ok: true, e164 });
  });

  const rejected: Array<[raw: string, country: string, reason: RegExp]> = [
    ['', 'US', /is empty/],
    ['   ', 'US', /is empty/],
    ['1.41555E+10', 'US', /"1\.41555E\+10" is in scientific notation/],
    ['4.15555e10', 'US', /scientific notation/],
    ['8,61380E+12', 'CN', /scientific notation/],
    ['415 555 CALL', 'US', /contains letters/],
    ['n/a', 'US', /contains letters/],
    ['415 555 2671 ext. 12', 'US', /has an extension/],
    ['415 555 2671 x12', 'US', /has an extension/],
    ['415 555', 'US', /too short/],
    ['415 555 2671 123', 'US', /too long/],
    ['+1 555 555 0101', 'US', /not a valid number for calling code \+1/],
    ['138 0013 800', 'CN', /is not a valid number for CN|too short/],
    ['+999 1234 5678', 'US', /unknown country calling code/],
    ['++1 415 555 2671', 'US', /is not a phone number/],
    ['+', 'US', /is not a phone number/],
  ];

  it.each(rejected)('rejects %j with default country %s', (raw, country, reason) => {
    const result = normalizePhone(raw, country);
    expect(result.ok).toBe(false);
    expect(result.ok ? '' : result.reason).toMatch(reason);
  });

  it('never turns scientific notation into a number', () => {
    const result = normalizePhone('1.41555E+10', 'US');
    expect(result).not.toHaveProperty('e164');
    expect(result.ok ? '' : result.reason).toMatch(/Export the column as text/);
  });

  it.each(['', 'us', 'USA', 'XX', 'AQ', ' US'])('throws on invalid default country %j', (country) => {
    expect(() => normalizePhone('415 555 2671', country)).toThrow(
      new RegExp(`invalid default country ${JSON.stringify(country)}`.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')),
    );
  });
});
