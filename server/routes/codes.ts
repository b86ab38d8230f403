import { Hono } from 'hono';
import { z } from 'zod';
import { CloudburstError } from '../../common/errors.js';
import { normalizeCodeInput } from '../codes.js';
import { redeemCode } from '../redemption.js';
import { getCodeInfo } from '../repos/codes.js';
import type { ServerServices } from '../services.js';
import { parseInput } from '../../common/validation.js';
import { readJson } from './json-body.js';

/** Ids are stored lowercase; accepting either case keeps lookups exact. */
const uuid = z
  .string()
  .uuid('expected a UUID')
  .transform((id) => id.toLowerCase());

/**
 * Typed codes get spaces and lower case removed later, so the raw text may exceed the stored
 * 20 characters. An empty code passes here, so the redemption rejects it with the reason `malformed`.
 */
const typedCode = z.string({ error: 'expected the code as a string, like "WRAP-7788"' }).max(64, 'expected at most 64 characters');

const redeemSchema = z.strictObject({
  code: typedCode,
  truckId: uuid.optional(),
  campaignId: uuid.optional(),
  customer: z
    .strictObject({
      contactId: uuid.optional(),
      deviceId: uuid.optional(),
      phone: z.string().max(32).optional(),
      email: z.string().max(254).optional(),
    })
    .default({}),
});

export interface CodeRoutesOptions {
  /** Clock for redemptions, in epoch milliseconds; Date.now by default. */
  now?: () => number;
}

/**
 * Builds the discount code API, mounted under `/v1/admin` behind `requireAdmin`.
 * A rejected redemption responds with the error body plus `reason`: 409 for
 * `already_redeemed`, 400 for the other reasons.
 */
export function codeRoutes(services: ServerServices, options: CodeRoutesOptions = {}): Hono {
  const { db } = services;
  const now = options.now ?? Date.now;
  const app = new Hono();

  // POST /codes/redeem { code, truckId?, campaignId?, customer?: { contactId?, deviceId?, phone?, email? } }
  app.post('/codes/redeem', async (c) => {
    const input = parseInput(redeemSchema, await readJson(c));
    const redemption = await redeemCode(db, { ...input, at: now() });
    return c.json({ redemption });
  });

  // GET /codes/:code: campaign, segment, recipient, window and redemptions of one code.
  app.get('/codes/:code', async (c) => {
    const raw = parseInput(typedCode, c.req.param('code'), 'code');
    const code = normalizeCodeInput('code', raw);
    const info = await getCodeInfo(db, code);
    if (!info) throw new CloudburstError('not_found', `code ${code} not found`, { field: 'code', value: code });
    return c.json({ code: info });
  });

  return app;
}
