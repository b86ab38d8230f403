import { Kafka, Partitioners, logLevel, type Admin, type Consumer, type LogEntry, type Producer } from 'kafkajs';
import { CloudburstError } from '../common/errors.js';
import type { Logger } from '../common/logger.js';
import { backoffDelay, sleep } from '../common/retry.js';
import type { Bus, BusMessage, BusRecord, SubscribeOptions, Subscription } from './types.js';

export interface KafkaBusOptions {
  /** Bootstrap brokers, e.g. `['127.0.0.1:9092']`. */
  brokers: string[];
  clientId?: string;
  /** Partitions of each topic this bus creates; existing topics keep theirs. */
  partitions?: number;
  /** Replicas of each topic this bus creates; 1 on a single-node broker. */
  replicationFactor?: number;
  /** Prefix added to every topic and consumer group name, so several deployments can share a cluster. */
  namespace?: string;
  logger: Logger;
}

const DEFAULT_PARTITIONS = 6;
/** How often `drain` compares committed offsets with the end of each partition. */
const DRAIN_POLL_MS = 100;
/**
 * How long `subscribe` waits for the consumer to join its group. Joining takes a few
 * seconds when a rebalance is under way; past this, records still arrive once it joins.
 */
const GROUP_JOIN_WAIT_MS = 30_000;
/**
 * Consumer session timeout. A member that sends no heartbeat for this long, such as a
 * killed process, loses its partitions to the rest of the group. kafkajs defaults to
 * 30 s. The broker accepts 6 s and up by default (group.min.session.timeout.ms).
 */
const SESSION_TIMEOUT_MS = 10_000;
/** Heartbeat interval, at most a third of the session timeout as the Kafka consumer docs advise. */
const HEARTBEAT_INTERVAL_MS = 3_000;
/**
 * Longest time the broker waits before it replies to a fetch with no records. kafkajs defaults to 5 s, and a consumer
 * stop waits for the fetch in flight, so a shorter wait keeps stops quick.
 */
const FETCH_MAX_WAIT_MS = 1_000;

/**
 * Most records gathered into one send. Pings are about 200 bytes of JSON, so 5,000
 * stay near the broker's default 1 MB request limit for one partition's batch.
 */
const MAX_RECORDS_PER_SEND = 5_000;

/** One produce call waiting in the outbox for the end of the event-loop turn. */
interface PendingProduce {
  topic: string;
  records: Array<{ key: string; value: string }>;
  resolve: () => void;
  reject: (error: Error) => void;
}

type State = 'created' | 'connecting' | 'connected' | 'closing' | 'closed';

/**
 * The scale-out bus on Kafka through kafkajs. The producer is idempotent and waits
 * for every in-sync replica (acks = -1), so an accepted record survives a broker
 * failover and a retried send is not written twice. Records are JSON; the key picks
 * the partition with Kafka's default murmur2 partitioner, so one device's pings stay
 * in order. A consumer group commits a batch's offsets only after its handler resolved.
 */
export class KafkaBus implements Bus {
  readonly kind = 'kafka' as const;
  readonly durable = true;

  private readonly kafka: Kafka;
  private readonly producer: Producer;
  private readonly admin: Admin;
  /**
   * Running consumers, with the offset each partition starts from when the group has
   * committed nothing there yet (the end for a new group, the start with fromBeginning).
   */
  private readonly consumers = new Set<{ consumer: Consumer; groupId: string; topic: string; startOffsets: Map<number, number> }>();
  private readonly knownTopics = new Set<string>();
  /** Produce calls not sent yet, in call order. */
  private readonly outbox: PendingProduce[] = [];
  private flushScheduled = false;
  private readonly logger: Logger;
  private readonly partitions: number;
  private readonly replicationFactor: number;
  private readonly namespace: string;
  private state: State = 'created';
  private connecting?: Promise<void>;

  constructor(options: KafkaBusOptions) {
    this.logger = options.logger.child({ component: 'kafka-bus' });
    this.partitions = options.partitions ?? DEFAULT_PARTITIONS;
    this.replicationFactor = options.replicationFactor ?? 1;
    this.namespace = options.namespace ?? '';
    this.kafka = new Kafka({
      clientId: options.clientId ?? 'cloudburst',
      brokers: options.brokers,
      logCreator: kafkaLogCreator(this.logger),
      retry: { initialRetryTime: 100, retries: 8 },
    });
    this.producer = this.kafka.producer({
      idempotent: true,
      // kafkajs keeps ordering under retries with an idempotent producer only with one request in flight.
      maxInFlightRequests: 1,
      createPartitioner: Partitioners.DefaultPartitioner,
      allowAutoTopicCreation: false,
    });
    this.admin = this.kafka.admin();
  }

  /** Connects the producer and the admin client; called on first use, or early to fail fast. */
  connect(): Promise<void> {
    if (this.state === 'closing' || this.state === 'closed') return Promise.reject(new Error('kafka bus is closed'));
    this.connecting ??= (async () => {
      this.state = 'connecting';
      await Promise.all([this.producer.connect(), this.admin.connect()]);
      this.state = 'connected';
      this.logger.info({ partitions: this.partitions }, 'kafka bus connected');
    })().catch((error: unknown) => {
      this.connecting = undefined;
      this.state = 'created';
      throw unavailable('connecting to Kafka failed', error);
    });
    return this.connecting;
  }

  /**
   * Produces records with acks from all in-sync replicas. Calls made in the same turn of
   * the event loop, such as the frames of many sockets read at once, go out as one send.
   * The idempotent producer keeps one request in flight per broker, so one send per frame
   * would queue a round trip per frame. A send never waits for an earlier one,
   * so a send that retries through a broker outage holds back only its own callers.
   * Records keep their call order, so each key's records stay in order.
   */
  async produce<T>(name: string, messages: BusMessage<T>[]): Promise<void> {
    if (messages.length === 0) return;
    const topic = this.namespace + name;
    await this.connect();
    await this.ensureTopic(topic);

    const records = messages.map((message) => ({ key: message.key, value: JSON.stringify(message.value) }));
    await new Promise<void>((resolve, reject) => {
      this.outbox.push({ topic, records, resolve, reject });
      if (!this.flushScheduled) {
        this.flushScheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  /** Sends what the outbox holds, in sends of at most MAX_RECORDS_PER_SEND records. */
  private flush(): void {
    this.flushScheduled = false;
    while (this.outbox.length > 0) {
      const batch: PendingProduce[] = [];
      let count = 0;
      while (this.outbox.length > 0 && (batch.length === 0 || count + this.outbox[0]!.records.length <= MAX_RECORDS_PER_SEND)) {
        const next = this.outbox.shift()!;
        batch.push(next);
        count += next.records.length;
      }
      void this.send(batch);
    }
  }

  private async send(batch: PendingProduce[]): Promise<void> {
    const byTopic = new Map<string, Array<{ key: string; value: string }>>();
    for (const pending of batch) {
      const list = byTopic.get(pending.topic) ?? [];
      list.push(...pending.records);
      byTopic.set(pending.topic, list);
    }
    try {
      await this.producer.sendBatch({ acks: -1, topicMessages: [...byTopic].map(([topic, records]) => ({ topic, messages: records })) });
      for (const pending of batch) pending.resolve();
    } catch (error) {
      for (const pending of batch) pending.reject(unavailable(`producing ${pending.records.length} records to ${pending.topic} failed`, error));
    }
  }

  async subscribe<T>(subscribeOptions: SubscribeOptions<T>): Promise<Subscription> {
    const options = {
      ...subscribeOptions,
      topic: this.namespace + subscribeOptions.topic,
      groupId: this.namespace + subscribeOptions.groupId,
    };
    await this.connect();
    await this.ensureTopic(options.topic);

    const consumer = this.kafka.consumer({
      groupId: options.groupId,
      sessionTimeout: SESSION_TIMEOUT_MS,
      heartbeatInterval: HEARTBEAT_INTERVAL_MS,
      maxWaitTimeInMs: FETCH_MAX_WAIT_MS,
      retry: { initialRetryTime: 100, retries: 8 },
    });
    const offsets = await withRetry(this.logger, 'reading topic offsets', () => this.admin.fetchTopicOffsets(options.topic));
    const startOffsets = new Map(offsets.map((offset) => [offset.partition, Number(options.fromBeginning ? offset.low : offset.high)]));
    const entry = { consumer, groupId: options.groupId, topic: options.topic, startOffsets };
    const log = this.logger.child({ groupId: options.groupId, topic: options.topic });

    // A new group starts at the end as of this call, like the in-process log, rather
    // than at whatever the end is when the group finishes joining a moment later.
    const seekOnJoin = !options.fromBeginning && !(await this.hasCommitted(options.groupId, options.topic));
    this.consumers.add(entry);
    const joined = new Promise<void>((resolve) => {
      const remove = consumer.on(consumer.events.GROUP_JOIN, (event) => {
        remove();
        if (!seekOnJoin) return resolve();
        void this.startNewGroup(consumer, options.topic, event.payload.memberAssignment[options.topic] ?? [], startOffsets, log).finally(resolve);
      });
    });
    await consumer.connect();
    await consumer.subscribe({ topics: [options.topic], fromBeginning: options.fromBeginning ?? false });

    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      eachBatch: async ({ batch, resolveOffset, heartbeat, isRunning, isStale }) => {
        if (batch.messages.length === 0) return;
        const records: BusRecord<T>[] = batch.messages.map((message) => ({
          topic: subscribeOptions.topic,
          partition: batch.partition,
          offset: Number(message.offset),
          key: message.key?.toString() ?? '',
          value: JSON.parse(message.value?.toString() ?? 'null') as T,
          timestamp: Number(message.timestamp),
        }));

        // Retry here rather than let kafkajs restart the consumer: the batch stays
        // the same, and the group keeps its partitions while we wait.
        for (let attempt = 0; ; attempt++) {
          if (!isRunning() || isStale()) return;
          try {
            await options.handler(records);
            break;
          } catch (error) {
            const delayMs = backoffDelay(attempt, { initialMs: 100, maxMs: 5_000 });
            log.error(
              { err: error, partition: batch.partition, offset: batch.firstOffset(), records: records.length, attempt: attempt + 1, delayMs },
              'bus handler failed; the batch will be delivered again',
            );
            await sleep(delayMs);
            await heartbeat();
          }
        }

        // resolveOffset moves the consumer's fetch position; the commit makes it the group's.
        const last = batch.lastOffset();
        resolveOffset(last);
        await withRetry(log, 'committing offsets', () =>
          consumer.commitOffsets([{ topic: batch.topic, partition: batch.partition, offset: (Number(last) + 1).toString() }]),
        );
        await heartbeat();
      },
    });
    await Promise.race([joined, sleep(GROUP_JOIN_WAIT_MS)]);
    log.info('kafka consumer started');

    return {
      stop: async () => {
        this.consumers.delete(entry);
        await consumer.disconnect();
        log.info('kafka consumer stopped');
      },
    };
  }

  async committedOffsets(topic: string, groupId: string): Promise<Map<number, number>> {
    await this.connect();
    // Offsets of a topic that does not exist yet cannot be read, and it would be created on first use anyway.
    await this.ensureTopic(this.namespace + topic);
    const committed = await withRetry(this.logger, 'reading committed offsets', () =>
      this.admin.fetchOffsets({ groupId: this.namespace + groupId, topics: [this.namespace + topic] }),
    );
    const offsets = new Map<number, number>();
    for (const partition of committed[0]?.partitions ?? []) {
      const offset = Number(partition.offset);
      if (offset >= 0) offsets.set(partition.partition, offset);
    }
    return offsets;
  }

  async drain(): Promise<void> {
    await this.connect();
    // Handlers produce to other topics, so repeat until one pass finds every group at the end.
    for (;;) {
      let behind = false;
      for (const entry of this.consumers) {
        if (await this.isBehind(entry.groupId, entry.topic, entry.startOffsets)) behind = true;
      }
      if (!behind) return;
      await sleep(DRAIN_POLL_MS);
    }
  }

  async close(): Promise<void> {
    if (this.state === 'closed' || this.state === 'closing') return;
    this.state = 'closing';
    await Promise.all([...this.consumers].map(({ consumer }) => consumer.disconnect()));
    this.consumers.clear();
    await Promise.allSettled([this.producer.disconnect(), this.admin.disconnect()]);
    this.state = 'closed';
    this.logger.info('kafka bus closed');
  }

  /**
   * Moves a new group to its start offsets. kafkajs calls GROUP_JOIN listeners before
   * the first fetch, so the seek decides where reading starts. The start offsets are
   * also committed, because a partition that gets no record before a rebalance would
   * otherwise restart at the end of the moment and skip what arrived in between. The
   * partitions stay paused until that commit is done, so it cannot overwrite a later one.
   */
  private async startNewGroup(consumer: Consumer, topic: string, partitions: number[], startOffsets: Map<number, number>, log: Logger): Promise<void> {
    const starts = partitions.map((partition) => ({ topic, partition, offset: String(startOffsets.get(partition) ?? 0) }));
    for (const start of starts) consumer.seek(start);
    consumer.pause([{ topic, partitions }]);

    // kafkajs marks its runner as running only after the listeners return, and skips commits until then.
    await new Promise((resolve) => setImmediate(resolve));
    try {
      await consumer.commitOffsets(starts);
    } catch (error) {
      log.warn({ err: error, partitions }, 'committing the start offsets of a new group failed; a rebalance may skip records');
    } finally {
      consumer.resume([{ topic, partitions }]);
    }
  }

  /** Creates the topic once per process when it does not exist. */
  private async ensureTopic(topic: string): Promise<void> {
    if (this.knownTopics.has(topic)) return;
    try {
      await withRetry(this.logger, `creating topic ${topic}`, () =>
        this.admin.createTopics({
          waitForLeaders: true,
          topics: [{ topic, numPartitions: this.partitions, replicationFactor: this.replicationFactor }],
        }),
      );
    } catch (error) {
      throw unavailable(`creating topic ${topic} failed`, error);
    }
    this.knownTopics.add(topic);
  }

  private async hasCommitted(groupId: string, topic: string): Promise<boolean> {
    const committed = await withRetry(this.logger, 'reading committed offsets', () => this.admin.fetchOffsets({ groupId, topics: [topic] }));
    return (committed[0]?.partitions ?? []).some((partition) => Number(partition.offset) >= 0);
  }

  /** True when the group has not committed up to the end of some partition of the topic. */
  private async isBehind(groupId: string, topic: string, startOffsets: Map<number, number>): Promise<boolean> {
    const [ends, committed] = await withRetry(this.logger, 'reading group lag', () =>
      Promise.all([this.admin.fetchTopicOffsets(topic), this.admin.fetchOffsets({ groupId, topics: [topic] })]),
    );
    const committedByPartition = new Map(
      (committed[0]?.partitions ?? []).map((partition) => [partition.partition, Number(partition.offset)]),
    );
    return ends.some((end) => {
      const high = Number(end.high);
      const committedOffset = committedByPartition.get(end.partition) ?? -1;
      const position = committedOffset >= 0 ? committedOffset : (startOffsets.get(end.partition) ?? 0);
      return position < high;
    });
  }
}

/** Most attempts of an admin or commit call that failed with a retriable Kafka error. */
const MAX_ATTEMPTS = 10;

/**
 * Retries `work` on retriable Kafka errors (a coordinator or leader still moving, as
 * right after a broker starts), with backoff; other errors and the last failure throw.
 */
async function withRetry<T>(logger: Logger, what: string, work: () => Promise<T>): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await work();
    } catch (error) {
      const retriable = (error as { retriable?: boolean }).retriable === true;
      if (!retriable || attempt + 1 >= MAX_ATTEMPTS) throw error;
      const delayMs = backoffDelay(attempt, { initialMs: 100, maxMs: 2_000 });
      logger.warn({ err: error, attempt: attempt + 1, delayMs }, `${what} failed; retrying`);
      await sleep(delayMs);
    }
  }
}

function unavailable(message: string, cause: unknown): CloudburstError {
  const detail = cause instanceof Error ? cause.message : String(cause);
  return new CloudburstError('unavailable', `${message}: ${detail}`, { retriable: true, cause });
}

/** Routes kafkajs log lines into pino with the kafkajs namespace. */
function kafkaLogCreator(logger: Logger) {
  return () =>
    ({ namespace, level, log }: LogEntry) => {
      const { message, timestamp: _timestamp, ...extra } = log;
      const context = { kafkajs: namespace, ...extra };
      if (level === logLevel.ERROR) logger.error(context, message);
      else if (level === logLevel.WARN) logger.warn(context, message);
      else if (level === logLevel.INFO) logger.debug(context, message);
      else logger.trace(context, message);
    };
}
