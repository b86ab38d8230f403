import { randomUUID } from 'node:crypto';
import { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../common/logger.js';
import type { Db } from '../../store/types.js';
import { openMemoryStore, type TestStore } from '../../test/stores.js';
import { errorResponse } from '../http-errors.js';
import { insertCampaign } from '../repos/campaigns.js';
import { issueRecipientCode } from '../repos/codes.js';
import { upsertTruck } from '../repos/trucks.js';
import type { ServerServices } from '../services.js';
import { codeOfferRoutes } from './code-offers.js';

const NOW = Date.parse('2026-12-04T20:00:00.000Z');
const HOUR_MS = 3_600_000;

describe('public code lookup', () => {
  let store: TestStore;
  let db: Db;
  let app: Hono;
  let clock = NOW;

  beforeAll(async () => {
    store = await openMemoryStore();
    db = store.db;
    app = new Hono();
    app.onError((error, c) => errorResponse(error, c, silentLogger()));
    app.route('/v1', codeOfferRoutes({ db } as unknown as ServerServices, { logger: silentLogger(), now: () => clock, rateLimit: { max: 100 } }));
  });

  afterAll(async () => {
    await store?.dispose();
  });

  async function issue(validFrom: number, validUntil: number): Promise<{ code: string; truckId: string }> {
    const { truck } = await upsertTruck(db, { name: 'Dumpling Duo', lat: 37.77, lon: -122.41, timeZone: 'America/Los_Angeles' });
    const campaignId = await insertCampaign(db, {
      name: 'Dumpling hour',
      window: { start: '2026-12-04T11:00', end: '2026-12-04T13:00' },
      radiusM: 200,
      benefit: { kind: 'amount', value: 300, currency: 'USD', description: '$3 off', minSpendMinor: 1200 } as never,
      truckIds: [truck.id],
      segments: [{ source: 'group', name: 'Walkers' }],
    });
    const [segment] = await db.query<{ id: string }>(`SELECT id FROM segments WHERE campaign_id = $1`, [campaignId]);
    const contactId = randomUUID();
    await db.query(`INSERT INTO contacts (id, first_name) VALUES ($1, 'Li')`, [contactId]);
    const { code } = await issueRecipientCode(db, { campaignId, segmentId: segment!.id, contactId, validFrom, validUntil });
    return { code, truckId: truck.id };
  }

  async function lookup(code: string, via: Hono = app) {
    const response = await via.request(`/v1/codes/${encodeURIComponent(code)}/offer`);
    return { status: response.status, headers: response.headers, body: (await response.json()) as Record<string, any> };
  }

  it('tells what a code gives, where and whether it works now', async () => {
    const { code, truckId } = await issue(NOW - HOUR_MS, NOW + HOUR_MS);
    const usable = await lookup(` ${code.toLowerCase()} `);
    expect(usable.status).toBe(200);
    expect(usable.body.offer).toEqual({
      code,
      campaignName: 'Dumpling hour',
      benefit: { kind: 'amount', value: 300, currency: 'USD', description: '$3 off', minSpendMinor: 1200 },
      validFrom: new Date(NOW - HOUR_MS).toISOString(),
      validUntil: new Date(NOW + HOUR_MS).toISOString(),
      state: 'usable',
      trucks: [{ id: truckId, name: 'Dumpling Duo', lat: 37.77, lon: -122.41, timeZone: 'America/Los_Angeles' }],
    });
    expect(JSON.stringify(usable.body)).not.toContain('contact');

    clock = NOW + 2 * HOUR_MS;
    expect((await lookup(code)).body.offer.state).toBe('expired');
    clock = NOW - 2 * HOUR_MS;
    expect((await lookup(code)).body.offer.state).toBe('not_yet_valid');
    clock = NOW;
  });

  it('names an unknown or malformed code, then limits lookups', async () => {
    const unknown = await lookup('QQQQ7777');
    expect(unknown.status).toBe(404);
    expect(unknown.body.error).toMatchObject({ code: 'not_found', field: 'code', value: 'QQQQ7777' });
    const tooLong = await lookup('A'.repeat(65));
    expect(tooLong.status).toBe(400);
    expect(tooLong.body.error.field).toBe('code');

    const strict = new Hono();
    strict.onError((error, c) => errorResponse(error, c, silentLogger()));
    strict.route('/v1', codeOfferRoutes({ db } as unknown as ServerServices, { logger: silentLogger(), now: () => NOW, rateLimit: { max: 2 } }));
    expect((await lookup('QQQQ7777', strict)).status).toBe(404);
    expect((await lookup('QQQQ7777', strict)).status).toBe(404);
    const limited = await lookup('QQQQ7777', strict);
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(limited.body.error).toMatchObject({ code: 'unavailable', retriable: true });
  });
});
