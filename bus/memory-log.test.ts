import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../common/logger.js';
import { MemoryBus } from './memory-log.js';
import { partitionFor } from './partitioner.js';
import type { BusRecord } from './types.js';

describe('MemoryBus', () => {
  let bus: MemoryBus;
  afterEach(async () => {
    await bus?.close();
  });

  it('keeps per-key order with increasing offsets', async () => {
    bus = new MemoryBus({ partitions: 3, logger: silentLogger() });
    const seen: BusRecord<number>[] = [];
    await bus.subscribe<number>({ topic: 't', groupId: 'g', handler: async (records) => void seen.push(...records) });

    for (let i = 0; i < 300; i++) await bus.produce('t', [{ key: `k${i % 7}`, value: i }]);
    await bus.drain();

    expect(seen).toHaveLength(300);
    for (let k = 0; k < 7; k++) {
      const values = seen.filter((r) => r.key === `k${k}`).map((r) => r.value);
      expect(values).toEqual([...values].sort((a, b) => a - b));
    }
    for (let p = 0; p < 3; p++) {
      const offsets = seen.filter((r) => r.partition === p).map((r) => r.offset);
      expect(offsets).toEqual(offsets.map((_, i) => i));
    }
  });

  it('gives every group every record once', async () => {
    bus = new MemoryBus({ logger: silentLogger() });
    const a: number[] = [];
    const b: number[] = [];
    await bus.subscribe<number>({ topic: 't', groupId: 'a', handler: async (records) => void a.push(...records.map((r) => r.value)) });
    await bus.subscribe<number>({ topic: 't', groupId: 'b', handler: async (records) => void b.push(...records.map((r) => r.value)) });
    await bus.produce('t', [1, 2, 3].map((value) => ({ key: 'same', value })));
    await bus.drain();
    expect(a).toEqual([1, 2, 3]);
    expect(b).toEqual([1, 2, 3]);
  });

  it('delivers a failed batch again', async () => {
    bus = new MemoryBus({ logger: silentLogger() });
    const attempts: number[][] = [];
    await bus.subscribe<number>({
      topic: 't',
      groupId: 'g',
      handler: async (records) => {
        attempts.push(records.map((r) => r.value));
        if (attempts.length === 1) throw new Error('transient');
      },
    });
    await bus.produce('t', [{ key: 'k', value: 7 }]);
    await bus.drain();
    expect(attempts).toEqual([[7], [7]]);
  });

  it('starts a new group at the end unless fromBeginning', async () => {
    bus = new MemoryBus({ partitions: 1, logger: silentLogger() });
    await bus.produce('t', [{ key: 'k', value: 1 }]);
    const late: number[] = [];
    const early: number[] = [];
    await bus.subscribe<number>({ topic: 't', groupId: 'late', handler: async (r) => void late.push(...r.map((x) => x.value)) });
    await bus.subscribe<number>({ topic: 't', groupId: 'early', fromBeginning: true, handler: async (r) => void early.push(...r.map((x) => x.value)) });
    await bus.produce('t', [{ key: 'k', value: 2 }]);
    await bus.drain();
    expect(late).toEqual([2]);
    expect(early).toEqual([1, 2]);
  });

  it('resumes a group from its committed position', async () => {
    bus = new MemoryBus({ partitions: 1, logger: silentLogger() });
    const first: number[] = [];
    const subscription = await bus.subscribe<number>({ topic: 't', groupId: 'g', handler: async (r) => void first.push(...r.map((x) => x.value)) });
    await bus.produce('t', [{ key: 'k', value: 1 }]);
    await bus.drain();
    await subscription.stop();

    await bus.produce('t', [{ key: 'k', value: 2 }]);
    const second: number[] = [];
    await bus.subscribe<number>({ topic: 't', groupId: 'g', handler: async (r) => void second.push(...r.map((x) => x.value)) });
    await bus.drain();
    expect(first).toEqual([1]);
    expect(second).toEqual([2]);
  });

  it('drains records produced by handlers', async () => {
    bus = new MemoryBus({ logger: silentLogger() });
    const out: number[] = [];
    await bus.subscribe<number>({ topic: 'in', groupId: 'g', handler: async (r) => bus.produce('out', r.map((x) => ({ key: x.key, value: x.value * 2 }))) });
    await bus.subscribe<number>({ topic: 'out', groupId: 'g', handler: async (r) => void out.push(...r.map((x) => x.value)) });
    await bus.produce('in', [{ key: 'a', value: 1 }, { key: 'b', value: 2 }]);
    await bus.drain();
    expect(out.sort()).toEqual([2, 4]);
  });

  it('keeps offsets increasing across trims', async () => {
    bus = new MemoryBus({ partitions: 1, maxBatchSize: 1000, logger: silentLogger() });
    let lastOffset = -1;
    await bus.subscribe<number>({ topic: 't', groupId: 'g', handler: async (r) => void (lastOffset = r.at(-1)!.offset) });
    for (let i = 0; i < 20; i++) {
      await bus.produce('t', Array.from({ length: 1000 }, (_, j) => ({ key: 'k', value: i * 1000 + j })));
      await bus.drain();
    }
    expect(lastOffset).toBe(19_999);
  });

  it('rejects produce after close', async () => {
    bus = new MemoryBus({ logger: silentLogger() });
    await bus.close();
    await expect(bus.produce('t', [{ key: 'k', value: 1 }])).rejects.toThrow('bus is closed');
  });
});

describe('partitionFor', () => {
  it('is stable and in range', () => {
    expect(partitionFor('device-1', 8)).toBe(partitionFor('device-1', 8));
    for (let i = 0; i < 1000; i++) {
      const p = partitionFor(`d${i}`, 8);
      expect(p).toBeGreaterThanOrEqual(0);
      expect(p).toBeLessThan(8);
    }
  });
});
