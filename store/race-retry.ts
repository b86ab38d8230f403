import type { Db, Queryable } from './types.js';

/** PostgreSQL's SQLSTATE for a unique constraint violation. */
export const UNIQUE_VIOLATION = '23505';

/**
 * Runs `work` in a transaction, and again, up to `attempts` times in all, when it fails on
 * a unique index because a simultaneous transaction inserted the same row first (two
 * webhooks creating one contact, say). The failed statement aborted the transaction, so
 * only a new one can see the winner's row and match it instead.
 */
export async function transactionRetryingRaces<T>(db: Db, work: (tx: Queryable) => Promise<T>, attempts = 3): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await db.transaction(work);
    } catch (error) {
      if ((error as { code?: unknown } | null)?.code !== UNIQUE_VIOLATION || attempt >= attempts) throw error;
    }
  }
}
