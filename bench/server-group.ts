/**
 * Several bench servers that share one Kafka cluster and one PostgreSQL database,
 * seen as one: samples are summed, so pings processed count each engine's share
 * once, and CPU and event-loop figures add up across the processes.
 */
import { randomUUID } from 'node:crypto';

import { startServerProcess, type ServerProcess, type ServerSample } from './server-process.js';

export interface ServerGroup extends ServerProcess {
  /** Base URL of each server, in start order. */
  readonly urls: string[];
  /** `kafka` when the servers share a cluster, `in-process` for a single server. */
  readonly bus: 'kafka' | 'in-process';
}

/**
 * Starts `count` servers. One server uses the in-process bus. More need KAFKA_BROKERS
 * and DATABASE_URL, as `npm run services:start` writes them to `.services/env`, and
 * share a fresh Kafka namespace.
 */
export async function startServerGroup(count: number, signal?: AbortSignal): Promise<ServerGroup> {
  if (count > 1) {
    if (!process.env.KAFKA_BROKERS || !process.env.DATABASE_URL) {
      throw new Error(`--servers ${count} needs KAFKA_BROKERS and DATABASE_URL: run npm run services:start && . .services/env first`);
    }
    // The children inherit this at fork and pass it to startCloudburst.
    process.env.CLOUDBURST_BENCH_KAFKA_NAMESPACE = `bench-${randomUUID().slice(0, 8)}.`;
  }

  const servers: ServerProcess[] = [];
  try {
    for (let i = 0; i < count; i++) servers.push(await startServerProcess(signal));
  } catch (error) {
    await Promise.all(servers.map((server) => server.stop()));
    throw error;
  }
  if (count === 1) return { ...single(servers[0]!), urls: [servers[0]!.url], bus: 'in-process' };

  const first = servers[0]!;
  return {
    url: first.url,
    adminToken: first.adminToken,
    pid: first.pid,
    urls: servers.map((server) => server.url),
    bus: 'kafka',
    get logLevels() {
      const levels: Record<string, number> = {};
      for (const server of servers) {
        for (const [level, count] of Object.entries(server.logLevels)) levels[level] = (levels[level] ?? 0) + count;
      }
      return levels;
    },
    sample: async () => sumSamples(await Promise.all(servers.map((server) => server.sample()))),
    stop: async () => {
      const stops = await Promise.all(servers.map((server) => server.stop()));
      const times = stops.map((stop) => stop.stopMs);
      return { stopMs: times.some((time) => time === null) ? null : Math.max(...(times as number[])) };
    },
  };
}

/** Wraps one server, keeping its getters live. */
function single(server: ServerProcess): ServerProcess {
  return {
    url: server.url,
    adminToken: server.adminToken,
    pid: server.pid,
    get logLevels() {
      return server.logLevels;
    },
    sample: () => server.sample(),
    stop: () => server.stop(),
  };
}

function sumSamples(samples: ServerSample[]): ServerSample {
  const total: ServerSample = {
    timeMs: 0,
    cpuUs: 0,
    eventLoopIdleMs: 0,
    eventLoopActiveMs: 0,
    rssBytes: 0,
    heapUsedBytes: 0,
    pingsProcessed: 0,
    offersDecided: 0,
    connections: 0,
  };
  for (const sample of samples) {
    total.timeMs = Math.max(total.timeMs, sample.timeMs);
    total.cpuUs += sample.cpuUs;
    total.eventLoopIdleMs += sample.eventLoopIdleMs;
    total.eventLoopActiveMs += sample.eventLoopActiveMs;
    total.rssBytes += sample.rssBytes;
    total.heapUsedBytes += sample.heapUsedBytes;
    total.pingsProcessed += sample.pingsProcessed;
    total.offersDecided += sample.offersDecided;
    total.connections += sample.connections;
  }
  return total;
}
