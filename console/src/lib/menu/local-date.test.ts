import { describe, expect, it } from 'vitest';
import { localDateIn } from './local-date.js';

/** 2026-12-05 03:30 UTC: still the 4th in Los Angeles, already the 5th in Shanghai. */
const INSTANT = Date.UTC(2026, 11, 5, 3, 30);

describe('localDateIn', () => {
  it.each([
    ['America/Los_Angeles', '2026-12-04'],
    ['Asia/Shanghai', '2026-12-05'],
    ['UTC', '2026-12-05'],
  ])('reads the date in %s', (timeZone, date) => {
    expect(localDateIn(timeZone, INSTANT)).toBe(date);
  });

  it('falls back to the browser zone for an unknown zone', () => {
    expect(localDateIn('Mars/Olympus_Mons', INSTANT)).toBe(localDateIn(undefined, INSTANT));
    expect(localDateIn(undefined, INSTANT)).toMatch(/^2026-12-0[45]$/);
  });
});
