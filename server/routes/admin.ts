import { Hono } from 'hono';
import type { Logger } from '../../common/logger.js';
import { z } from 'zod';
import { CloudburstError } from '../../common/errors.js';
import { Topics } from '../../bus/types.js';
import type { FenceUpdate } from '../fence-updates.js';
import { listFencesOfTruck } from '../repos/fences.js';
import { listTrucks, moveTruck, upsertTruck, type Truck } from '../repos/trucks.js';
import { replayCampaign } from '../replay.js';
import { assertTimeZone } from '../time-zone.js';
import { parseInput } from '../../common/validation.js';
import type { ServerServices } from '../services.js';
import { readJson } from './json-body.js';
import { uuidParam } from './params.js';

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
