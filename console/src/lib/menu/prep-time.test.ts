import { describe, expect, it } from 'vitest';
import { ApiError } from '../campaigns/admin-api.js';
import { buildPrepTime, draftFromPrepTime, formatDuration, isPrepTimeChanged, MAX_PREP_SECONDS, parseDuration, placeRejection } from './prep-time.js';

describe('parseDuration', () => {
  it.each([
    ['1:30', 90],
    ['0:45', 45],
    ['60:00', 3600],
    ['2：05', 125],
    ['90', 90],
    ['0', 0],
    ['  3600 ', 3600],
    ['007', 7],
  ])('reads %j as %i seconds', (text, seconds) => {
    expect(parseDuration(text)).toEqual({ ok: true, seconds });
  });

  it.each(['', '   '])('reports %j as empty', (text) => {
    expect(parseDuration(text)).toEqual({ ok: false, problem: 'empty' });
  });

  it.each(['abc', '-5', '1.5', '1:5', '1:60', '1:30:00', ':30', '1:', '1 30', '9'.repeat(20)])('reports %j as invalid', (text) => {
    expect(parseDuration(text)).toEqual({ ok: false, problem: 'invalid' });
  });

  it.each(['3601', '60:01', '61:00'])('reports %j as over the maximum', (text) => {
    expect(parseDuration(text)).toEqual({ ok: false, problem: 'max' });
  });
});

describe('formatDuration', () => {
  it.each([
    [0, '0:00'],
    [5, '0:05'],
    [60, '1:00'],
    [90, '1:30'],
    [MAX_PREP_SECONDS, '60:00'],
  ])('writes %i seconds as %j', (seconds, text) => {
    expect(formatDuration(seconds)).toBe(text);
  });

  it('writes what parseDuration reads back', () => {
    for (const seconds of [0, 1, 59, 61, 599, 3599, 3600]) {
      expect(parseDuration(formatDuration(seconds))).toEqual({ ok: true, seconds });
    }
  });
});

describe('draftFromPrepTime', () => {
  it('writes both fields as minutes and seconds', () => {
    expect(draftFromPrepTime({ secondsPerItem: 60, secondsPerOrder: 120 })).toEqual({ secondsPerItem: '1:00', secondsPerOrder: '2:00' });
  });
});

describe('buildPrepTime', () => {
  it('builds the body in seconds', () => {
    expect(buildPrepTime({ secondsPerItem: '1:30', secondsPerOrder: '45' })).toEqual({ ok: true, prepTime: { secondsPerItem: 90, secondsPerOrder: 45 } });
  });

  it('lists a problem per unreadable field', () => {
    expect(buildPrepTime({ secondsPerItem: '', secondsPerOrder: '1:75' })).toEqual({
      ok: false,
      problems: [
        { field: 'secondsPerItem', key: 'menu.check.required' },
        { field: 'secondsPerOrder', key: 'menu.prep.check.format' },
      ],
    });
  });

  it('names the maximum for a value over an hour', () => {
    expect(buildPrepTime({ secondsPerItem: '61:00', secondsPerOrder: '0' })).toEqual({
      ok: false,
      problems: [{ field: 'secondsPerItem', key: 'menu.prep.check.max', params: { max: '60:00' } }],
    });
  });
});

describe('isPrepTimeChanged', () => {
  const saved = { secondsPerItem: 90, secondsPerOrder: 120 };

  it('is false for the saved values', () => {
    expect(isPrepTimeChanged({ secondsPerItem: '1:30', secondsPerOrder: '2:00' }, saved)).toBe(false);
    expect(isPrepTimeChanged({ secondsPerItem: '90', secondsPerOrder: ' 120 ' }, saved)).toBe(false);
  });

  it('is true for another value', () => {
    expect(isPrepTimeChanged({ secondsPerItem: '1:30', secondsPerOrder: '2:01' }, saved)).toBe(true);
  });

  it('is true for a value that does not read', () => {
    expect(isPrepTimeChanged({ secondsPerItem: '', secondsPerOrder: '2:00' }, saved)).toBe(true);
    expect(isPrepTimeChanged({ secondsPerItem: 'soon', secondsPerOrder: '2:00' }, saved)).toBe(true);
  });
});

describe('placeRejection', () => {
  it('places a rejected field at its input', () => {
    const error = new ApiError(400, 'invalid_input', 'invalid secondsPerOrder: 4000 (Too big: expected number to be <=3600)', 'secondsPerOrder', 4000);
    expect(placeRejection(error)).toEqual({ problems: [{ field: 'secondsPerOrder', serverMessage: error.message }], failure: null });
  });

  it('shows a rejection without a field as failure', () => {
    const error = new ApiError(404, 'not_found', 'truck t-1 has no menu yet; save its menu first', 'id', 't-1');
    expect(placeRejection(error)).toEqual({ problems: [], failure: 'truck t-1 has no menu yet; save its menu first' });
  });

  it('shows an unknown key as a failure', () => {
    const error = new ApiError(400, 'invalid_input', 'invalid (body): unknown field "seconds" (check its spelling and case)', '(body)', 'seconds');
    expect(placeRejection(error)).toEqual({ problems: [], failure: error.message });
  });
});
