import { mkdir } from 'node:fs/promises';
import { PGlite } from '@electric-sql/pglite';
import { postgis } from '@electric-sql/pglite-postgis';
import type { Logger } from '../common/logger.js';
import type { Db, Queryable } from './types.js';

/**
 * Opens the embedded store: PGlite (PostgreSQL compiled to WebAssembly) with its
 * PostGIS extension, persisted under `dataDir`, or in memory when `dataDir` is
 * undefined. PGlite runs one statement at a time, so it serialises callers itself.
 */
export async function openPglite(options: { dataDir?: string; logger: Logger }): Promise<Db> {
  const logger = options.logger.child({ component: 'store', store: 'pglite' });
  if (options.dataDir) await mkdir(options.dataDir, { recursive: true });

  const startedAt = Date.now();
  const pg = await PGlite.create({ dataDir: options.dataDir, extensions: { postgis } });
  logger.info({ dataDir: options.dataDir ?? 'memory', ms: Date.now() - startedAt }, 'store opened');

  const run: Queryable = {
    async query<Row>(sql: string, params?: unknown[]): Promise<Row[]> {
      const result = await pg.query<Row>(sql, params);
      return result.rows;
    },
  };

  let closed = false;
  return {
    kind: 'pglite',
    query: run.query,
    transaction: <T>(work: (tx: Queryable) => Promise<T>) =>
      pg.transaction(async (tx) =>
        work({
          async query<Row>(sql: string, params?: unknown[]): Promise<Row[]> {
            const result = await tx.query<Row>(sql, params);
            return result.rows;
          },
        }),
      ),
    async close() {
      if (closed) return;
      closed = true;
      await pg.close();
      logger.info('store closed');
    },
  };
}
