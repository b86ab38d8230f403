import { describe, expect, it } from 'vitest';
import { formatChoices, formatClockTime, orderLabel } from './format.js';

/** 12:15 in Los Angeles, 04:15 the next day in Shanghai. */
const INSTANT = '2026-12-04T20:15:00.000Z';

describe('formatClockTime', () => {
  it('formats in the truck zone with the English format', () => {
    expect(formatClockTime(INSTANT, 'en-US', 'America/Los_Angeles')).toBe('12:15 PM');
  });

  it('formats with the Chinese format', () => {
    expect(formatClockTime(INSTANT, 'zh-CN', 'America/Los_Angeles')).toBe('12:15');
    expect(formatClockTime(INSTANT, 'zh-CN', 'Asia/Shanghai')).toBe('04:15');
  });

  it('falls back to the browser zone for an unknown zone', () => {
    const browser = new Intl.DateTimeFormat('en-US', { timeStyle: 'short' }).format(new Date(INSTANT));
    expect(formatClockTime(INSTANT, 'en-US', 'Mars/Olympus_Mons')).toBe(browser);
    expect(formatClockTime(INSTANT, 'en-US')).toBe(browser);
  });

  it('returns a malformed instant as written', () => {
    expect(formatClockTime('not a time', 'en-US', 'America/Los_Angeles')).toBe('not a time');
  });
});

describe('formatChoices', () => {
  it('lists choices in English', () => {
    expect(formatChoices(['Cheddar', 'Bacon', 'Extra salsa'], 'en')).toBe('Cheddar, Bacon, Extra salsa');
  });

  it('lists choices in Chinese', () => {
    expect(formatChoices(['芝士', '培根'], 'zh-CN')).toBe('芝士、培根');
  });

  it('returns one choice alone', () => {
    expect(formatChoices(['Cheddar'], 'en')).toBe('Cheddar');
  });
});

describe('orderLabel', () => {
  it('is the pickup number', () => {
    expect(orderLabel({ id: '0b7d2d4e-aaaa-bbbb-cccc-111122223333', pickupNumber: '007' })).toBe('007');
  });

  it('is the short id before payment', () => {
    expect(orderLabel({ id: '0b7d2d4e-aaaa-bbbb-cccc-111122223333', pickupNumber: null })).toBe('0b7d2d4e…');
  });
});
