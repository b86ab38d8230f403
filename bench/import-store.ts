/**
 * End-to-end import benchmark: streams a generated contact list through
 * `POST /v1/admin/segments/:id/imports` of a server on the embedded store (or on
 * PostgreSQL with DATABASE_URL), and meanwhile asks the admin API for the trucks every
 * 100 ms. Prints one JSON line: rows per second into the store, and the slowest
 * answer of that other request, which shows how long an import holds the store.
 *
 *   npm run bench:import-store                  # 200,000 rows
 *   npm run bench:import-store -- --rows 1000000
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { silentLogger } from '../common/logger.js';
import { startCloudburst } from '../server/app-server.js';
import { generateContactCsv } from './import.js';
import { describeMachine } from './machine.js';

const TOKEN = 'bench-import-token';
const PROBE_INTERVAL_MS = 100;

const { values } = parseArgs({ options: { rows: { type: 'string', default: '200000' } } });
const rows = Number(values.rows);
if (!Number.isInteger(rows) || rows < 1 || rows > 5_000_000) throw new Error(`invalid --rows: ${values.rows} (expected an integer from 1 to 5000000)`);

const dataDir = await mkdtemp(path.join(tmpdir(), 'cloudburst-bench-import-'));
const server = await startCloudburst({ dataDir, port: 0, host: '127.0.0.1', adminToken: TOKEN, logger: silentLogger(), databaseUrl: process.env.DATABASE_URL });
const headers = { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' };
try {
  const post = async (route: string, body: unknown) => (await fetch(`${server.url}${route}`, { method: 'POST', headers, body: JSON.stringify(body) })).json();
  const { truck } = await post('/v1/admin/trucks', { name: 'Bench truck', lat: 37.7749, lon: -122.4194 });
  const { campaign } = await post('/v1/admin/campaigns', {
    name: 'Import benchmark',
    status: 'draft',
    truckIds: [truck.id],
    window: { start: '2026-12-05T11:00', end: '2026-12-05T13:00' },
    radiusM: 200,
    benefit: { kind: 'percent', value: 10 },
    segments: [{ source: 'facebook', name: 'Generated list' }],
  });
  const segmentId = campaign.segments.find((segment: { source: string }) => segment.source === 'facebook').id;

  let slowestMs = 0;
  let probes = 0;
  let importing = true;
  const probe = (async () => {
    while (importing) {
      const started = performance.now();
      await fetch(`${server.url}/v1/admin/trucks`, { headers });
      slowestMs = Math.max(slowestMs, performance.now() - started);
      probes += 1;
      await new Promise((resolve) => setTimeout(resolve, PROBE_INTERVAL_MS));
    }
  })();

  const started = performance.now();
  const response = await fetch(`${server.url}/v1/admin/segments/${segmentId}/imports?format=csv&consent=email`, {
    method: 'POST',
    headers: { authorization: `Bearer ${TOKEN}` },
    body: Readable.toWeb(Readable.from(generateContactCsv(rows))) as ReadableStream,
    duplex: 'half',
  } as RequestInit);
  const result = (await response.json()) as { import: { status: string; summary: { contacts: number; added: number } } };
  const seconds = (performance.now() - started) / 1000;
  importing = false;
  await probe;

  console.log(
    JSON.stringify({
      rows,
      store: process.env.DATABASE_URL ? 'postgres' : 'pglite',
      status: result.import.status,
      contacts: result.import.summary.contacts,
      added: result.import.summary.added,
      seconds: Number(seconds.toFixed(1)),
      rowsPerSecond: Math.round(rows / seconds),
      slowestOtherRequestMs: Math.round(slowestMs),
      probes,
      machine: describeMachine(),
    }),
  );
} finally {
  await server.stop();
  await rm(dataDir, { recursive: true, force: true });
}
