import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CloudburstError } from '../common/errors.js';
import { silentLogger, type Logger } from '../common/logger.js';
import { openPostgres, redactConnectionString, toStoreError, type PostgresOptions } from './postgres.js';
import { describeStore } from './store-suite.js';
import type { Db } from './types.js';

/**
 * The server these tests use. Without a reachable server they fail, with CI set or
 * not, and never skip: a skipped PostgreSQL suite would hide a broken adapter.
 */
const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL ?? 'postgres://cloudburst:cloudburst@127.0.0.1:55432/cloudburst_test';

/** Nothing listens on port 1 (tcpmux) on a usual development or CI machine, so connecting is refused. */
const REFUSED_URL = 'postgres://cloudburst:s3cret-pw@127.0.0.1:1/cloudburst_test';

async function openTestDatabase(options: Partial<PostgresOptions> = {}): Promise<Db> {
  try {
    return await openPostgres({ connectionString: TEST_DATABASE_URL, logger: silentLogger(), ...options });
  } catch (error) {
    // A connection failure arrives as CloudburstError('unavailable'), and its cause contains the socket error.
    const detail = error instanceof CloudburstError && error.cause instanceof Error ? error.cause : error;
    const reason = detail instanceof Error ? detail.message : String(detail);
    throw new Error(
      `cannot open the PostgreSQL test database ${redactConnectionString(TEST_DATABASE_URL)}: ${reason}. ` +
        'Start PostgreSQL 15+ with PostGIS there, or point TEST_DATABASE_URL at such a server.',
      { cause: error },
    );
  }
}

/**
 * Drops every table in the public schema that no extension owns: Cloudburst's
 * tables, schema_migrations and the suite's probe tables. PostGIS stays, because
 * its owner (a superuser) created it and the test role may not create it again.
 */
async function dropCloudburstTables(db: Db): Promise<void> {
  const [current] = await db.query<{ database: string; superuser: boolean }>(
    `SELECT current_database() AS database, rolsuper AS superuser FROM pg_roles WHERE rolname = current_user`,
  );
  if (!/test/i.test(current!.database)) {
    throw new Error(`refusing to drop the tables of database "${current!.database}": the test database name must contain "test"`);
  }

  const tables = await db.query<{ name: string }>(
    `SELECT format('%I.%I', n.nspname, c.relname) AS name
     FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p')
       AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e')`,
  );
  if (tables.length > 0) await db.query(`DROP TABLE ${tables.map((table) => table.name).join(', ')} CASCADE`);

  const postgis = await db.query(`SELECT 1 FROM pg_extension WHERE extname = 'postgis'`);
  if (postgis.length === 0 && !current!.superuser) {
    throw new Error(
      `PostGIS is not installed in database "${current!.database}" and the test role cannot install it: ` +
        'run CREATE EXTENSION postgis in that database as a superuser',
    );
  }
}

/** Creates a logger that keeps every line it writes, to check what reaches the logs. */
function captureLogger(): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  const logger = pino({ level: 'debug' }, { write: (line: string) => void lines.push(line) });
  return { logger, lines };
}

async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error('expected the promise to reject, but it resolved');
    },
    (error: unknown) => error,
  );
}

async function backendPid(db: Db): Promise<number> {
  const [row] = await db.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
  return row!.pid;
}

describeStore('PostgreSQL store', async () => {
  const db = await openTestDatabase();
  await dropCloudburstTables(db);
  return db;
});

describe('PostgreSQL pool', () => {
  const opened: Db[] = [];

  async function open(options: Partial<PostgresOptions> = {}): Promise<Db> {
    const db = await openTestDatabase(options);
    opened.push(db);
    return db;
  }

  afterAll(async () => {
    await Promise.all(opened.map((db) => db.close()));
  });

  it('sets statement_timeout on every connection', async () => {
    const defaults = await open();
    const [row] = await defaults.query<{ timeout: string }>(`SELECT current_setting('statement_timeout') AS timeout`);
    expect(row!.timeout).toBe('10s');

    const short = await open({ statementTimeoutMs: 250, poolSize: 3 });
    const rows = await Promise.all(
      [1, 2, 3].map(() =>
        short.query<{ timeout: string; pid: number }>(
          `SELECT current_setting('statement_timeout') AS timeout, pg_backend_pid() AS pid FROM pg_sleep(0.1)`,
        ),
      ),
    );
    expect(new Set(rows.map((result) => result[0]!.pid)).size).toBe(3);
    expect(rows.map((result) => result[0]!.timeout)).toEqual(['250ms', '250ms', '250ms']);
  });

  it('cancels a statement that runs past the timeout', async () => {
    const db = await open({ statementTimeoutMs: 200, poolSize: 1 });
    const pid = await backendPid(db);

    const startedAt = Date.now();
    const error = await rejectionOf(db.query('SELECT pg_sleep(5)'));
    expect(Date.now() - startedAt).toBeLessThan(4000);
    expect(error).not.toBeInstanceOf(CloudburstError);
    expect((error as { code?: string }).code).toBe('57014');
    expect(String(error)).toMatch(/statement timeout/);

    // A cancelled statement leaves the connection usable, so the pool keeps it.
    expect(await backendPid(db)).toBe(pid);
  });

  it('runs concurrent queries on separate connections', async () => {
    const db = await open({ poolSize: 4 });
    const rows = await Promise.all(
      [1, 2, 3, 4].map(() => db.query<{ pid: number }>('SELECT pg_backend_pid() AS pid FROM pg_sleep(0.2)')),
    );
    expect(new Set(rows.map((result) => result[0]!.pid)).size).toBe(4);
  });

  it('opens no more connections than the pool size', async () => {
    const db = await open({ poolSize: 2 });
    const rows = await Promise.all(
      [1, 2, 3, 4].map(() => db.query<{ pid: number }>('SELECT pg_backend_pid() AS pid FROM pg_sleep(0.1)')),
    );
    expect(new Set(rows.map((result) => result[0]!.pid)).size).toBe(2);
  });

  it('keeps a connection after an ordinary error', async () => {
    const db = await open({ poolSize: 1 });
    const pid = await backendPid(db);
    await expect(db.query('SELECT 1 / 0')).rejects.toMatchObject({ code: '22012' });
    expect(await backendPid(db)).toBe(pid);
  });

  it('runs a transaction on one connection', async () => {
    const db = await open({ poolSize: 4 });
    const pids = await db.transaction(async (tx) => {
      const seen: number[] = [];
      for (let i = 0; i < 3; i += 1) {
        const [row] = await tx.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
        seen.push(row!.pid);
      }
      return seen;
    });
    expect(new Set(pids).size).toBe(1);
  });
});

describe('PostgreSQL connection failures', () => {
  const opened: Db[] = [];
  let admin: Db;

  async function open(options: Partial<PostgresOptions> = {}): Promise<Db> {
    const db = await openTestDatabase(options);
    opened.push(db);
    return db;
  }

  beforeAll(async () => {
    admin = await open();
  });

  afterAll(async () => {
    await Promise.all(opened.map((db) => db.close()));
  });

  it('maps a terminated connection to unavailable', async () => {
    const db = await open({ poolSize: 1 });
    const pid = await backendPid(db);

    const error = await rejectionOf(db.query('SELECT pg_terminate_backend(pg_backend_pid())'));
    expect(error).toBeInstanceOf(CloudburstError);
    expect((error as CloudburstError).code).toBe('unavailable');
    expect((error as CloudburstError).retriable).toBe(true);
    expect(((error as Error).cause as { code?: string }).code).toBe('57P01');

    // The broken connection went back to the pool with its error, so the next query gets a new one.
    expect(await backendPid(db)).not.toBe(pid);
  });

  it('releases a connection broken in a transaction', async () => {
    const { logger, lines } = captureLogger();
    const db = await open({ poolSize: 1, logger });
    const pid = await backendPid(db);

    const error = await rejectionOf(
      db.transaction(async (tx) => {
        await tx.query('CREATE TEMPORARY TABLE doomed (id int)');
        await tx.query('SELECT pg_terminate_backend(pg_backend_pid())');
      }),
    );
    expect((error as CloudburstError).code).toBe('unavailable');

    // With one connection in the pool, a connection that was never released would make this query wait forever.
    expect(await backendPid(db)).not.toBe(pid);
    expect(lines.join('\n')).not.toMatch(/rollback failed/);
  });

  it('survives a connection lost mid-transaction', async () => {
    const { logger, lines } = captureLogger();
    const db = await open({ poolSize: 1, logger });

    const error = await rejectionOf(
      db.transaction(async (tx) => {
        const [row] = await tx.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
        // The connection is checked out but runs no query while the server closes it.
        // An 'error' event without a listener here would crash the process.
        await admin.query('SELECT pg_terminate_backend($1)', [row!.pid]);
        for (let waited = 0; waited < 5000 && !lines.some((line) => line.includes('failed while checked out')); waited += 50) {
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
        await tx.query('SELECT 1');
      }),
    );
    expect(lines.some((line) => line.includes('database connection failed while checked out'))).toBe(true);
    expect((error as CloudburstError).code).toBe('unavailable');
    expect(await db.query('SELECT 1 AS one')).toEqual([{ one: 1 }]);
  });

  it('replaces an idle connection the server closed', async () => {
    const { logger, lines } = captureLogger();
    const db = await open({ poolSize: 1, logger });
    const pid = await backendPid(db);

    await admin.query('SELECT pg_terminate_backend($1)', [pid]);
    for (let waited = 0; waited < 5000 && !lines.some((line) => line.includes('idle database connection failed')); waited += 50) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(lines.some((line) => line.includes('idle database connection failed'))).toBe(true);

    expect(await backendPid(db)).not.toBe(pid);
  });

  it('closes once and rejects later queries', async () => {
    const { logger, lines } = captureLogger();
    const db = await openTestDatabase({ logger });
    await Promise.all([db.close(), db.close()]);
    await db.close();
    expect(lines.filter((line) => line.includes('store closed'))).toHaveLength(1);

    const error = await rejectionOf(db.query('SELECT 1'));
    expect(error).toBeInstanceOf(CloudburstError);
    expect((error as CloudburstError).code).toBe('unavailable');
    expect((error as Error).message).toBe('database store is closed; retry later');
  });

  it('logs the connection string without its password', async () => {
    const { logger, lines } = captureLogger();
    const db = await open({ logger });
    await db.query('SELECT 1');

    const opened = lines.map((line) => JSON.parse(line) as { msg: string; database?: string }).find((line) => line.msg === 'store opened');
    expect(opened!.database).toBe(redactConnectionString(TEST_DATABASE_URL));
    const password = new URL(TEST_DATABASE_URL).password;
    if (password) expect(opened!.database).not.toContain(`:${password}@`);
  });
});

describe('PostgreSQL refused connection', () => {
  it('maps a refused connection to unavailable', async () => {
    const { logger, lines } = captureLogger();
    const error = await rejectionOf(openPostgres({ connectionString: REFUSED_URL, logger }));

    expect(error).toBeInstanceOf(CloudburstError);
    const failure = error as CloudburstError;
    expect(failure.code).toBe('unavailable');
    expect(failure.retriable).toBe(true);
    expect(failure.message).toBe('database unavailable (ECONNREFUSED); retry later');
    expect((failure.cause as { code?: string }).code).toBe('ECONNREFUSED');
    expect(failure.context).toEqual({ database: 'postgres://cloudburst:redacted@127.0.0.1:1/cloudburst_test' });
    expect(failure.toJSON()).toEqual({ code: 'unavailable', message: 'database unavailable (ECONNREFUSED); retry later', retriable: true });

    expect(JSON.stringify(failure.toJSON())).not.toContain('s3cret-pw');
    expect(lines.join('\n')).not.toContain('s3cret-pw');
  });
});

describe('toStoreError', () => {
  const database = 'postgres://cloudburst:redacted@db:5432/cloudburst';

  function errorWithCode(code: string, message = `failure ${code}`): Error {
    return Object.assign(new Error(message), { code });
  }

  const unavailable: Array<[string, unknown, string]> = [
    ['refused connection', errorWithCode('ECONNREFUSED'), 'ECONNREFUSED'],
    ['reset connection', errorWithCode('ECONNRESET'), 'ECONNRESET'],
    ['unresolved host', errorWithCode('ENOTFOUND'), 'ENOTFOUND'],
    ['connection failure', errorWithCode('08006'), '08006'],
    ['connection rejected', errorWithCode('08004'), '08004'],
    ['admin shutdown', errorWithCode('57P01'), '57P01'],
    ['crash shutdown', errorWithCode('57P02'), '57P02'],
    ['server starting', errorWithCode('57P03'), '57P03'],
    ['too many connections', errorWithCode('53300'), '53300'],
    ['connection ended', new Error('Connection terminated unexpectedly'), 'Connection terminated unexpectedly'],
    ['pool checkout timeout', new Error('timeout exceeded when trying to connect'), 'timeout exceeded when trying to connect'],
    ['every address refused', new AggregateError([errorWithCode('ECONNREFUSED'), errorWithCode('ECONNREFUSED')]), 'ECONNREFUSED'],
  ];

  for (const [name, error, reason] of unavailable) {
    it(`maps ${name} to unavailable`, () => {
      const mapped = toStoreError(error, database);
      expect(mapped).toBeInstanceOf(CloudburstError);
      expect((mapped as CloudburstError).code).toBe('unavailable');
      expect((mapped as CloudburstError).retriable).toBe(true);
      expect((mapped as CloudburstError).message).toBe(`database unavailable (${reason}); retry later`);
      expect((mapped as Error).cause).toBe(error);
      expect((mapped as CloudburstError).context).toEqual({ database });
    });
  }

  const unchanged: Array<[string, unknown]> = [
    ['unique violation', errorWithCode('23505')],
    ['statement timeout', errorWithCode('57014')],
    ['syntax error', errorWithCode('42601')],
    ['password authentication failure', errorWithCode('28P01')],
    ['error without a code', new Error('something else')],
    ['thrown string', 'not an error'],
  ];

  for (const [name, error] of unchanged) {
    it(`passes a ${name} through unchanged`, () => {
      expect(toStoreError(error, database)).toBe(error);
    });
  }
});

describe('openPostgres options', () => {
  it('rejects a non-URL connection string', async () => {
    const error = await rejectionOf(openPostgres({ connectionString: 'host=db password=hunter2', logger: silentLogger() }));
    expect(error).toBeInstanceOf(CloudburstError);
    expect((error as CloudburstError).code).toBe('invalid_input');
    expect((error as CloudburstError).field).toBe('connectionString');
    expect(JSON.stringify((error as CloudburstError).toJSON())).not.toContain('hunter2');
  });

  const invalid: Array<[string, Partial<PostgresOptions>, string]> = [
    ['pool size 0', { poolSize: 0 }, 'poolSize'],
    ['fractional pool size', { poolSize: 2.5 }, 'poolSize'],
    ['negative statement timeout', { statementTimeoutMs: -1 }, 'statementTimeoutMs'],
    ['connect timeout 0', { connectTimeoutMs: 0 }, 'connectTimeoutMs'],
  ];

  for (const [name, options, field] of invalid) {
    it(`rejects ${name}`, async () => {
      const error = await rejectionOf(openPostgres({ connectionString: REFUSED_URL, logger: silentLogger(), ...options }));
      expect((error as CloudburstError).code).toBe('invalid_input');
      expect((error as CloudburstError).field).toBe(field);
    });
  }
});

describe('redactConnectionString', () => {
  const cases: Array<[string, string, string]> = [
    ['password in user info', 'postgres://app:pw@db:5432/app', 'postgres://app:redacted@db:5432/app'],
    ['no password', 'postgres://app@db/app', 'postgres://app@db/app'],
    ['password parameter', 'postgresql://db/app?user=app&password=pw&sslmode=require', 'postgresql://db/app?user=app&password=redacted&sslmode=require'],
    ['not a URL', 'host=db password=pw', '[connection string is not a URL]'],
  ];

  for (const [name, input, expected] of cases) {
    it(`redacts ${name}`, () => {
      expect(redactConnectionString(input)).toBe(expected);
    });
  }
});
