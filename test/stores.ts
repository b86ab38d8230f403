import { silentLogger } from '../common/logger.js';
import { migrate } from '../store/migrate.js';
import { openPglite } from '../store/pglite.js';
import { openPostgres } from '../store/postgres.js';
import type { Db } from '../store/types.js';
import { scaledBackendOptions } from './backend.js';

/** A migrated store for one test file; on PostgreSQL in a schema of its own that `dispose` drops. */
export interface TestStore {
  db: Db;
  dispose(): Promise<void>;
}

export async function openMemoryStore(): Promise<TestStore> {
  const db = await openPglite({ logger: silentLogger() });
  await migrate(db, silentLogger());
  return { db, dispose: () => db.close() };
}

export async function openPostgresStore(): Promise<TestStore> {
  const { databaseUrl } = await scaledBackendOptions();
  const schema = /search_path=([a-z0-9_]+)/.exec(new URL(databaseUrl).searchParams.get('options') ?? '')![1]!;
  // 10 connections, so simultaneous statements in a test really run side by side.
  const db = await openPostgres({ connectionString: databaseUrl, logger: silentLogger(), poolSize: 10 });
  await migrate(db, silentLogger());
  return {
    db,
    async dispose() {
      await db.query(`DROP SCHEMA ${schema} CASCADE`);
      await db.close();
    },
  };
}

/** Both store adapters, for suites that must pass on each. */
export const TEST_STORES: Array<[string, () => Promise<TestStore>]> = [
  ['PGlite', openMemoryStore],
  ['PostgreSQL', openPostgresStore],
];
