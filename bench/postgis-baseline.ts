/**
 * The PostGIS baseline of the engine benchmark: the same fences in a table with GiST
 * indexes on geography, and one query per ping that returns the fences containing the ping,
 * run one after another through a prepared statement on one connection.
 *
 * Two forms of the query are timed on the same pings:
 * - `asWritten`: `ST_DWithin(geog, point, radius_m)`, what a user writes first. Its
 *   distance comes from the row, so PostGIS cannot expand the point into an index
 *   search box, and the planner scans the whole table although `geog` has a GiST index.
 * - `indexed`: the same test behind `reach && point`, where `reach` is a box that
 *   contains the fence and has its own GiST index. This is what a user who reads the
 *   query plan writes, and the baseline that the engine/PostGIS ratio uses.
 */
import { PGlite } from '@electric-sql/pglite';
import { postgis } from '@electric-sql/pglite-postgis';
import pg from 'pg';
import { EARTH_RADIUS_M } from '../engine/index.js';
import type { CircleFence, Fence } from '../engine/types.js';
import { compareAnswers, type Agreement, type SamplePing } from './agreement.js';
import { isPolygonFence } from './bench-fences.js';

/** Slack of a circle's `reach` box beyond the circle. Geodesic box edges sag inwards by under 0.1 % of the radius here. */
const REACH_SLACK = 1.01;
const INSERT_BATCH = 1_000;

const POINT = 'ST_SetSRID(ST_MakePoint($1, $2), 4326)::geography';
const QUERIES = {
  asWritten: `SELECT id FROM bench_fences WHERE ST_DWithin(geog, ${POINT}, radius_m)`,
  indexed: `SELECT id FROM bench_fences WHERE reach && ${POINT} AND ST_DWithin(geog, ${POINT}, radius_m)`,
} as const;

export type QueryForm = keyof typeof QUERIES;

export interface QueryResult {
  query: string;
  /** Plan nodes of the query for one point, outermost first. */
  plan: string;
  pings: number;
  seconds: number;
  pingsPerSecond: number;
  agreement: Agreement;
}

export interface PostgisResult {
  server: string;
  postgis: string;
  fences: number;
  loadSeconds: number;
  queries: Record<QueryForm, QueryResult>;
}

interface SqlSession {
  readonly server: string;
  query<Row>(text: string): Promise<Row[]>;
  /** Runs `text` with one JSON document as $1. */
  queryJson(text: string, json: string): Promise<void>;
  /** Prepares `text`, whose parameters are numbers, and returns a function that runs it. */
  prepare(name: string, text: string, parameters: number): Promise<(values: number[]) => Promise<{ id: string }[]>>;
  close(): Promise<void>;
}

/**
 * Loads `fences` into a temporary table and times both query forms over `sample`, each
 * for at most `maxPings` pings and `maxSeconds` seconds. Uses PostgreSQL at `databaseUrl`,
 * or embedded PGlite with PostGIS when it is undefined.
 */
export async function runPostgisBaseline(options: {
  databaseUrl: string | undefined;
  fences: readonly Fence[];
  sample: readonly SamplePing[];
  maxPings: number;
  maxSeconds: number;
}): Promise<PostgisResult> {
  const session = options.databaseUrl === undefined ? await openPglite() : await openPostgres(options.databaseUrl);
  try {
    const [{ version }] = (await session.query<{ version: string }>('SELECT postgis_lib_version() AS version')) as [{ version: string }];

    const loadStart = performance.now();
    await loadFences(session, options.fences);
    const loadSeconds = (performance.now() - loadStart) / 1000;

    const fenceById = new Map(options.fences.map((fence) => [fence.id, fence]));
    const queries = {} as Record<QueryForm, QueryResult>;
    for (const form of Object.keys(QUERIES) as QueryForm[]) {
      queries[form] = await timeQuery(session, form, options.sample, options.maxPings, options.maxSeconds, fenceById);
    }

    return { server: session.server, postgis: version, fences: options.fences.length, loadSeconds: round(loadSeconds, 2), queries };
  } finally {
    await session.close();
  }
}

async function loadFences(session: SqlSession, fences: readonly Fence[]): Promise<void> {
  // A temporary table vanishes with the connection, so a run leaves nothing in the database.
  await session.query(`
    CREATE TEMPORARY TABLE bench_fences (
      id text PRIMARY KEY,
      geog geography NOT NULL,
      radius_m double precision NOT NULL,
      reach geography NOT NULL
    )`);

  for (let i = 0; i < fences.length; i += INSERT_BATCH) {
    const rows = fences.slice(i, i + INSERT_BATCH).map(fenceRow);
    await session.queryJson(
      `INSERT INTO bench_fences (id, geog, radius_m, reach)
       SELECT id, ST_GeomFromGeoJSON(geog)::geography, radius_m, ST_GeomFromGeoJSON(reach)::geography
       FROM json_to_recordset($1::json) AS t(id text, geog text, radius_m double precision, reach text)`,
      JSON.stringify(rows),
    );
  }

  await session.query('CREATE INDEX bench_fences_geog ON bench_fences USING gist (geog)');
  await session.query('CREATE INDEX bench_fences_reach ON bench_fences USING gist (reach)');
  // Autovacuum never analyzes temporary tables, and the planner needs the statistics.
  await session.query('ANALYZE bench_fences');
}

/** Converts a fence to a row: a circle to its centre and radius, a polygon to its geometry and radius 0. */
function fenceRow(fence: Fence): { id: string; geog: string; radius_m: number; reach: string } {
  if (isPolygonFence(fence)) {
    const geometry = JSON.stringify(fence.geometry);
    return { id: fence.id, geog: geometry, radius_m: 0, reach: geometry };
  }
  return {
    id: fence.id,
    geog: JSON.stringify({ type: 'Point', coordinates: [fence.lon, fence.lat] }),
    radius_m: fence.radiusM,
    reach: JSON.stringify(circleBox(fence)),
  };
}

/** Builds a longitude/latitude box around a circle, REACH_SLACK times its radius from the centre. */
function circleBox(fence: CircleFence): { type: 'Polygon'; coordinates: [number, number][][] } {
  const dLat = ((fence.radiusM * REACH_SLACK) / EARTH_RADIUS_M) * (180 / Math.PI);
  // The box is widest at its edge nearer the pole.
  const dLon = dLat / Math.cos((Math.abs(fence.lat) + dLat) * (Math.PI / 180));
  const { lat, lon } = fence;
  return {
    type: 'Polygon',
    coordinates: [
      [
        [lon - dLon, lat - dLat],
        [lon + dLon, lat - dLat],
        [lon + dLon, lat + dLat],
        [lon - dLon, lat + dLat],
        [lon - dLon, lat - dLat],
      ],
    ],
  };
}

async function timeQuery(
  session: SqlSession,
  form: QueryForm,
  sample: readonly SamplePing[],
  maxPings: number,
  maxSeconds: number,
  fenceById: ReadonlyMap<string, Fence>,
): Promise<QueryResult> {
  const text = QUERIES[form];
  const plan = await explain(session, text, sample[0]?.ping ?? { lat: 37.77, lon: -122.42 });
  const run = await session.prepare(`bench_${form}`, text, 2);

  const answers: string[][] = [];
  const limit = Math.min(maxPings, sample.length);
  const start = performance.now();
  for (let i = 0; i < limit; i++) {
    if (performance.now() - start > maxSeconds * 1000) break;

    const { ping } = sample[i] as SamplePing;
    const rows = await run([ping.lon, ping.lat]);
    answers.push(rows.map((row) => row.id));
  }
  const seconds = (performance.now() - start) / 1000;

  return {
    query: text,
    plan,
    pings: answers.length,
    seconds: round(seconds, 2),
    pingsPerSecond: Math.round(answers.length / seconds),
    agreement: compareAnswers(sample, answers, fenceById),
  };
}

/** Returns the plan nodes of `text` for one point, such as `Seq Scan on bench_fences`. */
async function explain(session: SqlSession, text: string, point: { lat: number; lon: number }): Promise<string> {
  const literal = text.replaceAll('$1', String(point.lon)).replaceAll('$2', String(point.lat));
  const rows = await session.query<{ 'QUERY PLAN': string }>(`EXPLAIN (COSTS OFF) ${literal}`);
  return rows
    .map((row) => row['QUERY PLAN'].replace(/^\s*(->\s*)?/, ''))
    .filter((line) => / on /.test(line))
    .join(' > ');
}

async function openPostgres(databaseUrl: string): Promise<SqlSession> {
  const client = new pg.Client({ connectionString: databaseUrl, application_name: 'cloudburst-bench' });
  await client.connect();
  const [{ server_version: version }] = (await client.query<{ server_version: string }>('SHOW server_version')).rows as [
    { server_version: string },
  ];
  const url = new URL(databaseUrl);

  return {
    server: `PostgreSQL ${version} at ${url.host}${url.pathname} (DATABASE_URL)`,
    async query<Row>(text: string) {
      return (await client.query(text)).rows as Row[];
    },
    async queryJson(text, json) {
      await client.query(text, [json]);
    },
    async prepare(name, text) {
      // pg parses a named statement once per connection and then only binds and executes it.
      return async (values) => (await client.query<{ id: string }>({ name, text, values })).rows;
    },
    close: () => client.end(),
  };
}

async function openPglite(): Promise<SqlSession> {
  const db = await PGlite.create({ extensions: { postgis } });
  await db.exec('CREATE EXTENSION IF NOT EXISTS postgis');
  const [{ server_version: version }] = (await db.query<{ server_version: string }>('SHOW server_version')).rows as [
    { server_version: string },
  ];

  return {
    server: `PGlite (embedded PostgreSQL ${version}, in memory; DATABASE_URL is not set)`,
    async query<Row>(text: string) {
      return (await db.query<Row>(text)).rows;
    },
    async queryJson(text, json) {
      await db.query(text, [json]);
    },
    async prepare(name, text, parameters) {
      // PGlite's query() parses its statement on every call, so the statement is
      // prepared in SQL. EXECUTE takes no bind parameters, so the numbers are written
      // into its text, which String() does without loss.
      const types = Array.from({ length: parameters }, () => 'double precision').join(', ');
      await db.exec(`PREPARE ${name} (${types}) AS ${text}`);
      return async (values) => {
        if (!values.every(Number.isFinite)) throw new Error(`invalid EXECUTE ${name} values ${JSON.stringify(values)} (expected finite numbers)`);
        return (await db.query<{ id: string }>(`EXECUTE ${name} (${values.map(String).join(', ')})`)).rows;
      };
    },
    close: () => db.close(),
  };
}

function round(value: number, digits: number): number {
  return Number(value.toFixed(digits));
}
