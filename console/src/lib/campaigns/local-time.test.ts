import { describe, expect, it } from 'vitest';
import { formatLocalDateTime, listTimeZones } from './local-time.js';

describe('formatLocalDateTime', () => {
  it('keeps the wall-clock time', () => {
    expect(formatLocalDateTime('2026-12-05T11:00', 'en-US')).toBe('Dec 5, 2026, 11:00 AM');
  });

  it('reads seconds', () => {
    expect(formatLocalDateTime('2026-12-05T23:59:30', 'en-US')).toBe('Dec 5, 2026, 11:59 PM');
  });

  it('formats for Chinese', () => {
    expect(formatLocalDateTime('2026-12-05T11:00', 'zh-CN')).toBe('2026年12月5日 11:00');
  });

  it('returns other text unchanged', () => {
    expect(formatLocalDateTime('soon', 'en-US')).toBe('soon');
  });
});

describe('listTimeZones', () => {
  it('lists IANA zones', () => {
    expect(listTimeZones()).toContain('America/Los_Angeles');
  });
});
