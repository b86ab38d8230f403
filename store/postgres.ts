import pg from 'pg';
import { CloudburstError, invalidInput } from '../common/errors.js';
import type { Logger } from '../common/logger.js';
import type { Db, Queryable } from './types.js';

export interface PostgresOptions {
  /** `postgres://user:password@host:port/database`. Logs and error contexts get it with the password replaced by `redacted`. */
  connectionString: string;
  logger: Logger;
  /** Maximum number of open connections; default 10. */
  poolSize?: number;
  /**
   * Server-side limit on each statement in milliseconds (PostgreSQL `statement_timeout`),
   * set on every connection; default 10 000. 0 sets nothing, so the server's own setting applies.
   */
  statementTimeoutMs?: number;
  /** Limit on opening a connection, or on waiting for a free one when the pool is full, in milliseconds; default 5 000. */
  connectTimeoutMs?: number;
}

const DEFAULT_POOL_SIZE = 10;
const DEFAULT_STATEMENT_TIMEOUT_MS = 10_000;
/**
 * Room for the TCP and TLS handshakes to a remote server, yet short enough that a
 * request waiting for a connection fails with 503 within seconds instead of hanging.
 */
const DEFAULT_CONNECT_TIMEOUT_MS = 5_000;
/** TCP keepalive starts probing a connection after this much silence. */
const KEEPALIVE_INITIAL_DELAY_MS = 10_000;

/**
 * Opens the PostgreSQL store: a `pg` pool whose connections each run with
 * `statement_timeout` set. Checks that the server is reachable before it returns,
 * so a wrong DATABASE_URL fails at startup.
 *
 * Errors: a connection failure (refused, reset, server shutting down, pool timeout)
 * becomes `CloudburstError('unavailable', …, { retriable: true })`, which the HTTP
 * layer turns into 503 with Retry-After. Every other database error reaches the
 * caller unchanged, so SQLSTATEs such as 23505 (unique violation) stay visible.
 */
export async function openPostgres(options: PostgresOptions): Promise<Db> {
  const settings = readSettings(options);
  const database = redactConnectionString(options.connectionString);
  const logger = options.logger.child({ component: 'store', store: 'postgres' });

  const pool = new pg.Pool({
    connectionString: options.connectionString,
    max: settings.poolSize,
    statement_timeout: settings.statementTimeoutMs,
    connectionTimeoutMillis: settings.connectTimeoutMs,
    // NOTE: a connection whose peer vanished without a FIN or RST is only detected by
    // TCP keepalive, after the operating system's probe interval. statement_timeout runs
    // on the server and cannot end such a wait.
    keepAlive: true,
    keepAliveInitialDelayMillis: KEEPALIVE_INITIAL_DELAY_MS,
    application_name: 'cloudburst',
    types: TYPE_PARSERS,
  });
  // An idle connection that fails (server restart, network reset) is removed by the
  // pool and replaced on the next checkout. Without this listener the 'error' event
  // would crash the process.
  pool.on('error', (error) => {
    logger.warn({ err: error, database }, 'idle database connection failed; the pool replaces it on next use');
  });

  const startedAt = Date.now();
  let serverVersion: string;
  try {
    const result = await pool.query<{ server_version: string }>('SHOW server_version');
    serverVersion = result.rows[0]?.server_version ?? 'unknown';
  } catch (error) {
    await pool.end();
    throw toStoreError(error, database);
  }
  logger.info(
    { database, serverVersion, poolSize: settings.poolSize, statementTimeoutMs: settings.statementTimeoutMs, ms: Date.now() - startedAt },
    'store opened',
  );

  return new PostgresDb(pool, database, logger);
}

// ---------------------------------------------------------------------------
// Options

interface Settings {
  poolSize: number;
  statementTimeoutMs: number;
  connectTimeoutMs: number;
}

function readSettings(options: PostgresOptions): Settings {
  if (!isPostgresUrl(options.connectionString)) {
    // The string is not echoed: it may contain a password that redaction cannot find.
    throw new CloudburstError(
      'invalid_input',
      'invalid connectionString (expected postgres://user:password@host:port/database)',
      { field: 'connectionString' },
    );
  }

  const poolSize = options.poolSize ?? DEFAULT_POOL_SIZE;
  if (!Number.isInteger(poolSize) || poolSize < 1) throw invalidInput('poolSize', poolSize, 'an integer of at least 1');

  const statementTimeoutMs = options.statementTimeoutMs ?? DEFAULT_STATEMENT_TIMEOUT_MS;
  if (!Number.isInteger(statementTimeoutMs) || statementTimeoutMs < 0) {
    throw invalidInput('statementTimeoutMs', statementTimeoutMs, 'an integer number of milliseconds, or 0 for the server setting');
  }

  const connectTimeoutMs = options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
  if (!Number.isInteger(connectTimeoutMs) || connectTimeoutMs < 1) {
    throw invalidInput('connectTimeoutMs', connectTimeoutMs, 'an integer number of milliseconds of at least 1');
  }

  return { poolSize, statementTimeoutMs, connectTimeoutMs };
}

function isPostgresUrl(text: string): boolean {
  try {
    const protocol = new URL(text).protocol;
    return protocol === 'postgres:' || protocol === 'postgresql:';
  } catch {
    return false;
  }
}

/**
 * Returns the connection string fit for logs: the password in the user info and any
 * `password` or `sslpassword` query parameter replaced with `redacted`.
 */
export function redactConnectionString(connectionString: string): string {
  let url: URL;
  try {
    url = new URL(connectionString);
  } catch {
    return '[connection string is not a URL]';
  }
  if (url.password) url.password = 'redacted';
  for (const key of ['password', 'sslpassword']) {
    if (url.searchParams.has(key)) url.searchParams.set(key, 'redacted');
  }
  return url.toString();
}

// ---------------------------------------------------------------------------
// Result types

/**
 * Parsers that make `pg` return int8 the way PGlite 0.5 does: a number when it is a
 * safe integer, a bigint beyond that. Stock `pg` returns every int8 as a string,
 * count(*) included. timestamptz (Date), jsonb (parsed) and numeric (string) already
 * match between the two.
 */
const TYPE_PARSERS = new pg.TypeOverrides();
/** OID of int8[] in pg_type; pg-types lists only scalar types by name. */
const INT8_ARRAY_OID = 1016;
/** OID of text[]; its parser splits any array literal into strings and nulls. */
const TEXT_ARRAY_OID = 1009;
// @types/pg 8 declares a parser's parameter as a number; text-format parsers receive the column text.
const parseTextArray = TYPE_PARSERS.getTypeParser(TEXT_ARRAY_OID, 'text') as unknown as (text: string) => unknown;

TYPE_PARSERS.setTypeParser(pg.types.builtins.INT8, 'text', parseInt8);
TYPE_PARSERS.setTypeParser(INT8_ARRAY_OID, 'text', (text: string) => mapArray(parseTextArray(text), parseInt8));

const MIN_SAFE = BigInt(Number.MIN_SAFE_INTEGER);
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

function parseInt8(text: string): number | bigint {
  const value = BigInt(text);
  return value < MIN_SAFE || value > MAX_SAFE ? value : Number(value);
}

function mapArray(values: unknown, parse: (text: string) => unknown): unknown {
  if (Array.isArray(values)) return values.map((value) => mapArray(value, parse));
  return values === null ? null : parse(values as string);
}

// ---------------------------------------------------------------------------
// Error mapping

/** Node.js socket and DNS error codes that mean the server cannot be reached or the connection dropped. */
const NETWORK_ERROR_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

/**
 * SQLSTATEs outside class 08 (connection_exception) after which a retry can succeed:
 * 57P01 admin_shutdown, 57P02 crash_shutdown, 57P03 cannot_connect_now (starting up
 * or in recovery) and 53300 too_many_connections.
 */
const UNAVAILABLE_SQLSTATES = new Set(['57P01', '57P02', '57P03', '53300']);

/** Messages of the errors that pg 8.23 and pg-pool 3.14 raise without a code when a connection ends or cannot be obtained in time. */
const CONNECTION_ERROR_MESSAGES = new Set([
  'Connection terminated unexpectedly',
  'Connection terminated',
  'Connection terminated due to connection timeout',
  'timeout exceeded when trying to connect',
  'Client has encountered a connection error and is not queryable',
  'Client was closed and is not queryable',
]);

/**
 * Returns why `error` means the database cannot be used right now (its error code, or
 * pg's message when it has none), or undefined for every other error.
 */
function connectionFailureReason(error: unknown): string | undefined {
  if (!(error instanceof Error)) return undefined;

  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string') {
    if (NETWORK_ERROR_CODES.has(code) || UNAVAILABLE_SQLSTATES.has(code)) return code;
    if (/^08[0-9A-Z]{3}$/.test(code)) return code;
  }
  if (CONNECTION_ERROR_MESSAGES.has(error.message)) return error.message;

  // Node.js reports a refused connection to a host with several addresses
  // (localhost as ::1 and 127.0.0.1) as an AggregateError of one error per address.
  if (error instanceof AggregateError) {
    for (const inner of error.errors) {
      const reason = connectionFailureReason(inner);
      if (reason !== undefined) return reason;
    }
  }
  return undefined;
}

/**
 * Maps a connection failure to a retriable `unavailable` CloudburstError and returns
 * any other error unchanged. `database` is the redacted connection string, kept in
 * the error's context for logs only.
 */
export function toStoreError(error: unknown, database: string): unknown {
  if (error instanceof CloudburstError) return error;
  const reason = connectionFailureReason(error);
  if (reason === undefined) return error;
  return new CloudburstError('unavailable', `database unavailable (${reason}); retry later`, {
    retriable: true,
    cause: error,
    context: { database },
  });
}

// ---------------------------------------------------------------------------
// The store

/** One checked-out connection, and the error that broke it once one has. */
interface Lease {
  client: pg.PoolClient;
  brokenBy?: Error;
}

class PostgresDb implements Db {
  readonly kind = 'postgres' as const;
  private state: 'open' | 'closing' | 'closed' = 'open';
  private closing?: Promise<void>;

  constructor(
    private readonly pool: pg.Pool,
    private readonly database: string,
    private readonly logger: Logger,
  ) {}

  query<Row = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<Row[]> {
    return this.withLease((lease) => this.run<Row>(lease, sql, params));
  }

  transaction<T>(work: (tx: Queryable) => Promise<T>): Promise<T> {
    return this.withLease(async (lease) => {
      await this.run(lease, 'BEGIN');

      let finished = false;
      const tx: Queryable = {
        query: <Row>(sql: string, params?: unknown[]) => {
          if (finished) {
            return Promise.reject(
              new Error('query on a transaction that has already ended; run every query of a transaction inside its callback'),
            );
          }
          return this.run<Row>(lease, sql, params);
        },
      };

      let result: T;
      try {
        result = await work(tx);
      } catch (error) {
        finished = true;
        await this.rollback(lease);
        throw error;
      }

      finished = true;
      // NOTE: when COMMIT fails with a connection error, the server may or may not have
      // committed. The caller gets a retriable 'unavailable' error either way, so work
      // retried by a client must be idempotent.
      await this.run(lease, 'COMMIT');
      return result;
    });
  }

  close(): Promise<void> {
    this.closing ??= this.end();
    return this.closing;
  }

  private async end(): Promise<void> {
    this.state = 'closing';
    // pool.end() waits for checked-out connections to come back, then closes them all.
    await this.pool.end();
    this.state = 'closed';
    this.logger.info({ database: this.database }, 'store closed');
  }

  /**
   * Checks out one connection for `work` and releases it afterwards. A connection
   * that failed on the way is released with its error, so the pool closes it and
   * opens a new one later. Every other connection goes back to the pool for reuse.
   */
  private async withLease<T>(work: (lease: Lease) => Promise<T>): Promise<T> {
    if (this.state !== 'open') {
      throw new CloudburstError('unavailable', `database store is ${this.state}; retry later`, {
        retriable: true,
        context: { database: this.database },
      });
    }

    let client: pg.PoolClient;
    try {
      client = await this.pool.connect();
    } catch (error) {
      throw toStoreError(error, this.database);
    }

    const lease: Lease = { client };
    // The pool listens for errors on idle connections only, and an 'error' event
    // without a listener would crash the process.
    const onError = (error: Error): void => {
      lease.brokenBy ??= error;
      this.logger.warn({ err: error, database: this.database }, 'database connection failed while checked out');
    };
    client.on('error', onError);

    try {
      return await work(lease);
    } finally {
      client.off('error', onError);
      client.release(lease.brokenBy);
    }
  }

  private async run<Row>(lease: Lease, sql: string, params?: unknown[]): Promise<Row[]> {
    try {
      const result = await lease.client.query(sql, params);
      return result.rows as Row[];
    } catch (error) {
      if (error instanceof Error && connectionFailureReason(error) !== undefined) lease.brokenBy ??= error;
      throw toStoreError(error, this.database);
    }
  }

  /**
   * Rolls back after `work` threw. A connection that is already broken is left
   * alone, because the server rolls back when the connection ends. When ROLLBACK
   * itself fails, the connection is marked broken so the pool closes it.
   */
  private async rollback(lease: Lease): Promise<void> {
    if (lease.brokenBy) return;
    try {
      await lease.client.query('ROLLBACK');
    } catch (error) {
      lease.brokenBy ??= error instanceof Error ? error : new Error(String(error));
      this.logger.warn({ err: error, database: this.database }, 'rollback failed; closing the connection');
    }
  }
}
