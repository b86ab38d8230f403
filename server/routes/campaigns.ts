import { Hono } from 'hono';
import { z } from 'zod';
import { CloudburstError } from '../../common/errors.js';
import type { Logger } from '../../common/logger.js';
import { campaignAnnouncer } from '../campaigns/announce.js';
import { createCampaign, transitionCampaign, updateCampaign } from '../campaigns/service.js';
import { summarizeCampaign } from '../campaigns/summary.js';
import { getCampaign, listCampaigns, type Campaign } from '../repos/campaigns.js';
import { listOffersOfCampaign } from '../repos/offers.js';
import { listTemplatesOfCampaign } from '../repos/templates.js';
import type { ServerServices } from '../services.js';
import { parseInput } from '../../common/validation.js';
import { readJson } from './json-body.js';
import { uuidParam } from './params.js';

/** Most offers one listing returns. */
const MAX_OFFERS_PAGE = 10_000;

const statusBodySchema = z.object({ status: z.enum(['draft', 'scheduled', 'active', 'ended']) }).strict();

/** Campaign routes under `/v1/admin`: define, edit, schedule, end and watch a campaign. */
export function campaignRoutes(services: ServerServices, parentLogger: Logger): Hono {
  const logger = parentLogger.child({ component: 'campaign-api' });
  const { db } = services;
  const app = new Hono();

  const announce = campaignAnnouncer(services, logger);

  async function requireCampaign(id: string): Promise<Campaign> {
    const campaign = await getCampaign(db, id);
    if (!campaign) throw new CloudburstError('not_found', `campaign ${id} not found`, { field: 'id', value: id });
    return campaign;
  }

  // POST /campaigns: a definition (see docs/api.md); `status: "draft"` keeps it off the engine.
  app.post('/campaigns', async (c) => {
    const change = await createCampaign(db, await readJson(c));
    await announce(change);
    logger.info({ campaignId: change.campaign.id, status: change.campaign.status, fences: change.fences.length }, 'campaign created');
    return c.json({ campaign: change.campaign, fences: change.fences.length }, 201);
  });

  // PUT /campaigns/:id: replaces a draft's definition; imported segment members stay.
  app.put('/campaigns/:id', async (c) => {
    const id = parseInput(uuidParam, c.req.param('id'), 'id');
    await requireCampaign(id);
    const campaign = await updateCampaign(db, id, await readJson(c));
    logger.info({ campaignId: id }, 'campaign updated');
    return c.json({ campaign });
  });

  // POST /campaigns/:id/status { status }: schedule, start, unschedule or end.
  app.post('/campaigns/:id/status', async (c) => {
    const id = parseInput(uuidParam, c.req.param('id'), 'id');
    const { status } = parseInput(statusBodySchema, await readJson(c));
    await requireCampaign(id);
    const change = await transitionCampaign(db, id, status);
    await announce(change);
    logger.info({ campaignId: id, status }, 'campaign status changed');
    return c.json({ campaign: change.campaign });
  });

  app.get('/campaigns', async (c) => c.json({ campaigns: await listCampaigns(db) }));

  app.get('/campaigns/:id', async (c) => {
    const id = parseInput(uuidParam, c.req.param('id'), 'id');
    const campaign = await requireCampaign(id);
    return c.json({ campaign, templates: await listTemplatesOfCampaign(db, id) });
  });

  // GET /campaigns/:id/summary: status at a glance: goal, segments, sends, offers, redemptions.
  app.get('/campaigns/:id/summary', async (c) => {
    const id = parseInput(uuidParam, c.req.param('id'), 'id');
    return c.json(await summarizeCampaign(db, await requireCampaign(id)));
  });

  // GET /campaigns/:id/offers?limit=N: offers in decision order.
  app.get('/campaigns/:id/offers', async (c) => {
    const id = parseInput(uuidParam, c.req.param('id'), 'id');
    const limit = parseInput(z.coerce.number().int().min(1).max(MAX_OFFERS_PAGE).default(MAX_OFFERS_PAGE), c.req.query('limit'), 'limit');
    await requireCampaign(id);
    return c.json({ offers: await listOffersOfCampaign(db, id, limit) });
  });

  return app;
}
