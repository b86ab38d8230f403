import { Hono } from 'hono';
import type { Logger } from '../../common/logger.js';
import { z } from 'zod';
import { CloudburstError } from '../../common/errors.js';
import { Topics } from '../../bus/types.js';
import { createCampaign } from '../campaigns.js';
import type { FenceUpdate } from '../fence-updates.js';
import { getCampaign, listCampaigns } from '../repos/campaigns.js';
import { listOffersOfCampaign } from '../repos/offers.js';
import { listFencesOfTruck } from '../repos/fences.js';
import { listTrucks, moveTruck, upsertTruck, type Truck } from '../repos/trucks.js';
import { replayCampaign } from '../replay.js';
import { assertTimeZone } from '../time-zone.js';
import { parseInput } from '../validation.js';
import type { ServerServices } from '../services.js';
import { readJson } from './json-body.js';

const latitude = z.number().finite().min(-90).max(90);
const longitude = z.number().finite().min(-180).max(180);

const newTruckSchema = z.object({
  name: z.string().trim().min(1).max(200),
  lat: latitude,
  lon: longitude,
  timeZone: z.string().min(1).max(64).default('America/Los_Angeles'),
  permitLocationId: z.string().min(1).max(64).optional(),
});

const positionSchema = z.object({ lat: latitude, lon: longitude });

/** Ids are stored lowercase; accepting either case keeps store and engine keyed alike. */
const uuidParam = z.string().uuid('expected a UUID').transform((id) => id.toLowerCase());

/** How long creating a campaign waits for this process's engine to apply its fences. */
const FENCE_APPLY_TIMEOUT_MS = 5_000;

/** Most offers one listing returns. */
const MAX_OFFERS_PAGE = 10_000;

/** Builds the admin API under `/v1/admin`. The caller mounts it behind `requireAdmin`. */
export function adminRoutes(services: ServerServices, parentLogger: Logger): Hono {
  const logger = parentLogger.child({ component: 'admin-api' });
  const { db, bus, live } = services;
  const app = new Hono();

  /** Tells every engine and the consoles that a truck and its fences moved. */
  async function announceTruckMoved(truck: Truck): Promise<void> {
    await bus.produce<FenceUpdate>(Topics.fences, [
      { key: truck.id, value: { type: 'truck-moved', truckId: truck.id, lat: truck.lat, lon: truck.lon, at: Date.now() } },
    ]);
    live.publish({ type: 'truck', truck });
    for (const fence of await listFencesOfTruck(db, truck.id)) live.publish({ type: 'fence', fence: services.toLiveFence(fence) });
  }

  // POST /trucks { name, lat, lon, timeZone?, permitLocationId? }
  app.post('/trucks', async (c) => {
    const input = parseInput(newTruckSchema, await readJson(c));
    assertTimeZone('timeZone', input.timeZone);

    const { truck, created } = await db.transaction((tx) => upsertTruck(tx, input));
    if (created) live.publish({ type: 'truck', truck });
    else await announceTruckMoved(truck);
    return c.json({ truck }, created ? 201 : 200);
  });

  app.get('/trucks', async (c) => c.json({ trucks: await listTrucks(db) }));

  // PUT /trucks/:id/position { lat, lon }: the truck and its fences move.
  app.put('/trucks/:id/position', async (c) => {
    const id = parseInput(uuidParam, c.req.param('id'), 'id');
    const { lat, lon } = parseInput(positionSchema, await readJson(c));

    const truck = await db.transaction((tx) => moveTruck(tx, id, lat, lon));
    if (!truck) throw new CloudburstError('not_found', `truck ${id} not found`, { field: 'id', value: id });
    await announceTruckMoved(truck);
    return c.json({ truck });
  });

  // POST /campaigns { name, truckIds, window: { start, end }, radiusM, benefit }
  app.post('/campaigns', async (c) => {
    const { campaign, fences } = await createCampaign(db, await readJson(c));

    await bus.produce<FenceUpdate>(
      Topics.fences,
      fences.map((fence) => ({ key: fence.campaignId, value: { type: 'upsert', fence } })),
    );
    for (const fence of fences) live.publish({ type: 'fence', fence: services.toLiveFence(fence) });

    // Reply once this process's engine has the fences, so pings sent right after the
    // reply meet them. The bus delivers them anyway if this takes longer.
    const fenceIds = fences.map((fence) => fence.id);
    if (!(await services.waitForFences(fenceIds, FENCE_APPLY_TIMEOUT_MS))) {
      logger.warn({ campaignId: campaign.id, fences: fenceIds.length }, 'the engine has not applied the new fences yet; replying anyway');
    }
    return c.json({ campaign, fences: fences.length }, 201);
  });

  app.get('/campaigns', async (c) => c.json({ campaigns: await listCampaigns(db) }));

  app.get('/campaigns/:id', async (c) => {
    const id = parseInput(uuidParam, c.req.param('id'), 'id');
    const campaign = await getCampaign(db, id);
    if (!campaign) throw new CloudburstError('not_found', `campaign ${id} not found`, { field: 'id', value: id });
    return c.json({ campaign });
  });

  // GET /campaigns/:id/offers?limit=N: offers in decision order.
  app.get('/campaigns/:id/offers', async (c) => {
    const id = parseInput(uuidParam, c.req.param('id'), 'id');
    const limit = parseInput(z.coerce.number().int().min(1).max(MAX_OFFERS_PAGE).default(MAX_OFFERS_PAGE), c.req.query('limit'), 'limit');
    const campaign = await getCampaign(db, id);
    if (!campaign) throw new CloudburstError('not_found', `campaign ${id} not found`, { field: 'id', value: id });
    return c.json({ offers: await listOffersOfCampaign(db, id, limit) });
  });

  // POST /replays { campaignId, overrides? } or { definition }, and from?, to?, limit?, bucketMinutes?:
  // runs a campaign over the recorded pings on a private engine; nothing is sent or stored.
  app.post('/replays', async (c) => {
    const startedAt = Date.now();
    const report = await replayCampaign(db, await readJson(c), { maxPings: services.replayMaxPings });
    logger.info(
      { campaignId: report.campaignId, pingsRead: report.totals.pingsRead, devicesReached: report.totals.devicesReached, ms: Date.now() - startedAt },
      'replay finished',
    );
    return c.json(report);
  });

  app.get('/stats', (c) => c.json(services.stats()));

  return app;
}
