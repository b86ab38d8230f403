import { describe, expect, it } from 'vitest';
import { CloudburstError } from '../common/errors.js';
import { formatValidUntil, resolveValidUntilLocale } from './valid-until.js';

// Expected strings are the output of Node 20's ICU 78 data. Another ICU
// version may word them differently, so these tests pin that data.
const LOS_ANGELES = 'America/Los_Angeles';

describe('formatValidUntil', () => {
  it('formats in en-US with the zone abbreviation', () => {
    expect(formatValidUntil(Date.UTC(2026, 11, 5, 21, 30), LOS_ANGELES, 'en-US')).toBe('Sat, Dec 5, 1:30 PM PST');
  });

  it('formats in zh-CN with the GMT offset', () => {
    expect(formatValidUntil(Date.UTC(2026, 11, 5, 21, 30), LOS_ANGELES, 'zh-CN')).toBe('12月5日周六 GMT-8 13:30');
  });

  describe('fall back on 2026-11-01 in Los Angeles', () => {
    // 01:30 happens twice: first in PDT (UTC-7), then in PST (UTC-8).
    const firstOneThirty = Date.UTC(2026, 10, 1, 8, 30);
    const secondOneThirty = Date.UTC(2026, 10, 1, 9, 30);
    const afterChange = Date.UTC(2026, 10, 1, 10, 30);

    it.each([
      ['en-US', firstOneThirty, 'Sun, Nov 1, 1:30 AM PDT'],
      ['en-US', secondOneThirty, 'Sun, Nov 1, 1:30 AM PST'],
      ['en-US', afterChange, 'Sun, Nov 1, 2:30 AM PST'],
      ['zh-CN', firstOneThirty, '11月1日周日 GMT-7 01:30'],
      ['zh-CN', secondOneThirty, '11月1日周日 GMT-8 01:30'],
      ['zh-CN', afterChange, '11月1日周日 GMT-8 02:30'],
    ])('formats %s at %i', (locale, instant, expected) => {
      expect(formatValidUntil(instant, LOS_ANGELES, locale)).toBe(expected);
    });
  });

  describe('spring forward on 2026-03-08 in Los Angeles', () => {
    // Clocks jump from 02:00 PST to 03:00 PDT, so one hour after 01:30 reads 03:30.
    const beforeChange = Date.UTC(2026, 2, 8, 9, 30);
    const afterChange = Date.UTC(2026, 2, 8, 10, 30);

    it.each([
      ['en-US', beforeChange, 'Sun, Mar 8, 1:30 AM PST'],
      ['en-US', afterChange, 'Sun, Mar 8, 3:30 AM PDT'],
      ['zh-CN', beforeChange, '3月8日周日 GMT-8 01:30'],
      ['zh-CN', afterChange, '3月8日周日 GMT-7 03:30'],
    ])('formats %s at %i', (locale, instant, expected) => {
      expect(formatValidUntil(instant, LOS_ANGELES, locale)).toBe(expected);
    });
  });

  it('shows the date in the truck zone, not in UTC', () => {
    // 06:59 UTC on Nov 1 is still Oct 31 in Los Angeles.
    expect(formatValidUntil(Date.UTC(2026, 10, 1, 6, 59), LOS_ANGELES, 'en-US')).toBe('Sat, Oct 31, 11:59 PM PDT');
  });

  it('shows a half-hour offset', () => {
    expect(formatValidUntil(Date.UTC(2026, 11, 5, 21, 30), 'Asia/Kolkata', 'en-US')).toBe('Sun, Dec 6, 3:00 AM GMT+5:30');
  });

  it('replaces the minus sign of fr-FR with a hyphen', () => {
    const text = formatValidUntil(Date.UTC(2026, 11, 5, 21, 30), LOS_ANGELES, 'fr-FR');

    expect(text).toBe('sam. 5 déc., 13:30 UTC-8');
  });

  it.each(['tlh', 'und', '', 'not a locale', 'x-private'])('falls back to en-US for %j', (locale) => {
    expect(formatValidUntil(Date.UTC(2026, 11, 5, 21, 30), LOS_ANGELES, locale)).toBe('Sat, Dec 5, 1:30 PM PST');
  });

  it('rejects an invalid time zone naming it', () => {
    const call = () => formatValidUntil(0, 'America/Springfield', 'en-US');

    expect(call).toThrow(CloudburstError);
    expect(call).toThrow('invalid timeZone: "America/Springfield" (expected an IANA time zone such as "America/Los_Angeles")');
  });

  it('rejects a missing time zone', () => {
    const call = () => formatValidUntil(0, undefined as unknown as string, 'en-US');

    expect(call).toThrow('invalid timeZone: missing (expected an IANA time zone such as "America/Los_Angeles")');
  });

  it.each([Number.NaN, Number.POSITIVE_INFINITY, 8.64e15 + 1])('rejects the instant %d', (instant) => {
    expect(() => formatValidUntil(instant, LOS_ANGELES, 'en-US')).toThrow(/^invalid validUntil: /);
  });
});

describe('resolveValidUntilLocale', () => {
  it.each([
    ['en-US', 'en-US'],
    ['EN-us', 'en-US'],
    ['zh-CN', 'zh-CN'],
    ['zh-Hans-CN', 'zh-Hans-CN'],
    ['tlh', 'en-US'],
    ['', 'en-US'],
    ['not a locale', 'en-US'],
  ])('resolves %j to %j', (locale, expected) => {
    expect(resolveValidUntilLocale(locale)).toBe(expected);
  });
});
