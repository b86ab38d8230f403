import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { silentLogger } from '../common/logger.js';
import { CloudburstDevice } from '../sdk/index.js';
import { startCloudburst } from '../server/app-server.js';
import { openStore } from '../store/open-store.js';
import { backendEnv, backendOptions } from './backend.js';

const REPO = path.resolve(import.meta.dirname, '..');

/**
 * Starts the built `cloudburst start` (what `npm start` runs; `npm test` builds it first)
 * as a child process and resolves with its printed console URL.
 */
function startCli(env: Record<string, string>): Promise<{ child: ChildProcess; url: string; stdout: () => string }> {
  const child = spawn(process.execPath, ['dist/cli/cloudburst.js', 'start'], {
    cwd: REPO,
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));

  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start in time; output:\n${output}`)), 90_000);
    child.stdout!.on('data', () => {
      const match = /console:\s+(http:\/\/[^/\s]+)\//.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve({ child, url: match[1]!, stdout: () => output });
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code} before starting; output:\n${output}`));
    });
  });
}

/** Resolves with the exit code, or with the signal's name when a signal ended the process. */
function exitCode(child: ChildProcess): Promise<number | string | null> {
  return new Promise((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal)));
}

describe('clean stop', () => {
  const cleanups: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0)) await cleanup();
  });

  async function tempDir(): Promise<string> {
    const dir = await mkdtemp(path.join(tmpdir(), 'cloudburst-stop-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    return dir;
  }

  it('keeps every acknowledged ping across a stop', async () => {
    const dataDir = await tempDir();
    const backend = await backendOptions();
    const server = await startCloudburst({ dataDir, port: 0, host: '127.0.0.1', adminToken: 't', logger: silentLogger(), ...backend });

    const { deviceId, token } = await CloudburstDevice.register(server.url);
    const device = new CloudburstDevice({ url: server.url, token, WebSocket, flushIntervalMs: 10 });
    device.connect();
    const pingCount = 2_000;
    const start = Date.now();
    for (let i = 0; i < pingCount; i++) device.sendPing({ lat: 37.77 + i * 1e-5, lon: -122.42, accuracy: 5, ts: start + i });
    await device.onIdle();
    await server.stop();
    await device.close();

    const db = await openStore({ databaseUrl: backend.databaseUrl, dataDir: path.join(dataDir, 'pglite'), logger: silentLogger() });
    try {
      const rows = await db.query<{ n: number; max_seq: number }>('SELECT count(*)::int AS n, max(seq)::int AS max_seq FROM pings WHERE device_id = $1', [deviceId]);
      expect(rows[0]).toEqual({ n: pingCount, max_seq: pingCount });
    } finally {
      await db.close();
    }
  });

  it('exits 0 on SIGTERM and answers healthz before', async () => {
    const dataDir = await tempDir();
    const { child, url } = await startCli({ DATA_DIR: dataDir, ADMIN_TOKEN: 'cli-token', ...backendEnv(await backendOptions()) });
    cleanups.push(async () => void child.kill('SIGKILL'));

    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    const exited = exitCode(child);
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });

  // Two full starts: on Kafka each one waits for its consumer groups to rebalance.
  it('generates the admin token once and keeps it', async () => {
    const dataDir = await tempDir();
    const backend = backendEnv(await backendOptions());
    const first = await startCli({ DATA_DIR: dataDir, ADMIN_TOKEN: '', ...backend });
    cleanups.push(async () => void first.child.kill('SIGKILL'));
    const printed = /admin token:\s+(\S+)/.exec(first.stdout())![1]!;
    const kept = (await readFile(path.join(dataDir, 'admin-token'), 'utf8')).trim();
    expect(printed).toBe(kept);
    expect(kept.length).toBeGreaterThanOrEqual(40);

    const firstExit = exitCode(first.child);
    first.child.kill('SIGINT');
    expect(await firstExit).toBe(0);

    const second = await startCli({ DATA_DIR: dataDir, ADMIN_TOKEN: '', ...backend });
    cleanups.push(async () => void second.child.kill('SIGKILL'));
    expect(/admin token:\s+(\S+)/.exec(second.stdout())![1]).toBe(kept);
    const secondExit = exitCode(second.child);
    second.child.kill('SIGTERM');
    expect(await secondExit).toBe(0);
  }, 180_000);
});
