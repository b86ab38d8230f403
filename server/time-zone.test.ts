import { describe, expect, it } from 'vitest';
import { instantToLocal, localToInstant } from './time-zone.js';

const LA = 'America/Los_Angeles';

describe('localToInstant', () => {
  it('reads winter time as UTC-8', () => {
    expect(new Date(localToInstant('start', '2026-12-04T11:00', LA)).toISOString()).toBe('2026-12-04T19:00:00.000Z');
  });

  it('reads summer time as UTC-7', () => {
    expect(new Date(localToInstant('start', '2026-07-04T11:00', LA)).toISOString()).toBe('2026-07-04T18:00:00.000Z');
  });

  it('moves a time in the spring-forward gap past the gap', () => {
    // 2026-03-08 02:30 does not exist in Los Angeles; a calendar shows 03:30 PDT.
    expect(new Date(localToInstant('start', '2026-03-08T02:30', LA)).toISOString()).toBe('2026-03-08T10:30:00.000Z');
  });

  it('resolves a repeated fall-back time to the earlier instant', () => {
    // 2026-11-01 01:30 happens at 08:30Z (PDT) and again at 09:30Z (PST).
    expect(new Date(localToInstant('start', '2026-11-01T01:30', LA)).toISOString()).toBe('2026-11-01T08:30:00.000Z');
  });

  it('handles zones east of UTC', () => {
    expect(new Date(localToInstant('start', '2026-12-04T12:00', 'Asia/Shanghai')).toISOString()).toBe('2026-12-04T04:00:00.000Z');
  });

  it('rejects a malformed value naming the field', () => {
    expect(() => localToInstant('window.start', 'noon', LA)).toThrow('invalid window.start: "noon"');
  });

  it('rejects an impossible date', () => {
    expect(() => localToInstant('window.end', '2026-02-30T10:00', LA)).toThrow('invalid window.end: "2026-02-30T10:00"');
  });
});

describe('instantToLocal', () => {
  it('round-trips through localToInstant', () => {
    const instant = Date.parse('2026-12-04T19:05:09Z');
    const local = instantToLocal(instant, LA);
    expect(local).toBe('2026-12-04T11:05:09');
    expect(localToInstant('start', local, LA)).toBe(instant);
  });
});
