// Replays the real SF lunch slice from ../shared/data (licensed for internal testing only,
// never copied here). Skips only where that folder is absent; CI fails on any skip.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultDataFile } from '../demo/data-files.js';
import { instantToLocal } from '../server/time-zone.js';
import { adminRequest, startTestServer } from './helpers.js';

const run = promisify(execFile);
const REPO = path.resolve(import.meta.dirname, '..');
const TRAJECTORIES = defaultDataFile('sf_cabspotting_2008-06-04_1100-1300_PDT.csv');

describe('cloudburst demo help', () => {
  it('says the menu prices are made up', async () => {
    const { stdout } = await run(process.execPath, ['--import', 'tsx', 'cli/cloudburst.ts', 'demo', '--help'], { cwd: REPO, timeout: 60_000 });
    expect(stdout).toContain('The permit file has no prices, so the menu prices are made up:');
    expect(stdout).toMatch(/^ {2}drinks and coffee +\$3\.00 to \$4\.50$/m);
    expect(stdout).toMatch(/^ {2}tacos and hot dogs +\$4\.50 to \$6\.50$/m);
    expect(stdout).toMatch(/^ {2}plates, burritos and sandwiches +\$9\.00 to \$13\.00$/m);
    expect(stdout).toMatch(/^ {2}anything else +\$8\.00$/m);
  });
});

describe.skipIf(!existsSync(TRAJECTORIES))('cloudburst demo command', () => {
  let server: Awaited<ReturnType<typeof startTestServer>>;
  let summary: Record<string, any>;
  let lines: Array<Record<string, any>>;

  beforeAll(async () => {
    server = await startTestServer();
    const out = path.join(server.dataDir, 'offers.jsonl');
    // The built CLI, as `npm run demo` would run it; `npm test` builds dist/ first.
    const { stdout } = await run(
      process.execPath,
      ['dist/cli/cloudburst.js', 'demo', '--url', server.url, '--token', server.adminToken, '--minutes', '15', '--speedup', '300', '--radius', '300', '--out', out],
      { cwd: REPO, timeout: 120_000 },
    );
    summary = JSON.parse(stdout.trim().split('\n').at(-1)!);
    lines = (await readFile(out, 'utf8')).trim().split('\n').map((line) => JSON.parse(line));
  }, 180_000);

  afterAll(async () => {
    await server?.cleanup();
  });

  it('prints the summary line', () => {
    expect(summary).toMatchObject({ trucks: 58, devices: expect.any(Number), offersReceived: lines.length, menusPublished: 58 });
    expect(summary.pingsSent).toBeGreaterThan(3_000);
    expect(summary.pingsAcknowledged).toBe(summary.pingsSent);
    expect(summary.latencyMs.p50).toBeGreaterThan(0);
    expect(summary.latencyMs.p99).toBeGreaterThanOrEqual(summary.latencyMs.p50);
  });

  it('publishes a menu for every truck', async () => {
    const { body } = await adminRequest(server.url, 'GET', '/v1/admin/trucks');
    const trucks = body.trucks as Array<{ id: string; permitLocationId: string | null; timeZone: string }>;
    expect(trucks).toHaveLength(58);
    const prefix = `${server.url}/order?truck=`;
    expect(summary.orderPageUrl.startsWith(prefix)).toBe(true);
    expect(trucks.map((truck) => truck.id)).toContain(summary.orderPageUrl.slice(prefix.length));

    for (const truck of trucks) {
      const stored = await adminRequest(server.url, 'GET', `/v1/admin/trucks/${truck.id}/menu`);
      expect(stored.status, truck.id).toBe(200);
      expect(stored.body.menu.currency).toBe('USD');
      expect(stored.body.menu.specials).toEqual([
        { itemId: stored.body.menu.items[0].id, date: instantToLocal(Date.now(), truck.timeZone).slice(0, 10), quantity: 20, priceMinor: expect.any(Number) },
      ]);
    }
  });

  it('builds the menus from the permit food items', async () => {
    const { body } = await adminRequest(server.url, 'GET', '/v1/admin/trucks');
    // Buenafe's permit lists "Tacos: Burritos: Quesadillas: Tortas".
    const buenafe = (body.trucks as Array<{ id: string; permitLocationId: string | null }>).find((truck) => truck.permitLocationId === '1575171')!;
    const stored = await adminRequest(server.url, 'GET', `/v1/admin/trucks/${buenafe.id}/menu`);
    expect(stored.body.menu.items.map((item: { id: string; name: string }) => [item.id, item.name])).toEqual([
      ['tacos', 'Tacos'],
      ['burritos', 'Burritos'],
      ['quesadillas', 'Quesadillas'],
      ['tortas', 'Tortas'],
    ]);

    const published = await fetch(`${server.url}/v1/trucks/${buenafe.id}/menu`);
    expect(published.status).toBe(200);
    const { menu } = (await published.json()) as { menu: { items: Array<{ id: string; priceMinor: number; regularPriceMinor?: number; special?: { quantity: number } }> } };
    expect(menu.items[0]).toMatchObject({ id: 'tacos', priceMinor: 520, regularPriceMinor: 650, special: { quantity: 20 } });
  });

  it('writes one line per offer with its origin', () => {
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) {
      expect(line.trajectoryId).toMatch(/^[a-z]+$/);
      expect(line.permitLocationId).toMatch(/^\d+$/);
      expect(line.code).toMatch(/^[23456789ABCDEFGHJKMNPQRSTUVWXYZ]{8}$/);
      expect(line.ping.recordedAt).toMatch(/^2008-06-04T/);
      expect(Number.isFinite(line.ping.lat)).toBe(true);
      expect(Number.isFinite(line.ping.lon)).toBe(true);
      expect(line.distanceM).toBeLessThanOrEqual(300);
      expect(line.latencyMs).toBeGreaterThan(0);
    }
  });
});
