import { readdir, readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import type { Logger } from '../common/logger.js';
import type { Db } from './types.js';

/** sql/ at the repository root, found from both the TypeScript source and the built dist/ copy. */
export function defaultMigrationsDir(): string {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const fromSource = path.resolve(here, '..', 'sql');
  const fromDist = path.resolve(here, '..', '..', 'sql');
  return here.includes(`${path.sep}dist${path.sep}`) ? fromDist : fromSource;
}

const MIGRATION_FILE = /^(\d{3,})_[a-z0-9_]+\.sql$/;

/**
 * Applies every `NNN_name.sql` file in `dir` that is not yet recorded in
 * `schema_migrations`, in version order, each in its own transaction.
 * Returns the versions applied.
 */
export async function migrate(db: Db, logger: Logger, dir = defaultMigrationsDir()): Promise<number[]> {
  const log = logger.child({ component: 'migrate' });
  await db.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version integer PRIMARY KEY,
    name text NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT now()
  )`);

  const files = (await readdir(dir)).filter((name) => MIGRATION_FILE.test(name)).sort();
  const applied = new Set(
    (await db.query<{ version: number }>('SELECT version FROM schema_migrations')).map((row) => Number(row.version)),
  );

  const done: number[] = [];
  for (const file of files) {
    const version = Number(MIGRATION_FILE.exec(file)![1]);
    if (applied.has(version)) continue;

    const sql = await readFile(path.join(dir, file), 'utf8');
    await db.transaction(async (tx) => {
      for (const statement of splitStatements(sql)) await tx.query(statement);
      await tx.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [version, file]);
    });
    log.info({ version, file }, 'migration applied');
    done.push(version);
  }
  return done;
}

/**
 * Splits a migration into statements at semicolons that end a line. Migrations
 * keep to that layout (no semicolon-terminated lines inside function bodies), which
 * lets both adapters run them as plain parameterless statements.
 */
export function splitStatements(sql: string): string[] {
  const withoutComments = sql
    .split('\n')
    .filter((line) => !line.trim().startsWith('--'))
    .join('\n');
  return withoutComments
    .split(/;\s*$/m)
    .map((statement) => statement.trim())
    .filter((statement) => statement.length > 0);
}
