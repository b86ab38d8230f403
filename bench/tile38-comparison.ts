/**
 * The Tile38 comparison of the engine benchmark. For every ping the engine answers
 * "which fences contain this point", so Tile38 gets the same question: the fences
 * are objects of one collection and each ping is one
 * `INTERSECTS <collection> LIMIT <fences> IDS POINT lat lon`, which returns the ids
 * of the objects that contain the point.
 *
 * Other Tile38 forms answer other questions. NEARBY finds objects within one radius of
 * the point, while each fence has its own radius. Geofences (SETHOOK, or FENCE on a
 * search) watch one area for objects that enter or leave it, so they would need one
 * hook per fence and a SET per device, and they report transitions rather than the
 * containing fences.
 *
 * Tile38 stores no circle objects, so each circle goes in as a 64-sided polygon that
 * contains it (see `circleAsRing`). Polygons go in as their GeoJSON.
 *
 * NOTE: the reply shapes (OK, PONG, [cursor, [id, ...]]) and POINT as an INTERSECTS
 * area follow Tile38's documentation and source. This file has not been run against
 * a Tile38 server yet, only against a stand-in RESP server with those replies.
 */
import type { Fence } from '../engine/types.js';
import { compareAnswers, type Agreement, type SamplePing } from './agreement.js';
import { circleAsRing, isPolygonFence } from './bench-fences.js';
import { RespClient, RespError, type RespValue } from './resp-client.js';

const CIRCLE_SIDES = 64;
/** Commands per write while loading fences. */
const LOAD_BATCH = 500;
/** INTERSECTS commands per write: enough to keep the connection busy, few enough to time in steps. */
const PIPELINE_DEPTH = 100;
const CONNECT_TIMEOUT_MS = 5_000;
/** Time allowed for the replies of one pipelined write. */
const REPLY_TIMEOUT_MS = 30_000;

export interface Tile38Result {
  address: string;
  collection: string;
  fences: number;
  loadSeconds: number;
  command: string;
  pipelineDepth: number;
  pings: number;
  seconds: number;
  pingsPerSecond: number;
  agreement: Agreement;
}

/** Parses `HOST:PORT`, as given to --tile38 or in TILE38_ADDR. */
export function parseAddress(address: string): { host: string; port: number } {
  const match = /^(.+):(\d+)$/.exec(address);
  const port = Number(match?.[2]);
  if (match === null || !(port >= 1 && port <= 65535)) {
    throw new Error(`invalid Tile38 address ${JSON.stringify(address)} (expected HOST:PORT, such as 127.0.0.1:9851)`);
  }
  return { host: (match[1] as string).replace(/^\[(.*)\]$/, '$1'), port };
}

/**
 * Loads `fences` into a fresh collection of the Tile38 server at `address`, sends the
 * sample pings as pipelined INTERSECTS commands over one connection, for at most
 * `maxPings` pings and `maxSeconds` seconds, and drops the collection again.
 */
export async function runTile38Comparison(options: {
  address: string;
  fences: readonly Fence[];
  sample: readonly SamplePing[];
  maxPings: number;
  maxSeconds: number;
}): Promise<Tile38Result> {
  const { host, port } = parseAddress(options.address);
  const client = await RespClient.connect(host, port, CONNECT_TIMEOUT_MS);
  // A collection of its own, so a run never touches other data on the server.
  const collection = `cloudburst-bench-${process.pid}-${Date.now()}`;

  try {
    const pong = await client.command(['PING']);
    if (pong !== 'PONG') throw new Error(`unexpected reply to PING from ${options.address}: ${describe(pong)} (expected PONG)`);

    const loadStart = performance.now();
    for (let i = 0; i < options.fences.length; i += LOAD_BATCH) {
      const commands = options.fences.slice(i, i + LOAD_BATCH).map((fence) => ['SET', collection, fence.id, 'OBJECT', fenceGeoJson(fence)]);
      const replies = await client.pipeline(commands, REPLY_TIMEOUT_MS);
      replies.forEach((reply, j) => {
        if (reply !== 'OK') throw new Error(`SET ${collection} ${options.fences[i + j]?.id} failed: ${describe(reply)} (expected OK)`);
      });
    }
    const loadSeconds = (performance.now() - loadStart) / 1000;

    const limit = Math.min(options.maxPings, options.sample.length);
    const answers: string[][] = [];
    const start = performance.now();
    while (answers.length < limit && performance.now() - start < options.maxSeconds * 1000) {
      const batch = options.sample.slice(answers.length, Math.min(limit, answers.length + PIPELINE_DEPTH));
      const replies = await client.pipeline(
        batch.map(({ ping }) => ['INTERSECTS', collection, 'LIMIT', options.fences.length, 'IDS', 'POINT', ping.lat, ping.lon]),
        REPLY_TIMEOUT_MS,
      );
      for (const reply of replies) answers.push(idsOf(reply));
    }
    const seconds = (performance.now() - start) / 1000;

    const fenceById = new Map(options.fences.map((fence) => [fence.id, fence]));
    return {
      address: options.address,
      collection,
      fences: options.fences.length,
      loadSeconds: Number(loadSeconds.toFixed(2)),
      command: `INTERSECTS ${collection} LIMIT ${options.fences.length} IDS POINT lat lon`,
      pipelineDepth: PIPELINE_DEPTH,
      pings: answers.length,
      seconds: Number(seconds.toFixed(2)),
      pingsPerSecond: Math.round(answers.length / seconds),
      agreement: compareAnswers(options.sample, answers, fenceById),
    };
  } finally {
    await client.command(['DROP', collection]).catch((error: unknown) => {
      console.error(`bench: could not drop the Tile38 collection ${collection}; drop it by hand: ${String(error)}`);
    });
    client.close();
  }
}

function fenceGeoJson(fence: Fence): string {
  if (isPolygonFence(fence)) return JSON.stringify(fence.geometry);
  return JSON.stringify({ type: 'Polygon', coordinates: [circleAsRing(fence, CIRCLE_SIDES)] });
}

/** Reads the ids from an INTERSECTS … IDS reply: [cursor, [id, …]]. */
function idsOf(reply: RespValue): string[] {
  if (Array.isArray(reply) && Array.isArray(reply[1]) && reply[1].every((id) => typeof id === 'string')) return reply[1] as string[];
  throw new Error(`unexpected reply to INTERSECTS: ${describe(reply)} (expected [cursor, [id, ...]])`);
}

function describe(reply: RespValue): string {
  return reply instanceof RespError ? `error ${JSON.stringify(reply.message)}` : JSON.stringify(reply);
}
