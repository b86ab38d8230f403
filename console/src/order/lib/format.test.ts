import { describe, expect, it } from 'vitest';
import { formatDateTime, formatDistance, formatTimeOfDay } from './format.js';

const INSTANT = '2026-12-05T21:30:00.000Z';
const plain = (text: string) => text.replace(/\s+/g, ' ');

describe('formatDateTime', () => {
  it('formats in the truck zone with its name', () => {
    expect(plain(formatDateTime('en-US', INSTANT, 'America/Los_Angeles'))).toBe('Dec 5, 2026, 1:30 PM PST');
  });

  it('formats in Chinese', () => {
    expect(formatDateTime('zh-CN', INSTANT, 'Asia/Shanghai')).toContain('2026年12月6日');
  });

  it('falls back to the phone zone for an unknown zone', () => {
    expect(formatDateTime('en-US', INSTANT, 'Mars/Olympus')).toBe(formatDateTime('en-US', INSTANT));
  });

  it('returns text that is no instant as it is', () => {
    expect(formatDateTime('en-US', 'soon')).toBe('soon');
  });
});

describe('formatTimeOfDay', () => {
  it('formats a time', () => {
    expect(formatTimeOfDay('en-US', INSTANT)).toMatch(/^\d{1,2}:30\s[AP]M$/);
  });

  it('returns text that is no instant as it is', () => {
    expect(formatTimeOfDay('en-US', '')).toBe('');
  });
});

describe('formatDistance', () => {
  it.each([
    [349, '350 m'],
    [2, '10 m'],
    [994, '990 m'],
    [995, '1 km'],
    [1234, '1.2 km'],
    [12_345, '12.3 km'],
  ])('%d m reads %s', (metres, expected) => {
    expect(formatDistance('en', metres)).toBe(expected);
  });

  it('formats in Chinese', () => {
    expect(formatDistance('zh-CN', 349)).toBe('350米');
    expect(formatDistance('zh-CN', 1234)).toBe('1.2公里');
  });
});
