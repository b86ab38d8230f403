import { fork, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { withDeadline } from './deadline.js';

/** Counters and clocks of the server process at one moment. Times are in the child's own clock. */
export interface ServerSample {
  timeMs: number;
  /** User plus system CPU time since the process started, in microseconds. */
  cpuUs: number;
  eventLoopIdleMs: number;
  eventLoopActiveMs: number;
  rssBytes: number;
  heapUsedBytes: number;
  pingsProcessed: number;
  offersDecided: number;
  connections: number;
}

export type ServerParentMessage = { type: 'sample' } | { type: 'stop' };

export type ServerChildMessage =
  | { type: 'ready'; url: string; pid: number }
  | { type: 'sample'; sample: ServerSample }
  | { type: 'stopped'; stopMs: number }
  | { type: 'failed'; message: string };

/** Server activity between two samples. */
export interface ServerInterval {
  seconds: number;
  /** CPU time over wall time: 100 is one core kept busy. */
  cpuPercent: number;
  /** Share of the wall time that the event loop was running code, 0 to 1. */
  eventLoopUtilization: number;
  pingsProcessed: number;
  offersDecided: number;
  rssMB: number;
}

export interface ServerProcess {
  /** Base URL, `http://127.0.0.1:<port>`. */
  readonly url: string;
  readonly adminToken: string;
  readonly pid: number;
  /** Lines the server logged at each pino level label, counted from the start. */
  readonly logLevels: Record<string, number>;
  sample(): Promise<ServerSample>;
  /**
   * Stops the server, waiting for its clean stop to finish, then removes its data
   * dir. Returns the time the clean stop took, or null when the process did not
   * report one because it failed or had to be killed. Safe to call twice.
   */
  stop(): Promise<{ stopMs: number | null }>;
}

/** PGlite with PostGIS takes several seconds to start on a 2-core machine. */
const START_TIMEOUT_MS = 120_000;
const SAMPLE_TIMEOUT_MS = 30_000;
/** Above the server's own bounds: 15 s for the bus to drain, 2 s for sockets to close, then the store closes. */
const STOP_TIMEOUT_MS = 60_000;
/** Maximum number of the server's warning and error lines copied to stderr. Further lines are only counted. */
const MAX_LOG_LINES_SHOWN = 20;
const PINO_LEVEL_LABELS: Record<number, string> = { 10: 'trace', 20: 'debug', 30: 'info', 40: 'warn', 50: 'error', 60: 'fatal' };

const CHILD_SCRIPT = path.join(path.dirname(fileURLToPath(import.meta.url)), 'server-child.ts');

/**
 * Starts Cloudburst on the embedded defaults in a child process, on 127.0.0.1 with
 * a free port, a fresh temporary data dir and a random admin token. The child runs
 * with this process's Node options, so under tsx it loads TypeScript too.
 */
export async function startServerProcess(signal?: AbortSignal): Promise<ServerProcess> {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'cloudburst-bench-'));
  const adminToken = randomBytes(24).toString('base64url');
  // CLOUDBURST_BENCH_PROFILE_DIR: write a V8 CPU profile of the server there, to see what limits it.
  const profileDir = process.env.CLOUDBURST_BENCH_PROFILE_DIR;
  const child = fork(CHILD_SCRIPT, [], {
    env: { ...process.env, CLOUDBURST_BENCH_DATA_DIR: dataDir, CLOUDBURST_BENCH_ADMIN_TOKEN: adminToken },
    execArgv: profileDir ? [...process.execArgv, '--cpu-prof', `--cpu-prof-dir=${profileDir}`] : process.execArgv,
    stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
  });
  const logLevels = countLogLines(child);

  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const samples: Array<{ resolve: (sample: ServerSample) => void; reject: (error: Error) => void }> = [];
  let stopMs: number | null = null;
  child.on('message', (message: ServerChildMessage) => {
    if (message.type === 'sample') samples.shift()?.resolve(message.sample);
    if (message.type === 'stopped') stopMs = message.stopMs;
  });
  void exited.then(() => {
    for (const waiter of samples.splice(0)) waiter.reject(new Error(`the server process ${child.pid} exited`));
  });

  let ready: Extract<ServerChildMessage, { type: 'ready' }>;
  try {
    ready = await withDeadline(waitForReady(child, exited), 'the server process to start', START_TIMEOUT_MS, signal);
  } catch (error) {
    await stopChild(child, exited);
    await rm(dataDir, { recursive: true, force: true });
    throw error;
  }

  let stopping: Promise<{ stopMs: number | null }> | undefined;
  return {
    url: ready.url,
    adminToken,
    pid: ready.pid,
    logLevels,
    sample: () => {
      if (!child.connected) return Promise.reject(new Error(`the server process ${child.pid} is no longer connected`));
      const answered = new Promise<ServerSample>((resolve, reject) => samples.push({ resolve, reject }));
      child.send({ type: 'sample' } satisfies ServerParentMessage);
      return withDeadline(answered, 'a sample from the server process', SAMPLE_TIMEOUT_MS);
    },
    stop: () => {
      stopping ??= (async () => {
        await stopChild(child, exited);
        await rm(dataDir, { recursive: true, force: true });
        return { stopMs };
      })();
      return stopping;
    },
  };
}

/** Describes what the server did from sample `a` to sample `b`. */
export function serverInterval(a: ServerSample, b: ServerSample): ServerInterval {
  const wallMs = b.timeMs - a.timeMs;
  const activeMs = b.eventLoopActiveMs - a.eventLoopActiveMs;
  const idleMs = b.eventLoopIdleMs - a.eventLoopIdleMs;
  return {
    seconds: round(wallMs / 1000, 2),
    cpuPercent: round(((b.cpuUs - a.cpuUs) / 1000 / wallMs) * 100, 1),
    eventLoopUtilization: round(activeMs / (activeMs + idleMs), 3),
    pingsProcessed: b.pingsProcessed - a.pingsProcessed,
    offersDecided: b.offersDecided - a.offersDecided,
    rssMB: round(b.rssBytes / 2 ** 20, 1),
  };
}

function round(value: number, digits: number): number {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}

function waitForReady(child: ChildProcess, exited: Promise<void>): Promise<Extract<ServerChildMessage, { type: 'ready' }>> {
  return new Promise((resolve, reject) => {
    child.on('message', (message: ServerChildMessage) => {
      if (message.type === 'ready') resolve(message);
      if (message.type === 'failed') reject(new Error(`the server process failed to start: ${message.message}`));
    });
    void exited.then(() => reject(new Error(`the server process exited with ${child.exitCode ?? child.signalCode} before it was ready`)));
  });
}

/** Asks the child to stop and waits for it to exit. Kills it when it does not exit in time. */
async function stopChild(child: ChildProcess, exited: Promise<void>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  if (child.connected) child.send({ type: 'stop' } satisfies ServerParentMessage);
  else child.kill('SIGTERM');

  try {
    await withDeadline(exited, `the server process ${child.pid} to stop`, STOP_TIMEOUT_MS);
  } catch (error) {
    console.error(`${(error as Error).message}; killing it`);
    child.kill('SIGKILL');
    await exited;
  }
}

/** Counts the child's pino lines per level and copies the first warnings and errors to stderr. */
function countLogLines(child: ChildProcess): Record<string, number> {
  const counts: Record<string, number> = {};
  let shown = 0;
  const lines = createInterface({ input: child.stdout!, crlfDelay: Infinity });

  lines.on('line', (line) => {
    let level = 'unparsed';
    try {
      const entry = JSON.parse(line) as { level?: number };
      level = PINO_LEVEL_LABELS[entry.level ?? 0] ?? String(entry.level);
    } catch {
      // Not a pino line, for example a runtime warning: shown like a warning.
    }
    counts[level] = (counts[level] ?? 0) + 1;

    const notable = level !== 'info' && level !== 'debug' && level !== 'trace';
    if (notable && shown < MAX_LOG_LINES_SHOWN) {
      shown += 1;
      process.stderr.write(`server: ${line}\n`);
    }
  });
  return counts;
}
