import { Hono } from 'hono';
import { z } from 'zod';
import { CloudburstError } from '../../common/errors.js';
import type { Logger } from '../../common/logger.js';
import { listOutbox } from '../repos/outbox.js';
import { getCampaign } from '../repos/campaigns.js';
import { getSendJob, listSends, releaseHeldJobs, retryJob } from '../repos/send-jobs.js';
import { readSetting, writeSetting } from '../repos/settings.js';
import { DEFAULT_MESSAGING_RULES, MESSAGING_RULES_TTL_MS, QUIET_HOURS_HOLD, type MessagingRules } from '../sends/policy.js';
import type { ServerServices } from '../services.js';
import { parseInput } from '../../common/validation.js';
import { readJson } from './json-body.js';
import { pageParams, uuidParam } from './params.js';

const MAX_PAGE = 1_000;
const page = z.object(pageParams(MAX_PAGE, 100));

const sendStatus = z.enum(['queued', 'sending', 'sent', 'delivered', 'failed', 'parked', 'skipped', 'cancelled']);

const clock = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'expected a local time like "21:00"');

const messagingRulesSchema = z
  .object({
    quietHours: z.object({ start: clock, end: clock }).strict().nullable(),
    frequencyCap: z
      .object({ max: z.number().int().min(1).max(1_000), perHours: z.number().int().min(1).max(24 * 30) })
      .strict()
      .nullable(),
  })
  .strict();

/** Sends, the outbox and the messaging rules, under `/v1/admin`. */
export function sendRoutes(services: ServerServices, parentLogger: Logger): Hono {
  const logger = parentLogger.child({ component: 'send-api' });
  const { db } = services;
  const app = new Hono();

  // GET /campaigns/:id/sends?status=&limit=&offset=: the jobs, with the reason of each parked or skipped one.
  app.get('/campaigns/:id/sends', async (c) => {
    const campaignId = parseInput(uuidParam, c.req.param('id'), 'id');
    const { limit, offset } = parseInput(page, c.req.query());
    const status = parseInput(sendStatus.optional(), c.req.query('status'), 'status');
    if (!(await getCampaign(db, campaignId))) throw new CloudburstError('not_found', `campaign ${campaignId} not found`, { field: 'id', value: campaignId });
    return c.json({ sends: await listSends(db, campaignId, { status, limit, offset }) });
  });

  // POST /sends/:id/retry: queues a parked, failed or skipped job again, now.
  app.post('/sends/:id/retry', async (c) => {
    const id = parseInput(uuidParam, c.req.param('id'), 'id');
    const existing = await getSendJob(db, id);
    if (!existing) throw new CloudburstError('not_found', `send ${id} not found`, { field: 'id', value: id });
    const job = await retryJob(db, id, Date.now());
    if (!job) throw new CloudburstError('conflict', `send ${id} is ${existing.status}; only parked, failed or skipped sends can be retried`, { field: 'id', value: id });
    logger.info({ jobId: id, campaignId: job.campaignId }, 'send queued again by hand');
    return c.json({ send: job });
  });

  // GET /outbox?campaignId=&limit=&offset=: what channels without a provider would have sent.
  app.get('/outbox', async (c) => {
    const { limit, offset } = parseInput(page, c.req.query());
    const campaignId = parseInput(uuidParam.optional(), c.req.query('campaignId'), 'campaignId');
    return c.json({ messages: await listOutbox(db, { campaignId, limit, offset }) });
  });

  app.get('/settings/messaging', async (c) => c.json({ rules: await readSetting<MessagingRules>(db, 'messaging', DEFAULT_MESSAGING_RULES) }));

  // PUT /settings/messaging { quietHours, frequencyCap }: rules for every contact across campaigns.
  app.put('/settings/messaging', async (c) => {
    const rules = parseInput(messagingRulesSchema, await readJson(c));
    await writeSetting(db, 'messaging', rules);
    // Messages held for the old quiet hours are checked again once every sender has read the new rules.
    const released = await releaseHeldJobs(db, QUIET_HOURS_HOLD, Date.now() + MESSAGING_RULES_TTL_MS);
    logger.info({ rules, released }, 'messaging rules changed');
    return c.json({ rules });
  });

  return app;
}
