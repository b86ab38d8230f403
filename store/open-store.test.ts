import { existsSync } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CloudburstError } from '../common/errors.js';
import { silentLogger } from '../common/logger.js';
import { openStore } from './open-store.js';
import type { Db } from './types.js';

/** Same server as store/postgres.test.ts; these tests fail, never skip, when it is unreachable. */
const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL ?? 'postgres://cloudburst:cloudburst@127.0.0.1:55432/cloudburst_test';

describe('openStore', () => {
  const opened: Db[] = [];
  const dirs: string[] = [];

  async function tempDir(): Promise<string> {
    const dir = await mkdtemp(path.join(tmpdir(), 'cloudburst-store-'));
    dirs.push(dir);
    return dir;
  }

  afterEach(async () => {
    await Promise.all(opened.splice(0).map((db) => db.close()));
    await Promise.all(dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
  });

  it('opens PGlite in memory without a database URL', async () => {
    const db = await openStore({ logger: silentLogger() });
    opened.push(db);
    expect(db.kind).toBe('pglite');

    // Migrations are the caller's job.
    const [row] = await db.query<{ table: string | null }>(`SELECT to_regclass('schema_migrations')::text AS table`);
    expect(row!.table).toBeNull();
  });

  it('keeps PGlite data under dataDir', async () => {
    const dataDir = path.join(await tempDir(), 'pglite');
    const db = await openStore({ dataDir, logger: silentLogger() });
    opened.push(db);
    expect(db.kind).toBe('pglite');
    expect((await readdir(dataDir)).length).toBeGreaterThan(0);
  });

  it('opens PostgreSQL with a database URL and ignores dataDir', async () => {
    const dataDir = path.join(await tempDir(), 'unused');
    const db = await openStore({ databaseUrl: TEST_DATABASE_URL, dataDir, logger: silentLogger(), poolSize: 2, statementTimeoutMs: 1500 });
    opened.push(db);
    expect(db.kind).toBe('postgres');
    expect(existsSync(dataDir)).toBe(false);

    const [row] = await db.query<{ timeout: string }>(`SELECT current_setting('statement_timeout') AS timeout`);
    expect(row!.timeout).toBe('1500ms');
  });

  it('rejects an empty database URL', async () => {
    const error = await openStore({ databaseUrl: '', logger: silentLogger() }).then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(CloudburstError);
    expect((error as CloudburstError).code).toBe('invalid_input');
    expect((error as CloudburstError).field).toBe('connectionString');
  });
});
