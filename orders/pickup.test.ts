import { describe, expect, it } from 'vitest';
import { estimateReadyAt, parsePickupNumber, pickupNumber, type ReadyEstimateInput } from './pickup.js';

describe('pickupNumber', () => {
  it('pads to three digits', () => {
    expect(pickupNumber(1)).toBe('001');
    expect(pickupNumber(42)).toBe('042');
    expect(pickupNumber(999)).toBe('999');
  });

  it('grows a digit after 999', () => {
    expect(pickupNumber(1000)).toBe('1000');
    expect(pickupNumber(1001)).toBe('1001');
  });

  it('rejects a sequence below 1 or fractional', () => {
    for (const sequence of [0, -1, 1.5, Number.NaN]) {
      expect(() => pickupNumber(sequence)).toThrow('(expected an integer of at least 1)');
    }
  });
});

describe('parsePickupNumber', () => {
  it('reads what staff type', () => {
    expect(parsePickupNumber('7')).toBe(7);
    expect(parsePickupNumber('007')).toBe(7);
    expect(parsePickupNumber(' 1000 ')).toBe(1000);
  });

  it('rejects what is not a pickup number', () => {
    for (const text of ['0', '000', '', 'abc', '7a', '-7', '1.5']) {
      expect(() => parsePickupNumber(text)).toThrow(`invalid pickupNumber: ${JSON.stringify(text)} (expected a pickup number such as "007")`);
    }
  });
});

describe('estimateReadyAt', () => {
  const NOW = Date.parse('2026-12-05T19:00:00.000Z');
  const base: ReadyEstimateInput = { now: NOW, items: 2, prepSecondsPerItem: 90, baseSeconds: 60, queue: [] };

  it('prepares at once with an empty queue', () => {
    expect(estimateReadyAt(base)).toBe(NOW + 240_000);
  });

  it('adds each order ahead in turn', () => {
    expect(estimateReadyAt({ ...base, queue: [{ items: 1 }, { items: 3 }] })).toBe(NOW + 150_000 + 330_000 + 240_000);
  });

  it('starts after the readyAt of an order ahead', () => {
    expect(estimateReadyAt({ ...base, queue: [{ items: 5, readyAt: NOW + 600_000 }] })).toBe(NOW + 600_000 + 240_000);
  });

  it('takes an overdue order ahead as finishing now', () => {
    expect(estimateReadyAt({ ...base, queue: [{ items: 5, readyAt: NOW - 60_000 }, { items: 1 }] })).toBe(NOW + 150_000 + 240_000);
  });

  it('never moves back for an earlier readyAt behind a later order', () => {
    const queue = [{ items: 1 }, { items: 1, readyAt: NOW + 100_000 }];
    expect(estimateReadyAt({ ...base, queue })).toBe(NOW + 150_000 + 240_000);
  });

  it('takes zero preparation seconds', () => {
    expect(estimateReadyAt({ ...base, prepSecondsPerItem: 0, baseSeconds: 0 })).toBe(NOW);
  });

  it('rounds to whole milliseconds', () => {
    expect(estimateReadyAt({ ...base, items: 1, prepSecondsPerItem: 0.0004, baseSeconds: 0 })).toBe(NOW);
    expect(estimateReadyAt({ ...base, items: 1, prepSecondsPerItem: 0.0006, baseSeconds: 0 })).toBe(NOW + 1);
  });

  const invalid: Array<[name: string, input: ReadyEstimateInput, message: string]> = [
    ['now', { ...base, now: Number.NaN }, 'invalid now: NaN (expected epoch milliseconds)'],
    ['items', { ...base, items: 0 }, 'invalid items: 0 (expected an integer of at least 1)'],
    ['prepSecondsPerItem', { ...base, prepSecondsPerItem: 90_000 }, 'invalid prepSecondsPerItem: 90000 (expected seconds from 0 to 3600)'],
    ['baseSeconds', { ...base, baseSeconds: -1 }, 'invalid baseSeconds: -1 (expected seconds from 0 to 3600)'],
    ['queue items', { ...base, queue: [{ items: 1 }, { items: 2.5 }] }, 'invalid queue.1.items: 2.5 (expected an integer of at least 1)'],
    ['queue readyAt', { ...base, queue: [{ items: 1, readyAt: Number.POSITIVE_INFINITY }] }, 'invalid queue.0.readyAt: Infinity (expected epoch milliseconds)'],
  ];

  for (const [name, input, message] of invalid) {
    it(`rejects a bad ${name}`, () => {
      expect(() => estimateReadyAt(input)).toThrow(message);
    });
  }
});
