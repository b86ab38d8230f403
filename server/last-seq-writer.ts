import type { Logger } from '../common/logger.js';
import type { Queryable } from '../store/types.js';

/** How often buffered sequence numbers are written. */
const FLUSH_INTERVAL_MS = 500;

/**
 * Buffers each device's last accepted sequence number and writes all of them in one
 * statement per interval. The gateway saves once per device, so without batching a
 * crowd of devices connecting at once would queue hundreds of single-row updates ahead
 * of the offer writes on the embedded store's one connection.
 */
export class LastSeqWriter {
  private pending = new Map<string, number>();
  private waiters: Array<{ resolve: () => void; reject: (error: unknown) => void }> = [];
  private timer?: NodeJS.Timeout;
  private flushing: Promise<void> = Promise.resolve();
  private readonly logger: Logger;

  constructor(
    private readonly db: Queryable,
    logger: Logger,
  ) {
    this.logger = logger.child({ component: 'last-seq-writer' });
  }

  /** Resolves once the value is written (with the next batch). */
  save(deviceId: string, lastSeq: number): Promise<void> {
    this.pending.set(deviceId, Math.max(lastSeq, this.pending.get(deviceId) ?? 0));
    this.timer ??= setTimeout(() => void this.flush(), FLUSH_INTERVAL_MS);
    return new Promise((resolve, reject) => this.waiters.push({ resolve, reject }));
  }

  /** Writes everything buffered now. */
  flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    const batch = this.pending;
    const waiters = this.waiters;
    this.pending = new Map();
    this.waiters = [];

    this.flushing = this.flushing.then(async () => {
      if (batch.size === 0) {
        for (const waiter of waiters) waiter.resolve();
        return;
      }
      try {
        await this.db.query(
          `UPDATE devices d SET last_seq = GREATEST(d.last_seq, u.last_seq), last_seen_at = now()
           FROM unnest($1::uuid[], $2::bigint[]) AS u(id, last_seq) WHERE d.id = u.id`,
          [[...batch.keys()], [...batch.values()]],
        );
        for (const waiter of waiters) waiter.resolve();
      } catch (error) {
        this.logger.error({ err: error, devices: batch.size }, 'saving last sequence numbers failed');
        for (const waiter of waiters) waiter.reject(error);
      }
    });
    return this.flushing;
  }
}
