import type { Logger } from '../common/logger.js';
import type { PingRecord } from '../common/protocol.js';
import { Topics, type Bus, type Subscription } from '../bus/types.js';
import type { Db } from '../store/types.js';
import { deletePingsBefore, insertPings } from './repos/pings.js';

const HOUR_MS = 3_600_000;
/**
 * Rows per insert. The embedded store runs one statement at a time, so smaller
 * inserts let offer writes slip in between and keep ping-to-offer latency low.
 */
const INSERT_CHUNK = 100;

/**
 * Keeps raw pings in the store for replay, in batches from its own consumer group,
 * and deletes those older than the retention once an hour.
 */
export class PingRecorder {
  private subscription?: Subscription;
  private retentionTimer?: NodeJS.Timeout;
  private readonly logger: Logger;

  constructor(private readonly options: { bus: Bus; db: Db; logger: Logger; retentionHours: number }) {
    this.logger = options.logger.child({ component: 'ping-recorder' });
  }

  async start(): Promise<void> {
    this.subscription = await this.options.bus.subscribe<PingRecord>({
      topic: Topics.pings,
      groupId: 'recorder',
      fromBeginning: true,
      handler: async (records) => {
        for (let start = 0; start < records.length; start += INSERT_CHUNK) {
          const chunk = records.slice(start, start + INSERT_CHUNK);
          await insertPings(
            this.options.db,
            chunk.map((record) => ({ ping: record.value, partition: record.partition, offset: record.offset })),
          );
          // Let the HTTP server and signals run between inserts when the recorder is behind.
          await new Promise((resolve) => setImmediate(resolve));
        }
      },
    });
    await this.enforceRetention();
    this.retentionTimer = setInterval(() => void this.enforceRetention(), HOUR_MS);
    this.retentionTimer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.retentionTimer);
    await this.subscription?.stop();
  }

  private async enforceRetention(): Promise<void> {
    const before = Date.now() - this.options.retentionHours * HOUR_MS;
    try {
      const deleted = await deletePingsBefore(this.options.db, before);
      if (deleted > 0) this.logger.info({ deleted, before: new Date(before).toISOString() }, 'old pings deleted');
    } catch (error) {
      this.logger.error({ err: error }, 'deleting old pings failed; will try again in an hour');
    }
  }
}
