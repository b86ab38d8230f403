// Needs the real SF cabspotting trajectories in ../shared/data (licensed for internal
// testing only, so they are read from there and never copied here). Skips only when
// that folder is absent; CI always has it and fails on any skipped test.
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { silentLogger } from '../common/logger.js';
import { BUNDLED_PERMITS, defaultDataFile } from '../demo/data-files.js';
import { runReplay, type ReplayResult } from '../demo/replay.js';
import { startCloudburst, type RunningCloudburst } from '../server/app-server.js';
import { backendOptions } from './backend.js';
import { firstInFencePairs, postgisDistances } from './oracle.js';

const TRAJECTORIES = defaultDataFile('sf_cabspotting_2008-06-04_1100-1300_PDT.csv');
const RADIUS_M = 250;
/** Disagreements are accepted only this close to the fence boundary (metres). */
const BOUNDARY_TOLERANCE_M = 0.05;

describe.skipIf(!existsSync(TRAJECTORIES))('replay of SF trajectories against PostGIS', () => {
  let dataDir: string;
  let server: RunningCloudburst;
  let result: ReplayResult;

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'cloudburst-replay-'));
    server = await startCloudburst({
      dataDir,
      port: 0,
      host: '127.0.0.1',
      adminToken: 'replay-test-token',
      logger: silentLogger(),
      ...(await backendOptions()),
    });
    result = await runReplay({
      url: server.url,
      adminToken: server.adminToken,
      trajectoriesFile: TRAJECTORIES,
      permitsFile: BUNDLED_PERMITS,
      speedup: 400,
      minutes: 40,
      radiusM: RADIUS_M,
      WebSocket,
    });
  }, 300_000);

  afterAll(async () => {
    await server?.stop();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('acknowledges every ping sent', () => {
    expect(result.summary.pingsSent).toBeGreaterThan(5_000);
    expect(result.summary.pingsAcknowledged).toBe(result.summary.pingsSent);
  });

  it('sends at least a dozen offers', () => {
    expect(result.summary.offersReceived).toBeGreaterThanOrEqual(12);
  });

  it('issues at most one offer per device', () => {
    const devices = result.offers.map((offer) => offer.deviceId);
    expect(new Set(devices).size).toBe(devices.length);
  });

  it('matches the PostGIS first in-fence ping pair for pair', async () => {
    const expected = await firstInFencePairs(result.trucks, result.sent, RADIUS_M);
    expect(expected.length).toBeGreaterThanOrEqual(12);

    // A fresh device numbers its pings 1, 2, 3... in sending order.
    const seqOfFix = new Map<number, number>();
    const sentPerTrajectory = new Map<string, number>();
    result.sent.forEach((fix, index) => {
      const seq = (sentPerTrajectory.get(fix.trajectoryId) ?? 0) + 1;
      sentPerTrajectory.set(fix.trajectoryId, seq);
      seqOfFix.set(index, seq);
    });

    const expectedByTrajectory = new Map(expected.map((pair) => [pair.trajectoryId, pair]));
    const actualByTrajectory = new Map(result.offers.map((offer) => [offer.trajectoryId, offer]));
    const trucks = new Map(result.trucks.map((truck) => [truck.id, truck]));

    for (const trajectoryId of new Set([...expectedByTrajectory.keys(), ...actualByTrajectory.keys()])) {
      const want = expectedByTrajectory.get(trajectoryId);
      const got = actualByTrajectory.get(trajectoryId);
      const wantKey = want ? `${want.truckId}@${seqOfFix.get(want.fixIndex)}` : 'none';
      const gotKey = got ? `${got.truckId}@${got.ping.seq}` : 'none';
      if (wantKey === gotKey) continue;

      // A disagreement is allowed only where the deciding ping lies within a few
      // centimetres of the boundary, where haversine in doubles and PostGIS may round apart.
      const candidates = [];
      if (want) candidates.push({ a: result.sent[want.fixIndex]!, b: trucks.get(want.truckId)! });
      if (got) candidates.push({ a: got.ping, b: trucks.get(got.truckId)! });
      const distances = await postgisDistances(candidates);
      const nearestToBoundary = Math.min(...distances.map((distance) => Math.abs(distance - RADIUS_M)));
      expect(nearestToBoundary, `trajectory ${trajectoryId}: PostGIS ${wantKey}, engine ${gotKey}`).toBeLessThan(BOUNDARY_TOLERANCE_M);
    }
  });

  it('lists the same offers through the admin API', async () => {
    const response = await fetch(`${server.url}/v1/admin/campaigns/${result.summary.campaignId}/offers`, {
      headers: { authorization: `Bearer ${server.adminToken}` },
    });
    expect(response.status).toBe(200);
    const { offers } = (await response.json()) as { offers: Array<{ offerId: string; code: string }> };
    expect(offers.map((offer) => offer.offerId).sort()).toEqual(result.offers.map((offer) => offer.offerId).sort());
    expect(offers.map((offer) => offer.code).sort()).toEqual(result.offers.map((offer) => offer.code).sort());
  });
});
