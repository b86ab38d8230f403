import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { WebSocket } from 'ws';
import { silentLogger } from '../common/logger.js';
import type { LiveFrame } from '../common/protocol.js';
import { startCloudburst, type RunningCloudburst } from '../server/app-server.js';
import { instantToLocal } from '../server/time-zone.js';
import { backendOptions } from './backend.js';

export const TEST_ADMIN_TOKEN = 'test-admin-token';
/** Time zone of the trucks that tests create. */
const LUNCH_TIME_ZONE = 'America/Los_Angeles';

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

/** A console connection to `/v1/live` that keeps every frame it receives. */
export interface LiveFeedClient {
  frames: LiveFrame[];
  close(): void;
}

/** Opens the console's live feed with the test admin token and resolves once the snapshot arrived. */
export async function openLiveFeed(baseUrl: string): Promise<LiveFeedClient> {
  const ws = new WebSocket(`${baseUrl.replace(/^http/, 'ws')}/v1/live`);
  const frames: LiveFrame[] = [];
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => ws.send(JSON.stringify({ type: 'hello', token: TEST_ADMIN_TOKEN })));
    ws.on('message', (data) => {
      const frame = JSON.parse(data.toString()) as LiveFrame;
      frames.push(frame);
      if (frame.type === 'snapshot') resolve();
    });
    ws.once('error', reject);
    ws.once('close', (code) => reject(new Error(`live feed closed with ${code} before its snapshot`)));
  });
  return { frames, close: () => ws.close() };
}

export interface LunchCampaign {
  truckId: string;
  campaignId: string;
  /** Id of the campaign's fence around the truck. */
  fenceId: string;
}

/**
 * Creates a truck at `at` and a campaign around it with a 10 % discount, running in
 * Los Angeles time from a minute ago for an hour. Throws naming the request that failed.
 */
export async function createLunchCampaign(
  baseUrl: string,
  options: { truckName: string; campaignName: string; at: { lat: number; lon: number }; radiusM: number },
): Promise<LunchCampaign> {
  const truck = await adminRequest(baseUrl, 'POST', '/v1/admin/trucks', { name: options.truckName, ...options.at });
  if (truck.status !== 201) throw new Error(`creating truck ${options.truckName} failed: ${truck.status} ${JSON.stringify(truck.body)}`);
  const truckId: string = truck.body.truck.id;

  const now = Date.now();
  const campaign = await adminRequest(baseUrl, 'POST', '/v1/admin/campaigns', {
    name: options.campaignName,
    truckIds: [truckId],
    window: { start: instantToLocal(now - 60_000, LUNCH_TIME_ZONE), end: instantToLocal(now + 3_600_000, LUNCH_TIME_ZONE) },
    radiusM: options.radiusM,
    benefit: { kind: 'percent', value: 10 },
  });
  if (campaign.status !== 201) throw new Error(`creating campaign ${options.campaignName} failed: ${campaign.status} ${JSON.stringify(campaign.body)}`);
  const campaignId: string = campaign.body.campaign.id;
  return { truckId, campaignId, fenceId: `${campaignId}:${truckId}` };
}
