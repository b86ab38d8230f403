/**
 * The bus: an append-only, partitioned log of records keyed by a string.
 * Records with the same key go to the same partition and keep their order.
 * Two implementations: the in-process log (memory-log.ts) and Kafka.
 */
export interface BusMessage<T> {
  key: string;
  value: T;
}

export interface BusRecord<T> {
  topic: string;
  partition: number;
  offset: number;
  key: string;
  value: T;
  /** Milliseconds since the epoch when the bus accepted the record. */
  timestamp: number;
}

export interface SubscribeOptions<T> {
  topic: string;
  /** Consumers with the same group id share the partitions; each group receives every record once. */
  groupId: string;
  /** A group with no committed position starts at the oldest retained record instead of the end. */
  fromBeginning?: boolean;
  /**
   * Called with records of one partition, in offset order. The group's position moves
   * past them only after the returned promise resolves; a rejection is logged and the
   * same batch is delivered again after a backoff.
   */
  handler: (records: BusRecord<T>[]) => Promise<void>;
}

export interface Subscription {
  /** Stops delivering new batches; waits for the batch in flight. */
  stop(): Promise<void>;
}

export interface Bus {
  readonly kind: 'memory' | 'kafka';
  /**
   * True when records outlive this process, so a group that restarts resumes from
   * its committed offsets; false for the in-process log, which starts empty.
   */
  readonly durable: boolean;
  /** Appends the messages; resolves once the bus has accepted all of them. */
  produce<T>(topic: string, messages: BusMessage<T>[]): Promise<void>;
  subscribe<T>(options: SubscribeOptions<T>): Promise<Subscription>;
  /**
   * Returns, per partition of the topic where the group has committed, the offset it
   * resumes from: every record before it was handled. Partitions without a commit are absent.
   */
  committedOffsets(topic: string, groupId: string): Promise<Map<number, number>>;
  /** Resolves once every subscription has processed every record produced before the call. */
  drain(): Promise<void>;
  close(): Promise<void>;
}

/** Topic names shared by producers and consumers. */
export const Topics = {
  pings: 'pings',
  offers: 'offers',
  fences: 'fences',
  /** Offers to push, keyed by device id; every process reads all and pushes to the sockets it holds. */
  pushes: 'pushes',
  /** Campaign messages for the device SDK, keyed by device id; delivered like pushes. */
  messages: 'messages',
  /** Order changes, keyed by truck id; every process reads all for its consoles and the device sockets it holds. */
  orders: 'orders',
} as const;
