import { randomUUID } from 'node:crypto';
import pg from 'pg';

/**
 * The back ends the end-to-end tests run on: the embedded defaults, or, with
 * CLOUDBURST_TEST_BACKEND=kafka-postgres, PostgreSQL (TEST_DATABASE_URL) and Kafka
 * (KAFKA_BROKERS) as `npm run services:start` starts them. Each server gets its own
 * schema and Kafka namespace, so test files running side by side do not share state.
 */
export interface BackendOptions {
  databaseUrl?: string;
  kafkaBrokers?: string[];
  kafkaNamespace?: string;
}

export const SCALED = process.env.CLOUDBURST_TEST_BACKEND === 'kafka-postgres';

const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL ?? 'postgres://cloudburst:cloudburst@127.0.0.1:55432/cloudburst_test';
const KAFKA_BROKERS = (process.env.KAFKA_BROKERS ?? '127.0.0.1:59092').split(',');

if (process.env.CLOUDBURST_TEST_BACKEND && !SCALED) {
  throw new Error(`invalid CLOUDBURST_TEST_BACKEND: ${JSON.stringify(process.env.CLOUDBURST_TEST_BACKEND)} (expected "kafka-postgres" or unset)`);
}

/** Returns the options to pass to startCloudburst for the selected back end. */
export async function backendOptions(): Promise<BackendOptions> {
  return SCALED ? scaledBackendOptions() : {};
}

/** Returns options for PostgreSQL and Kafka whatever the selected back end, with a fresh schema and namespace. */
export async function scaledBackendOptions(): Promise<Required<BackendOptions>> {
  const schema = `t_${randomUUID().replaceAll('-', '').slice(0, 12)}`;
  const client = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await client.connect();
  try {
    await client.query(`CREATE SCHEMA ${schema}`);
  } finally {
    await client.end();
  }

  const url = new URL(TEST_DATABASE_URL);
  url.searchParams.set('options', `-c search_path=${schema},public`);
  return { databaseUrl: url.toString(), kafkaBrokers: KAFKA_BROKERS, kafkaNamespace: `${schema}.` };
}

/** Returns the same back end as environment variables, for tests that start the CLI. */
export function backendEnv(options: BackendOptions): Record<string, string> {
  if (!options.databaseUrl) return {};
  return { DATABASE_URL: options.databaseUrl, KAFKA_BROKERS: options.kafkaBrokers!.join(','), KAFKA_NAMESPACE: options.kafkaNamespace ?? '' };
}
