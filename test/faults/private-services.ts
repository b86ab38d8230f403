import { execFile } from 'node:child_process';
import { chmod, chown, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';

const run = promisify(execFile);

/** PostgreSQL 15 server binaries, as the Debian packages install them. */
const PG_BIN = process.env.CLOUDBURST_PG_BIN ?? '/usr/lib/postgresql/15/bin';
/**
 * Ports reserved for services that fault tests start, below Linux's default ephemeral
 * range (32768–60999): a port in that range can be taken at any moment as the local
 * port of some other test's client connection. The shared services use 55432 and 59092.
 */
export const FAULT_PORT_RANGE = { first: 31000, last: 31199 } as const;
/** Limit on each pg_ctl start or stop, in seconds. */
const PG_CTL_TIMEOUT_S = 30;
/** Limit on each initdb or psql call, in milliseconds. */
const COMMAND_TIMEOUT_MS = 60_000;

const SUPERUSER = 'postgres';
const APP_ROLE = 'cloudburst';
const APP_PASSWORD = 'cloudburst';
const APP_DATABASE = 'cloudburst';

export interface PrivatePostgres {
  port: number;
  /** Connection string for the application role, which owns the database. */
  databaseUrl: string;
  /** Stops the server: `fast` ends sessions cleanly, `immediate` ends them without a shutdown checkpoint, as a crash would. */
  stop(mode?: 'fast' | 'immediate'): Promise<void>;
  /** Starts the server again on the same port and data directory. */
  start(): Promise<void>;
  /** Stops the server if it runs and deletes its directory. Safe to call twice. */
  destroy(): Promise<void>;
}

/**
 * Starts a private PostgreSQL 15 cluster with PostGIS on 127.0.0.1:`port`, in a fresh
 * directory under /var/tmp, with a role and database for Cloudburst. Run as root,
 * the cluster belongs to the `postgres` OS user, because initdb cannot run as root.
 * A cluster that fails to start is deleted before the error is thrown.
 */
export async function startPrivatePostgres(port: number): Promise<PrivatePostgres> {
  if (!Number.isInteger(port) || port < FAULT_PORT_RANGE.first || port > FAULT_PORT_RANGE.last) {
    throw new RangeError(`invalid port: ${port} (expected ${FAULT_PORT_RANGE.first}–${FAULT_PORT_RANGE.last})`);
  }
  if (!(await isPortFree(port))) {
    throw new Error(`port 127.0.0.1:${port} is already in use; stop what listens there or pick another port in ${FAULT_PORT_RANGE.first}–${FAULT_PORT_RANGE.last}`);
  }

  const asRoot = process.getuid?.() === 0;
  const baseDir = await mkdtemp(path.join('/var/tmp', 'cloudburst-fault-pg-'));
  // mkdtemp creates mode 700, which would keep the postgres OS user out.
  await chmod(baseDir, 0o755);
  const dataDir = path.join(baseDir, 'data');
  const socketDir = baseDir;
  const logFile = path.join(baseDir, 'postgres.log');
  if (asRoot) {
    const { uid, gid } = await postgresUser();
    await chown(baseDir, uid, gid);
  }

  const asOwner = (command: string, args: string[]) =>
    asRoot ? run('runuser', ['-u', 'postgres', '--', command, ...args], { timeout: COMMAND_TIMEOUT_MS }) : run(command, args, { timeout: COMMAND_TIMEOUT_MS });
  const pgCtl = (args: string[]) => asOwner(path.join(PG_BIN, 'pg_ctl'), ['-D', dataDir, '-w', '-t', String(PG_CTL_TIMEOUT_S), ...args]);
  let running = false;

  const stop = async (mode: 'fast' | 'immediate' = 'fast') => {
    if (!running) return;
    await pgCtl(['stop', '-m', mode]);
    running = false;
  };
  const start = async () => {
    if (running) return;
    await pgCtl(['start', '-l', logFile]);
    running = true;
  };
  let destroyed = false;
  const destroy = async () => {
    if (destroyed) return;
    destroyed = true;
    try {
      await stop('fast');
    } catch {
      await stop('immediate').catch(() => undefined);
    }
    await rm(baseDir, { recursive: true, force: true });
  };

  try {
    await asOwner(path.join(PG_BIN, 'initdb'), [
      '-D', dataDir, '-U', SUPERUSER, '--auth-local=trust', '--auth-host=scram-sha-256', '--encoding=UTF8', '--locale=C.UTF-8',
    ]);
    const settings = [
      `listen_addresses = '127.0.0.1'`,
      `port = ${port}`,
      `unix_socket_directories = '${socketDir}'`,
      'unix_socket_permissions = 0700',
      'fsync = off',
      '',
    ].join('\n');
    const settingsFile = path.join(dataDir, 'postgresql.auto.conf');
    await writeFile(settingsFile, settings);
    if (asRoot) {
      const { uid, gid } = await postgresUser();
      await chown(settingsFile, uid, gid);
    }
    await start();

    const psql = (database: string, sql: string) =>
      asOwner(path.join(PG_BIN, 'psql'), ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-h', socketDir, '-p', String(port), '-U', SUPERUSER, '-d', database, '-c', sql]);
    await psql('postgres', `CREATE ROLE ${APP_ROLE} LOGIN PASSWORD '${APP_PASSWORD}'`);
    await psql('postgres', `CREATE DATABASE ${APP_DATABASE} OWNER ${APP_ROLE}`);
    // PostGIS is not a trusted extension, so only a superuser can create it.
    await psql(APP_DATABASE, 'CREATE EXTENSION postgis');
  } catch (error) {
    await destroy().catch(() => undefined);
    throw error;
  }

  return {
    port,
    databaseUrl: `postgres://${APP_ROLE}:${APP_PASSWORD}@127.0.0.1:${port}/${APP_DATABASE}`,
    stop,
    start,
    destroy,
  };
}

/** Runs one query over a fresh connection, independent of the server's pool. */
export async function queryOnce<T extends pg.QueryResultRow>(databaseUrl: string, sql: string, values: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ connectionString: databaseUrl, connectionTimeoutMillis: 5_000 });
  await client.connect();
  try {
    return (await client.query<T>(sql, values)).rows;
  } finally {
    await client.end();
  }
}

async function postgresUser(): Promise<{ uid: number; gid: number }> {
  try {
    const { stdout: uid } = await run('id', ['-u', 'postgres']);
    const { stdout: gid } = await run('id', ['-g', 'postgres']);
    return { uid: Number(uid.trim()), gid: Number(gid.trim()) };
  } catch {
    throw new Error('the postgres OS user is missing; initdb cannot run as root, so install postgresql-15, which creates that user');
  }
}

function isPortFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', () => resolve(false));
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(true)));
  });
}
