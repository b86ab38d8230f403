import type { Logger } from '../common/logger.js';
import { openPglite } from './pglite.js';
import { openPostgres } from './postgres.js';
import type { Db } from './types.js';

export interface StoreOptions {
  /**
   * PostgreSQL connection string (DATABASE_URL). When set, the store is PostgreSQL
   * and `dataDir` is ignored. An empty string is rejected, not taken as unset.
   */
  databaseUrl?: string;
  /** Directory of the embedded PGlite store; in memory when undefined. */
  dataDir?: string;
  logger: Logger;
  /** PostgreSQL only: maximum open connections (default 10). */
  poolSize?: number;
  /** PostgreSQL only: statement_timeout in milliseconds (default 10 000). PGlite enforces no statement timeout. */
  statementTimeoutMs?: number;
}

/**
 * Opens the store that the configuration selects: PostgreSQL when `databaseUrl` is
 * given, else embedded PGlite. Runs no migrations; the caller runs `migrate`.
 */
export function openStore(options: StoreOptions): Promise<Db> {
  if (options.databaseUrl !== undefined) {
    return openPostgres({
      connectionString: options.databaseUrl,
      logger: options.logger,
      poolSize: options.poolSize,
      statementTimeoutMs: options.statementTimeoutMs,
    });
  }
  return openPglite({ dataDir: options.dataDir, logger: options.logger });
}
