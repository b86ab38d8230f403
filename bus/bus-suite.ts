import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import type { Bus, BusRecord } from './types.js';

/** Builds a bus for one test; `partitions` applies to topics the bus creates. */
export type BusFactory = (options: { partitions: number }) => Bus | Promise<Bus>;

/**
 * The behaviour every bus implementation must share, run against the in-process log
 * and against Kafka. Topic and group names are unique per test, because Kafka keeps
 * topics and committed offsets between runs.
 */
export function describeBus(name: string, createBus: BusFactory): void {
  describe(`${name} bus`, () => {
    let bus: Bus | undefined;
    const unique = (prefix: string) => `${prefix}-${randomUUID().slice(0, 8)}`;
    const open = async (partitions = 3) => {
      bus = await createBus({ partitions });
      return bus;
    };

    afterEach(async () => {
      await bus?.close();
      bus = undefined;
    });

    it('keeps per-key order', async () => {
      const b = await open(3);
      const topic = unique('order');
      const seen: BusRecord<number>[] = [];
      await b.subscribe<number>({ topic, groupId: unique('g'), handler: async (records) => void seen.push(...records) });

      for (let i = 0; i < 120; i++) await b.produce(topic, [{ key: `k${i % 7}`, value: i }]);
      await b.drain();

      expect(seen).toHaveLength(120);
      for (let k = 0; k < 7; k++) {
        const values = seen.filter((r) => r.key === `k${k}`).map((r) => r.value);
        expect(values).toEqual([...values].sort((x, y) => x - y));
        expect(new Set(seen.filter((r) => r.key === `k${k}`).map((r) => r.partition)).size).toBe(1);
      }
      for (let p = 0; p < 3; p++) {
        const offsets = seen.filter((r) => r.partition === p).map((r) => r.offset);
        expect(offsets).toEqual([...offsets].sort((x, y) => x - y));
      }
    });

    it('keeps call order across concurrent produces', async () => {
      const b = await open(3);
      const topic = unique('concurrent');
      const seen: BusRecord<number>[] = [];
      await b.subscribe<number>({ topic, groupId: unique('g'), handler: async (records) => void seen.push(...records) });

      // Not awaited one by one, as many gateway connections produce at once.
      await Promise.all(Array.from({ length: 300 }, (_, i) => b.produce(topic, [{ key: `k${i % 5}`, value: i }])));
      await b.drain();

      expect(seen).toHaveLength(300);
      for (let k = 0; k < 5; k++) {
        const values = seen.filter((r) => r.key === `k${k}`).map((r) => r.value);
        expect(values).toEqual(Array.from({ length: 60 }, (_, j) => j * 5 + k));
      }
    });

    it('gives every group every record', async () => {
      const b = await open();
      const topic = unique('groups');
      const a: number[] = [];
      const c: number[] = [];
      await b.subscribe<number>({ topic, groupId: unique('a'), handler: async (r) => void a.push(...r.map((x) => x.value)) });
      await b.subscribe<number>({ topic, groupId: unique('c'), handler: async (r) => void c.push(...r.map((x) => x.value)) });
      await b.produce(topic, [1, 2, 3].map((value) => ({ key: 'same', value })));
      await b.drain();
      expect(a).toEqual([1, 2, 3]);
      expect(c).toEqual([1, 2, 3]);
    });

    it('delivers a failed batch again', async () => {
      const b = await open();
      const topic = unique('retry');
      const attempts: number[][] = [];
      await b.subscribe<number>({
        topic,
        groupId: unique('g'),
        handler: async (records) => {
          attempts.push(records.map((r) => r.value));
          if (attempts.length === 1) throw new Error('transient failure in test');
        },
      });
      await b.produce(topic, [{ key: 'k', value: 7 }]);
      await b.drain();
      expect(attempts).toEqual([[7], [7]]);
    });

    it('starts a new group at the end unless fromBeginning', async () => {
      const b = await open(1);
      const topic = unique('start');
      await b.produce(topic, [{ key: 'k', value: 1 }]);
      const late: number[] = [];
      const early: number[] = [];
      await b.subscribe<number>({ topic, groupId: unique('late'), handler: async (r) => void late.push(...r.map((x) => x.value)) });
      await b.subscribe<number>({ topic, groupId: unique('early'), fromBeginning: true, handler: async (r) => void early.push(...r.map((x) => x.value)) });
      await b.produce(topic, [{ key: 'k', value: 2 }]);
      await b.drain();
      expect(late).toEqual([2]);
      expect(early).toEqual([1, 2]);
    });

    it('resumes a group from its committed position', async () => {
      const b = await open(1);
      const topic = unique('resume');
      const groupId = unique('g');
      const first: number[] = [];
      const subscription = await b.subscribe<number>({ topic, groupId, handler: async (r) => void first.push(...r.map((x) => x.value)) });
      await b.produce(topic, [{ key: 'k', value: 1 }]);
      await b.drain();
      await subscription.stop();

      await b.produce(topic, [{ key: 'k', value: 2 }]);
      const second: number[] = [];
      await b.subscribe<number>({ topic, groupId, handler: async (r) => void second.push(...r.map((x) => x.value)) });
      await b.drain();
      expect(first).toEqual([1]);
      expect(second).toEqual([2]);
    });

    it('keeps the start of a group that got no records', async () => {
      const b = await open(2);
      const topic = unique('idle');
      const groupId = unique('g');
      const subscription = await b.subscribe<number>({ topic, groupId, handler: async () => undefined });
      await subscription.stop();

      await b.produce(topic, [1, 2, 3, 4].map((value) => ({ key: `k${value}`, value })));
      const seen: number[] = [];
      await b.subscribe<number>({ topic, groupId, handler: async (r) => void seen.push(...r.map((x) => x.value)) });
      await b.drain();
      expect(seen.sort()).toEqual([1, 2, 3, 4]);
    });

    it('reports where a group resumes', async () => {
      const b = await open(2);
      const topic = unique('committed');
      const groupId = unique('g');
      const seen: BusRecord<number>[] = [];
      await b.subscribe<number>({ topic, groupId, fromBeginning: true, handler: async (r) => void seen.push(...r) });
      await b.produce(topic, [1, 2, 3, 4, 5].map((value) => ({ key: `k${value}`, value })));
      await b.drain();

      const expected = new Map<number, number>();
      for (const record of seen) expected.set(record.partition, Math.max(expected.get(record.partition) ?? 0, record.offset + 1));
      const committed = await b.committedOffsets(topic, groupId);
      for (const [partition, offset] of expected) expect(committed.get(partition)).toBe(offset);
      expect(await b.committedOffsets(topic, unique('never'))).toEqual(new Map());
    });

    it('drains records produced by handlers', async () => {
      const b = await open();
      const input = unique('in');
      const output = unique('out');
      const out: number[] = [];
      await b.subscribe<number>({ topic: output, groupId: unique('g'), handler: async (r) => void out.push(...r.map((x) => x.value)) });
      await b.subscribe<number>({
        topic: input,
        groupId: unique('g'),
        handler: async (r) => b.produce(output, r.map((x) => ({ key: x.key, value: x.value * 2 }))),
      });
      await b.produce(input, [
        { key: 'a', value: 1 },
        { key: 'b', value: 2 },
      ]);
      await b.drain();
      expect(out.sort()).toEqual([2, 4]);
    });

    it('round-trips JSON values and keys', async () => {
      const b = await open();
      const topic = unique('json');
      const seen: BusRecord<{ lat: number; tags: string[] }>[] = [];
      await b.subscribe<{ lat: number; tags: string[] }>({ topic, groupId: unique('g'), handler: async (r) => void seen.push(...r) });
      await b.produce(topic, [{ key: 'device-ü', value: { lat: 37.7749, tags: ['a', 'b'] } }]);
      await b.drain();
      expect(seen).toHaveLength(1);
      expect(seen[0]!.key).toBe('device-ü');
      expect(seen[0]!.value).toEqual({ lat: 37.7749, tags: ['a', 'b'] });
      expect(seen[0]!.timestamp).toBeGreaterThan(0);
    });
  });
}
