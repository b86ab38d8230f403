/**
 * A Cloudburst server for the benchmarks, run by server-process.ts as a child
 * process so that it has an event loop of its own. It starts on the embedded defaults
 * on 127.0.0.1 with a free port, reports `ready` over IPC, replies to `sample` with its
 * CPU time, event-loop use and counters, and stops cleanly on `stop`, on SIGINT or
 * SIGTERM, or when the parent process goes away.
 */
import { performance } from 'node:perf_hooks';
import { createLogger } from '../common/logger.js';
import { startCloudburst, type RunningCloudburst } from '../server/app-server.js';
import type { ServerChildMessage, ServerParentMessage, ServerSample } from './server-process.js';

function send(message: ServerChildMessage): void {
  if (process.connected) process.send?.(message);
}

function requireEnv(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`missing ${name}: start this file through bench/server-process.ts`);
  return value;
}

function sample(running: RunningCloudburst): ServerSample {
  const cpu = process.cpuUsage();
  const eventLoop = performance.eventLoopUtilization();
  const memory = process.memoryUsage();
  const { pingsProcessed, offersDecided } = running.services.runner.stats;
  return {
    timeMs: performance.now(),
    cpuUs: cpu.user + cpu.system,
    eventLoopIdleMs: eventLoop.idle,
    eventLoopActiveMs: eventLoop.active,
    rssBytes: memory.rss,
    heapUsedBytes: memory.heapUsed,
    pingsProcessed,
    offersDecided,
    connections: running.services.gateway.connectionCount,
  };
}

async function main(): Promise<void> {
  const dataDir = requireEnv('CLOUDBURST_BENCH_DATA_DIR');
  const adminToken = requireEnv('CLOUDBURST_BENCH_ADMIN_TOKEN');
  // Device connects and disconnects are logged at info, one line each, so the benchmarks keep warnings and errors only.
  const logger = createLogger({ level: 'warn', name: 'cloudburst-bench-server' });

  // With DATABASE_URL set the store is that PostgreSQL.
  const databaseUrl = process.env.DATABASE_URL || undefined;
  // Set by a server group: the servers share one Kafka cluster under this namespace.
  const kafkaNamespace = process.env.CLOUDBURST_BENCH_KAFKA_NAMESPACE;
  const kafka = kafkaNamespace ? { kafkaBrokers: requireEnv('KAFKA_BROKERS').split(','), kafkaNamespace } : {};
  const started = startCloudburst({ dataDir, adminToken, port: 0, host: '127.0.0.1', logger, databaseUrl, ...kafka });
  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      const stopStart = performance.now();
      const running = await started.catch(() => undefined);
      await running?.stop();
      send({ type: 'stopped', stopMs: Math.round(performance.now() - stopStart) });
      if (process.connected) process.disconnect();
    })();
    return stopping;
  };

  // Listen before the start completes: a signal without a listener would end the process without a clean stop.
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());
  process.on('disconnect', () => void stop());
  process.on('message', (message: ServerParentMessage) => {
    if (message.type === 'stop') {
      void stop();
      return;
    }
    // A failed start is reported by main() below.
    started.then((running) => send({ type: 'sample', sample: sample(running) }), () => undefined);
  });

  const running = await started;
  send({ type: 'ready', url: running.url, pid: process.pid });
}

main().catch((error: unknown) => {
  console.error(error);
  send({ type: 'failed', message: error instanceof Error ? error.message : String(error) });
  process.exitCode = 1;
  if (process.connected) process.disconnect();
});
