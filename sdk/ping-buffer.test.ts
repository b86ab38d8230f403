import { describe, expect, it } from 'vitest';
import { PingBuffer } from './ping-buffer.js';

const FIX = { lat: 1, lon: 2, accuracy: 3, ts: 1_700_000_000_000 };

function seqsOf(pings: Array<{ seq: number }>): number[] {
  return pings.map((ping) => ping.seq);
}

describe('PingBuffer', () => {
  it('numbers pings above the initial lastSeq', () => {
    const buffer = new PingBuffer(100, 41);

    expect(buffer.add(FIX).seq).toBe(42);
    expect(buffer.add(FIX).seq).toBe(43);
    expect(buffer.lastSeq).toBe(43);
  });

  it('drops the oldest ping when full', () => {
    const buffer = new PingBuffer(3);
    for (let i = 0; i < 3; i++) buffer.add(FIX);

    const result = buffer.add(FIX);

    expect(result.seq).toBe(4);
    expect(result.dropped?.seq).toBe(1);
    expect(buffer.size).toBe(3);
    expect(seqsOf(buffer.takeUnsent(10))).toEqual([2, 3, 4]);
  });

  it('keeps the unsent split when the oldest sent ping is dropped', () => {
    const buffer = new PingBuffer(3);
    for (let i = 0; i < 3; i++) buffer.add(FIX);
    buffer.takeUnsent(2);

    buffer.add(FIX);

    expect(buffer.unsentCount).toBe(2);
    expect(seqsOf(buffer.takeUnsent(10))).toEqual([3, 4]);
  });

  it('takes unsent pings in batches', () => {
    const buffer = new PingBuffer(100);
    for (let i = 0; i < 5; i++) buffer.add(FIX);

    expect(seqsOf(buffer.takeUnsent(2))).toEqual([1, 2]);
    expect(seqsOf(buffer.takeUnsent(2))).toEqual([3, 4]);
    expect(buffer.unsentCount).toBe(1);
  });

  it('acknowledge drops only sent pings up to the seq', () => {
    const buffer = new PingBuffer(100);
    for (let i = 0; i < 5; i++) buffer.add(FIX);
    buffer.takeUnsent(3);

    const dropped = buffer.acknowledge(10);

    expect(dropped).toBe(3);
    expect(buffer.size).toBe(2);
    expect(seqsOf(buffer.takeUnsent(10))).toEqual([4, 5]);
  });

  it('reconcile drops sent pings the server has and resends the rest', () => {
    const buffer = new PingBuffer(100);
    for (let i = 0; i < 5; i++) buffer.add(FIX);
    buffer.takeUnsent(4);

    const result = buffer.reconcile(2);

    expect(result).toEqual({ dropped: 2 });
    expect(seqsOf(buffer.takeUnsent(10))).toEqual([3, 4, 5]);
  });

  it('reconcile renumbers never-sent pings at or below the server lastSeq', () => {
    const buffer = new PingBuffer(100);
    for (let i = 0; i < 3; i++) buffer.add(FIX);

    const result = buffer.reconcile(10);

    expect(result).toEqual({ dropped: 0, renumbering: { offset: 10, fromSeq: 11, toSeq: 13 } });
    expect(seqsOf(buffer.takeUnsent(10))).toEqual([11, 12, 13]);
    expect(buffer.add(FIX).seq).toBe(14);
  });

  it('reconcile keeps seqs above the server lastSeq', () => {
    const buffer = new PingBuffer(100, 20);
    buffer.add(FIX);

    const result = buffer.reconcile(10);

    expect(result).toEqual({ dropped: 0 });
    expect(seqsOf(buffer.takeUnsent(10))).toEqual([21]);
  });

  it('reconcile moves the seq counter above the server lastSeq when empty', () => {
    const buffer = new PingBuffer(100);

    buffer.reconcile(500);

    expect(buffer.add(FIX).seq).toBe(501);
  });
});
