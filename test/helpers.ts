import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { silentLogger } from '../common/logger.js';
import { startCloudburst, type RunningCloudburst } from '../server/app-server.js';
import { backendOptions } from './backend.js';

export const TEST_ADMIN_TOKEN = 'test-admin-token';

/** Starts a server on 127.0.0.1 with a random port and a fresh data directory. */
export async function startTestServer(): Promise<RunningCloudburst & { dataDir: string; cleanup(): Promise<void> }> {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'cloudburst-test-'));
  const server = await startCloudburst({
    dataDir,
    port: 0,
    host: '127.0.0.1',
    adminToken: TEST_ADMIN_TOKEN,
    logger: silentLogger(),
    ...(await backendOptions()),
  });
  return {
    ...server,
    dataDir,
    async cleanup() {
      await server.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** Calls the API with the admin token and returns status and parsed JSON body. */
export async function adminRequest(baseUrl: string, method: string, route: string, body?: unknown, token = TEST_ADMIN_TOKEN) {
  const response = await fetch(`${baseUrl}${route}`, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text ? (JSON.parse(text) as Record<string, any>) : {} };
}
