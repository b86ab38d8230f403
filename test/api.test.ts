import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { instantToLocal } from '../server/time-zone.js';
import { adminRequest, startTestServer } from './helpers.js';

type Server = Awaited<ReturnType<typeof startTestServer>>;

describe('admin API', () => {
  let server: Server;

  beforeAll(async () => {
    server = await startTestServer();
  });

  afterAll(async () => {
    await server?.cleanup();
  });

  it('answers healthz when ready', async () => {
    const response = await fetch(`${server.url}/healthz`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ok' });
  });

  it('rejects a missing admin token', async () => {
    const response = await fetch(`${server.url}/v1/admin/trucks`);
    expect(response.status).toBe(401);
    expect(((await response.json()) as any).error.code).toBe('unauthorized');
  });

  it('rejects a wrong admin token', async () => {
    const { status, body } = await adminRequest(server.url, 'GET', '/v1/admin/trucks', undefined, 'wrong');
    expect(status).toBe(401);
    expect(body.error.message).toBe('invalid admin token');
  });

  it('creates and lists a truck', async () => {
    const created = await adminRequest(server.url, 'POST', '/v1/admin/trucks', { name: 'Taco Cloud', lat: 37.7749, lon: -122.4194 });
    expect(created.status).toBe(201);
    expect(created.body.truck).toMatchObject({ name: 'Taco Cloud', timeZone: 'America/Los_Angeles' });
    expect(created.body.truck.lat).toBeCloseTo(37.7749, 9);

    const listed = await adminRequest(server.url, 'GET', '/v1/admin/trucks');
    expect(listed.body.trucks.map((truck: { id: string }) => truck.id)).toContain(created.body.truck.id);
  });

  it('names the field and value of an invalid truck latitude', async () => {
    const { status, body } = await adminRequest(server.url, 'POST', '/v1/admin/trucks', { name: 'X', lat: 91, lon: 0 });
    expect(status).toBe(400);
    expect(body.error).toMatchObject({ code: 'invalid_input', field: 'lat', value: 91 });
    expect(body.error.message).toContain('invalid lat: 91');
  });

  it('rejects an unknown time zone', async () => {
    const { status, body } = await adminRequest(server.url, 'POST', '/v1/admin/trucks', { name: 'X', lat: 1, lon: 1, timeZone: 'Mars/Olympus' });
    expect(status).toBe(400);
    expect(body.error).toMatchObject({ field: 'timeZone', value: 'Mars/Olympus' });
  });

  it('rejects a body that is not JSON', async () => {
    const { status, body } = await adminRequest(server.url, 'POST', '/v1/admin/trucks', '{"name":');
    expect(status).toBe(400);
    expect(body.error.field).toBe('(body)');
  });

  it('creates a campaign with one fence per truck', async () => {
    const truck = await adminRequest(server.url, 'POST', '/v1/admin/trucks', { name: 'Curry Up', lat: 37.78, lon: -122.41 });
    const now = Date.now();
    const { status, body } = await adminRequest(server.url, 'POST', '/v1/admin/campaigns', {
      name: 'Lunch burst',
      truckIds: [truck.body.truck.id],
      window: { start: instantToLocal(now, 'America/Los_Angeles'), end: instantToLocal(now + 3_600_000, 'America/Los_Angeles') },
      radiusM: 150,
      benefit: { kind: 'percent', value: 15 },
    });
    expect(status).toBe(201);
    expect(body.fences).toBe(1);
    expect(body.campaign).toMatchObject({ name: 'Lunch burst', radiusM: 150, status: 'active', truckIds: [truck.body.truck.id] });
    expect(body.campaign.benefit).toEqual({ kind: 'percent', value: 15, description: '15% off' });
    expect(body.campaign.segments).toEqual([expect.objectContaining({ source: 'nearby' })]);
    expect(server.services.engine.fenceCount).toBeGreaterThanOrEqual(1);

    const offers = await adminRequest(server.url, 'GET', `/v1/admin/campaigns/${body.campaign.id}/offers`);
    expect(offers.status).toBe(200);
    expect(offers.body.offers).toEqual([]);
  });

  it('keeps campaign rules and fills in the defaults', async () => {
    const truck = await adminRequest(server.url, 'POST', '/v1/admin/trucks', { name: 'Slow Dwell', lat: 37.781, lon: -122.411 });
    const now = Date.now();
    const { status, body } = await adminRequest(server.url, 'POST', '/v1/admin/campaigns', {
      name: 'Dwell first',
      truckIds: [truck.body.truck.id],
      window: { start: instantToLocal(now, 'America/Los_Angeles'), end: instantToLocal(now + 3_600_000, 'America/Los_Angeles') },
      radiusM: 150,
      benefit: { kind: 'percent', value: 15 },
      rules: { offerOn: 'dwell', dwellMs: 120_000 },
    });
    expect(status).toBe(201);
    expect(body.campaign.rules).toEqual({
      dwellMs: 120_000,
      offerOn: 'dwell',
      exitMarginM: 25,
      staleAfterMs: 900_000,
      maxAccuracyM: 100,
      maxSpeedMps: 70,
    });

    // The engine got the fence with the campaign's rules, before the reply.
    const fence = server.services.engine.fencesNear(37.781, -122.411).find((candidate) => candidate.campaignId === body.campaign.id);
    expect(fence?.rules).toMatchObject({ offerOn: 'dwell', dwellMs: 120_000, exitMarginM: 25 });
  });

  it('rejects a campaign rule out of range, naming it', async () => {
    const { status, body } = await adminRequest(server.url, 'POST', '/v1/admin/campaigns', {
      name: 'Too strict',
      truckIds: 'all',
      window: { start: '2026-12-04T11:00', end: '2026-12-04T13:00' },
      radiusM: 100,
      benefit: { kind: 'percent', value: 10 },
      rules: { maxSpeedMps: -5 },
    });
    expect(status).toBe(400);
    expect(body.error).toMatchObject({ field: 'rules.maxSpeedMps', value: -5 });
  });

  it('names the real bound of a huge dwell time', async () => {
    const { status, body } = await adminRequest(server.url, 'POST', '/v1/admin/campaigns', {
      name: 'Forever',
      truckIds: 'all',
      window: { start: '2026-12-04T11:00', end: '2026-12-04T13:00' },
      radiusM: 100,
      benefit: { kind: 'percent', value: 10 },
      rules: { dwellMs: 1e20 },
    });
    expect(status).toBe(400);
    expect(body.error.field).toBe('rules.dwellMs');
    expect(body.error.message).toContain('86400000');
  });

  it('rejects an unknown campaign rule', async () => {
    const { status, body } = await adminRequest(server.url, 'POST', '/v1/admin/campaigns', {
      name: 'Typo',
      truckIds: 'all',
      window: { start: '2026-12-04T11:00', end: '2026-12-04T13:00' },
      radiusM: 100,
      benefit: { kind: 'percent', value: 10 },
      rules: { dwelMs: 1_000 },
    });
    expect(status).toBe(400);
    expect(body.error.field).toBe('rules');
    expect(body.error.message).toContain('dwelMs');
  });

  it('rejects a campaign window that ends before it starts', async () => {
    const { status, body } = await adminRequest(server.url, 'POST', '/v1/admin/campaigns', {
      name: 'Backwards',
      truckIds: 'all',
      window: { start: '2026-12-04T13:00', end: '2026-12-04T11:00' },
      radiusM: 100,
      benefit: { kind: 'percent', value: 10 },
    });
    expect(status).toBe(400);
    expect(body.error).toMatchObject({ field: 'window.end', value: '2026-12-04T11:00' });
  });

  it('rejects a percent benefit above 100', async () => {
    const { status, body } = await adminRequest(server.url, 'POST', '/v1/admin/campaigns', {
      name: 'Too generous',
      truckIds: 'all',
      window: { start: '2026-12-04T11:00', end: '2026-12-04T13:00' },
      radiusM: 100,
      benefit: { kind: 'percent', value: 150 },
    });
    expect(status).toBe(400);
    expect(body.error).toMatchObject({ field: 'benefit.value', value: 150 });
  });

  it('rejects an unknown truck id in a campaign', async () => {
    const missing = '00000000-0000-4000-8000-000000000000';
    const { status, body } = await adminRequest(server.url, 'POST', '/v1/admin/campaigns', {
      name: 'Ghost',
      truckIds: [missing],
      window: { start: '2026-12-04T11:00', end: '2026-12-04T13:00' },
      radiusM: 100,
      benefit: { kind: 'percent', value: 10 },
    });
    expect(status).toBe(400);
    expect(body.error.message).toContain(missing);
  });

  it('answers 404 for offers of an unknown campaign', async () => {
    const { status, body } = await adminRequest(server.url, 'GET', '/v1/admin/campaigns/00000000-0000-4000-8000-000000000000/offers');
    expect(status).toBe(404);
    expect(body.error.code).toBe('not_found');
  });

  it('registers a device and stores only the token hash', async () => {
    const response = await fetch(`${server.url}/v1/devices`, { method: 'POST' });
    expect(response.status).toBe(201);
    const { deviceId, token } = (await response.json()) as { deviceId: string; token: string };
    expect(token.length).toBeGreaterThanOrEqual(40);

    const rows = await server.services.db.query<{ token_hash: string }>('SELECT token_hash FROM devices WHERE id = $1', [deviceId]);
    expect(rows[0]!.token_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(rows[0]!.token_hash).not.toContain(token);
  });

  it('answers unknown API paths with a JSON 404', async () => {
    const response = await fetch(`${server.url}/v1/nothing-here`);
    expect(response.status).toBe(404);
    expect(((await response.json()) as any).error.code).toBe('not_found');
  });

  it('serves the console page outside the API', async () => {
    const response = await fetch(`${server.url}/some/console/route`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/html');
  });

  it('allows device registration from another origin', async () => {
    const response = await fetch(`${server.url}/v1/devices`, {
      method: 'OPTIONS',
      headers: { origin: 'https://truck.example', 'access-control-request-method': 'POST' },
    });
    expect(response.status).toBe(204);
    expect(response.headers.get('access-control-allow-origin')).toBe('*');
  });

  it('moves fences when a truck is updated by permit', async () => {
    const first = await adminRequest(server.url, 'POST', '/v1/admin/trucks', { name: 'Permit Truck', lat: 37.70, lon: -122.45, permitLocationId: 'P-42' });
    expect(first.status).toBe(201);
    const now = Date.now();
    await adminRequest(server.url, 'POST', '/v1/admin/campaigns', {
      name: 'Follow the truck',
      truckIds: [first.body.truck.id],
      window: { start: instantToLocal(now, 'America/Los_Angeles'), end: instantToLocal(now + 3_600_000, 'America/Los_Angeles') },
      radiusM: 100,
      benefit: { kind: 'amount', value: 500, currency: 'JPY' },
    });

    const second = await adminRequest(server.url, 'POST', '/v1/admin/trucks', { name: 'Permit Truck', lat: 37.71, lon: -122.46, permitLocationId: 'P-42' });
    expect(second.status).toBe(200);
    expect(second.body.truck.id).toBe(first.body.truck.id);

    // The engine applies fence updates from the bus, so wait for it to catch up.
    await expect.poll(() => server.services.engine.fencesNear(37.71, -122.46).length).toBe(1);
    expect(server.services.engine.fencesNear(37.70, -122.45)).toEqual([]);
    const rows = await server.services.db.query<{ lat: number }>(
      'SELECT ST_Y(center::geometry) AS lat FROM fences WHERE truck_id = $1',
      [first.body.truck.id],
    );
    expect(rows.map((row) => Number(row.lat))).toEqual([37.71]);
  });

  it("describes amounts in the currency's own decimals", async () => {
    const campaigns = await adminRequest(server.url, 'GET', '/v1/admin/campaigns');
    const yen = campaigns.body.campaigns.find((campaign: { name: string }) => campaign.name === 'Follow the truck');
    expect(yen.benefit.description).toBe('¥500 off');
  });

  it('clips a long invalid value in the error', async () => {
    const { status, body } = await adminRequest(server.url, 'POST', '/v1/admin/trucks', { name: 'x'.repeat(400), lat: 1, lon: 1 });
    expect(status).toBe(400);
    expect(body.error.field).toBe('name');
    expect(String(body.error.value).length).toBeLessThanOrEqual(121);
  });

  it('rejects a NUL character naming the field', async () => {
    const { status, body } = await adminRequest(server.url, 'POST', '/v1/admin/trucks', { name: 'a\u0000b', lat: 37.78, lon: -122.41 });
    expect(status).toBe(400);
    expect(body.error.field).toBe('name');
    expect(body.error.message).toContain('NUL');
  });

  it('rejects absurdly deep nesting', async () => {
    const deep = '['.repeat(100_000) + ']'.repeat(100_000);
    const { status, body } = await adminRequest(server.url, 'POST', '/v1/admin/trucks', deep);
    expect(status).toBe(400);
    expect(body.error.code).toBe('invalid_input');
  });

  it('accepts an uppercase truck id', async () => {
    const created = await adminRequest(server.url, 'POST', '/v1/admin/trucks', { name: 'Upper', lat: 37.6, lon: -122.3 });
    const id = String(created.body.truck.id).toUpperCase();
    const moved = await adminRequest(server.url, 'PUT', `/v1/admin/trucks/${id}/position`, { lat: 37.61, lon: -122.31 });
    expect(moved.status).toBe(200);
    expect(moved.body.truck.id).toBe(created.body.truck.id);
  });

  it('rejects a window before the year 2000', async () => {
    const { status, body } = await adminRequest(server.url, 'POST', '/v1/admin/campaigns', {
      name: 'Ancient',
      truckIds: 'all',
      window: { start: '0050-01-05T11:00', end: '0050-01-05T13:00' },
      radiusM: 100,
      benefit: { kind: 'percent', value: 10 },
    });
    expect(status).toBe(400);
    expect(body.error).toMatchObject({ field: 'window.start', value: '0050-01-05T11:00' });
  });
});
