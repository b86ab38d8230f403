import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../common/logger.js';
import { MemoryBus } from './memory-log.js';
import { partitionFor } from './partitioner.js';
import { describeBus } from './bus-suite.js';

describeBus('in-process', ({ partitions }) => new MemoryBus({ partitions, logger: silentLogger() }));

describe('MemoryBus', () => {
  let bus: MemoryBus;
  afterEach(async () => {
    await bus?.close();
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

  it('holds a produce until a lagging group catches up', async () => {
    bus = new MemoryBus({ partitions: 1, maxBatchSize: 10, maxLag: 50, logger: silentLogger() });
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let handled = 0;
    await bus.subscribe<number>({
      topic: 't',
      groupId: 'slow',
      handler: async (records) => {
        await gate;
        handled += records.length;
      },
    });

    let settled = false;
    const produced = bus.produce('t', Array.from({ length: 100 }, (_, i) => ({ key: 'k', value: i }))).then(() => (settled = true));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(settled).toBe(false);

    release();
    await produced;
    // Resolved once the group was at most 50 records behind, not before.
    expect(handled).toBeGreaterThanOrEqual(50);
    await bus.drain();
    expect(handled).toBe(100);
  });

  it('holds no produce when no group is running', async () => {
    bus = new MemoryBus({ partitions: 1, maxLag: 5, logger: silentLogger() });
    await bus.produce('t', Array.from({ length: 100 }, (_, i) => ({ key: 'k', value: i })));

    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const subscription = await bus.subscribe<number>({ topic: 't', groupId: 'g', fromBeginning: true, handler: () => gate });
    const held = bus.produce('t', [{ key: 'k', value: 100 }]);

    // Stopping the only group frees the producer even while its handler is still busy.
    const stopped = subscription.stop();
    await expect(held).resolves.toBeUndefined();
    release();
    await stopped;
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
