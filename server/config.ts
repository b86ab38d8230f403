import path from 'node:path';
import { invalidInput } from '../common/errors.js';
import { paymentSettingsFromEnv, type PaymentSettings } from './payments/payment-config.js';
import { channelSettingsFromEnv, type ChannelSettings } from './sends/channel-config.js';

/** Settings of one Cloudburst process, read from the environment by `configFromEnv`. */
export interface CloudburstConfig {
  /** TCP port of the HTTP API, the WebSocket endpoints and the console; 0 picks a free port. */
  port: number;
  host: string;
  /** Directory of the embedded store and the generated admin token. */
  dataDir: string;
  /** Bearer token of the admin API and console; generated and kept in `dataDir` when absent. */
  adminToken?: string;
  logLevel: string;
  /** Built console (index.html and assets); the console is not served when the folder is missing. */
  consoleDir?: string;
  /** Optional raster tile URL template for the console map, e.g. `https://tile.example/{z}/{x}/{y}.png`. */
  tileUrl?: string;
  tileAttribution?: string;
  /** Partitions per topic: of the in-process bus, or of the Kafka topics this process creates. */
  busPartitions: number;
  /** Kafka bootstrap brokers (KAFKA_BROKERS, comma-separated); the in-process bus when absent. */
  kafkaBrokers?: string[];
  /** Prefix of this deployment's Kafka topics and consumer groups (KAFKA_NAMESPACE), to share a cluster. */
  kafkaNamespace?: string;
  /** PostgreSQL with PostGIS (DATABASE_URL); the embedded PGlite store when absent. */
  databaseUrl?: string;
  /** Raw pings older than this many hours are deleted. */
  pingRetentionHours: number;
  /** Maximum pings one replay may read (REPLAY_MAX_PINGS); a larger range is rejected. */
  replayMaxPings: number;
  /** Providers per channel (Twilio, X, Messenger, SMTP) and their senders' pace; the outbox where none is set. */
  channels: ChannelSettings;
  /** Card payments of orders: the built-in sandbox unless PAYMENT_PROVIDER=stripe. */
  payment: PaymentSettings;
  /** How long an order may stay unpaid before it is cancelled (UNPAID_ORDER_MINUTES). */
  unpaidOrderMs: number;
}

const DEFAULT_PORT = 8080;
const DEFAULT_BUS_PARTITIONS = 4;
/** A customer pays within a minute or two; after this an order's specials go back on sale. */
const DEFAULT_UNPAID_ORDER_MINUTES = 15;
/** Two weeks: enough to replay last week's lunch with another radius, short enough to limit what is kept about people. */
const DEFAULT_PING_RETENTION_HOURS = 24 * 14;
/**
 * One million pings: a city's lunch hours of recorded traffic. A replay keeps one
 * offer per reached device and one id per device seen, so its memory stays in the
 * tens of MB.
 */
export const DEFAULT_REPLAY_MAX_PINGS = 1_000_000;

export function configFromEnv(env: NodeJS.ProcessEnv = process.env): CloudburstConfig {
  return {
    port: integerFromEnv(env, 'PORT', DEFAULT_PORT, 0, 65_535),
    host: env.HOST || '0.0.0.0',
    dataDir: path.resolve(env.DATA_DIR || './data'),
    adminToken: env.ADMIN_TOKEN || undefined,
    logLevel: env.LOG_LEVEL || 'info',
    consoleDir: env.CONSOLE_DIR ? path.resolve(env.CONSOLE_DIR) : undefined,
    tileUrl: env.TILE_URL || undefined,
    tileAttribution: env.TILE_ATTRIBUTION || undefined,
    busPartitions: integerFromEnv(env, 'BUS_PARTITIONS', DEFAULT_BUS_PARTITIONS, 1, 1024),
    kafkaBrokers: env.KAFKA_BROKERS ? env.KAFKA_BROKERS.split(',').map((broker) => broker.trim()).filter(Boolean) : undefined,
    kafkaNamespace: env.KAFKA_NAMESPACE || undefined,
    databaseUrl: env.DATABASE_URL || undefined,
    pingRetentionHours: integerFromEnv(env, 'PING_RETENTION_HOURS', DEFAULT_PING_RETENTION_HOURS, 1, 24 * 3650),
    replayMaxPings: integerFromEnv(env, 'REPLAY_MAX_PINGS', DEFAULT_REPLAY_MAX_PINGS, 1, 100_000_000),
    // An empty public URL means the server's own address, known once it listens.
    channels: channelSettingsFromEnv(env, ''),
    payment: paymentSettingsFromEnv(env),
    unpaidOrderMs: integerFromEnv(env, 'UNPAID_ORDER_MINUTES', DEFAULT_UNPAID_ORDER_MINUTES, 1, 24 * 60) * 60_000,
  };
}

function integerFromEnv(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw invalidInput(name, raw, `an integer from ${min} to ${max}`);
  }
  return value;
}
