import type { Logger } from '../common/logger.js';
import { backoffDelay, sleep } from '../common/retry.js';
import type { Bus, BusMessage, BusRecord, SubscribeOptions, Subscription } from './types.js';
import { partitionFor } from './partitioner.js';

export interface MemoryBusOptions {
  /** Partitions per topic; records with one key always land in one partition. */
  partitions?: number;
  /** Most records handed to a handler at once. */
  maxBatchSize?: number;
  /**
   * Most records a partition may hold ahead of its slowest running consumer group. A
   * produce that leaves a partition further ahead resolves only once the consumers have
   * caught up to this bound, so producers slow down instead of memory growing.
   */
  maxLag?: number;
  logger: Logger;
}

const DEFAULT_PARTITIONS = 4;
const DEFAULT_MAX_BATCH = 500;
/** 25,000 pings of about 300 bytes each are about 8 MB per partition. */
const DEFAULT_MAX_LAG = 25_000;
/** Trim a partition's retained records once this many are behind every group's position. */
const TRIM_THRESHOLD = 4096;

interface Partition {
  /** Offset of records[0]. */
  baseOffset: number;
  records: BusRecord<unknown>[];
  /** Wakes consumers waiting for new records. */
  waiters: Array<() => void>;
  /** Running consumers, one per group, for the lag bound. */
  consumers: Set<PartitionConsumer>;
  /** Wakes producers waiting for the consumers to catch up. */
  spaceWaiters: Array<() => void>;
}

interface Topic {
  partitions: Partition[];
  /** Committed position (next offset to read) per group and partition. */
  groups: Map<string, number[]>;
}

/**
 * The embedded bus: an in-process, partitioned, append-only log with per-key
 * order, offsets and consumer-group positions, mirroring the Kafka semantics the
 * rest of the code relies on. It lives in memory: records not yet consumed are
 * lost if the process dies, which is why a clean stop drains it first.
 */
export class MemoryBus implements Bus {
  readonly kind = 'memory' as const;
  readonly durable = false;

  private readonly topics = new Map<string, Topic>();
  private readonly consumers = new Set<PartitionConsumer>();
  private readonly partitionCount: number;
  private readonly maxBatchSize: number;
  private readonly maxLag: number;
  private readonly logger: Logger;
  private closed = false;

  constructor(options: MemoryBusOptions) {
    this.partitionCount = options.partitions ?? DEFAULT_PARTITIONS;
    this.maxBatchSize = options.maxBatchSize ?? DEFAULT_MAX_BATCH;
    this.maxLag = options.maxLag ?? DEFAULT_MAX_LAG;
    this.logger = options.logger.child({ component: 'memory-bus' });
    if (!Number.isInteger(this.partitionCount) || this.partitionCount < 1) {
      throw new RangeError(`partitions must be a positive integer, got ${this.partitionCount}`);
    }
  }

  async produce<T>(topicName: string, messages: BusMessage<T>[]): Promise<void> {
    if (this.closed) throw new Error(`bus is closed; cannot produce to ${topicName}`);
    const topic = this.topic(topicName);
    const now = Date.now();
    const touched = new Set<Partition>();

    for (const message of messages) {
      const partitionIndex = partitionFor(message.key, this.partitionCount);
      const partition = topic.partitions[partitionIndex]!;
      partition.records.push({
        topic: topicName,
        partition: partitionIndex,
        offset: partition.baseOffset + partition.records.length,
        key: message.key,
        value: message.value,
        timestamp: now,
      });
      touched.add(partition);
    }

    for (const partition of touched) wake(partition);

    // The records are in the log already. Waiting holds back only the caller's next step,
    // such as a gateway's ack, until the consumers have room again.
    for (const partition of touched) {
      while (!this.closed && lagOf(partition) > this.maxLag) {
        await new Promise<void>((resolve) => partition.spaceWaiters.push(resolve));
      }
    }
  }

  async subscribe<T>(options: SubscribeOptions<T>): Promise<Subscription> {
    if (this.closed) throw new Error(`bus is closed; cannot subscribe to ${options.topic}`);
    const topic = this.topic(options.topic);

    let positions = topic.groups.get(options.groupId);
    if (!positions) {
      positions = topic.partitions.map((p) => (options.fromBeginning ? p.baseOffset : p.baseOffset + p.records.length));
      topic.groups.set(options.groupId, positions);
    }

    const consumers = topic.partitions.map(
      (partition, index) =>
        new PartitionConsumer({
          topic,
          partition,
          index,
          groupId: options.groupId,
          handler: options.handler as (records: BusRecord<unknown>[]) => Promise<void>,
          maxBatchSize: this.maxBatchSize,
          maxLag: this.maxLag,
          logger: this.logger,
        }),
    );
    for (const consumer of consumers) {
      this.consumers.add(consumer);
      consumer.start();
    }

    return {
      stop: async () => {
        await Promise.all(consumers.map((c) => c.stop()));
        for (const consumer of consumers) this.consumers.delete(consumer);
      },
    };
  }

  async committedOffsets(topicName: string, groupId: string): Promise<Map<number, number>> {
    const positions = this.topics.get(topicName)?.groups.get(groupId) ?? [];
    return new Map(positions.map((offset, partition) => [partition, offset]));
  }

  async drain(): Promise<void> {
    // Handlers may produce to other topics while we wait, so loop until a pass
    // finds every consumer idle at the end of its partition.
    for (;;) {
      const busy = [...this.consumers].filter((c) => !c.caughtUp());
      if (busy.length === 0) return;
      await Promise.all(busy.map((c) => c.waitCaughtUp()));
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all([...this.consumers].map((c) => c.stop()));
    this.consumers.clear();
    this.logger.info({ topics: this.topics.size }, 'memory bus closed');
  }

  private topic(name: string): Topic {
    let topic = this.topics.get(name);
    if (!topic) {
      topic = {
        partitions: Array.from({ length: this.partitionCount }, () => ({
          baseOffset: 0,
          records: [],
          waiters: [],
          consumers: new Set<PartitionConsumer>(),
          spaceWaiters: [],
        })),
        groups: new Map(),
      };
      this.topics.set(name, topic);
    }
    return topic;
  }
}

function wake(partition: Partition): void {
  const waiters = partition.waiters.splice(0);
  for (const resolve of waiters) resolve();
}

/** Wakes the producers waiting on a partition, which check its lag again. */
function wakeProducers(partition: Partition): void {
  const waiters = partition.spaceWaiters.splice(0);
  for (const resolve of waiters) resolve();
}

/** Counts the records of a partition that its slowest running consumer has not handled, 0 with none running. */
function lagOf(partition: Partition): number {
  let slowest = Infinity;
  for (const consumer of partition.consumers) slowest = Math.min(slowest, consumer.position());
  return slowest === Infinity ? 0 : partition.baseOffset + partition.records.length - slowest;
}

interface PartitionConsumerOptions {
  topic: Topic;
  partition: Partition;
  index: number;
  groupId: string;
  handler: (records: BusRecord<unknown>[]) => Promise<void>;
  maxBatchSize: number;
  maxLag: number;
  logger: Logger;
}

/** Delivers one partition's records to one group's handler, one batch at a time. */
class PartitionConsumer {
  private running = false;
  private loop: Promise<void> = Promise.resolve();
  private idleWaiters: Array<() => void> = [];

  constructor(private readonly options: PartitionConsumerOptions) {}

  start(): void {
    this.running = true;
    this.options.partition.consumers.add(this);
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.options.partition.consumers.delete(this);
    wake(this.options.partition);
    wakeProducers(this.options.partition);
    await this.loop;
    this.notifyIdle();
  }

  caughtUp(): boolean {
    const { partition } = this.options;
    return !this.running || this.position() >= partition.baseOffset + partition.records.length;
  }

  waitCaughtUp(): Promise<void> {
    if (this.caughtUp()) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Returns the next offset this group reads in the partition. */
  position(): number {
    return this.options.topic.groups.get(this.options.groupId)![this.options.index]!;
  }

  private setPosition(offset: number): void {
    this.options.topic.groups.get(this.options.groupId)![this.options.index] = offset;
  }

  private async run(): Promise<void> {
    const { partition, handler, maxBatchSize, logger, groupId, index } = this.options;
    let failures = 0;

    while (this.running) {
      const position = this.position();
      const end = partition.baseOffset + partition.records.length;

      if (position >= end) {
        this.notifyIdle();
        await new Promise<void>((resolve) => partition.waiters.push(resolve));
        continue;
      }

      const from = position - partition.baseOffset;
      const batch = partition.records.slice(from, from + maxBatchSize);
      try {
        await handler(batch);
        failures = 0;
        this.setPosition(position + batch.length);
        this.trim();
        // Waking only once there is room keeps thousands of waiting producers from
        // rechecking after every batch.
        if (partition.spaceWaiters.length > 0 && lagOf(partition) <= this.options.maxLag) wakeProducers(partition);
        // Handlers on the embedded store resolve without touching the event loop, so yield
        // here to let sockets, health checks and signals in between batches.
        await yieldToEventLoop();
      } catch (error) {
        const delayMs = backoffDelay(failures, { initialMs: 50, maxMs: 5_000 });
        failures += 1;
        logger.error(
          { err: error, groupId, partition: index, offset: position, records: batch.length, attempt: failures, delayMs },
          'bus handler failed; the batch will be delivered again',
        );
        await sleep(delayMs);
      }
    }
  }

  private notifyIdle(): void {
    if (!this.caughtUp()) return;
    const waiters = this.idleWaiters.splice(0);
    for (const resolve of waiters) resolve();
  }

  /** Drops records every group has consumed, so a long run does not grow without bound. */
  private trim(): void {
    const { topic, partition, index } = this.options;
    let lowest = Infinity;
    for (const positions of topic.groups.values()) lowest = Math.min(lowest, positions[index]!);
    const consumed = lowest - partition.baseOffset;
    if (consumed < TRIM_THRESHOLD) return;
    partition.records.splice(0, consumed);
    partition.baseOffset = lowest;
  }
}

function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
