import { Hono } from 'hono';
import { z } from 'zod';
import { CloudburstError } from '../../common/errors.js';
import type { Logger } from '../../common/logger.js';
import type { OfferBenefit } from '../../common/protocol.js';
import { parseInput } from '../../common/validation.js';
import { normalizeCodeInput } from '../codes.js';
import { getCampaign } from '../repos/campaigns.js';
import { getCodeInfo } from '../repos/codes.js';
import { getTrucks } from '../repos/trucks.js';
import type { ServerServices } from '../services.js';
import { SlidingWindowLimiter, type RateLimitOptions } from '../signup/rate-limit.js';
import { socketAddress } from './client-address.js';

/** Typed codes lose spaces and lower case later, so the raw text may be longer than a stored code. */
const typedCode = z.string().min(1, 'expected a code').max(64, 'expected at most 64 characters');

/**
 * Lookups one address may make: a customer opens a link a few times, while guessing
 * 8-character codes from a 31-letter alphabet at this pace would take millennia.
 */
const DEFAULT_LOOKUP_LIMIT: Omit<RateLimitOptions, 'now'> = { max: 30, windowMs: 60_000, maxClients: 10_000 };

/** Whether the code can still be used for an order now: the reason when it cannot. */
export type CodeOfferState = 'usable' | 'not_yet_valid' | 'expired' | 'redeemed' | 'campaign_ended';

export interface CodeOffer {
  code: string;
  campaignName: string;
  benefit: OfferBenefit & { minSpendMinor?: number };
  validFrom: string;
  validUntil: string;
  state: CodeOfferState;
  trucks: Array<{ id: string; name: string; lat: number; lon: number; timeZone: string }>;
}

export interface CodeOfferRoutesOptions {
  logger: Logger;
  now?: () => number;
  rateLimit?: Partial<Omit<RateLimitOptions, 'now'>>;
}

/**
 * Builds the public lookup behind the order link in campaign messages (`/order?code=…`):
 * what a code gives and at which trucks, so the customer's page can open the right menu.
 * The reply contains nothing about the recipient.
 */
export function codeOfferRoutes(services: ServerServices, options: CodeOfferRoutesOptions): Hono {
  const now = options.now ?? Date.now;
  const logger = options.logger.child({ component: 'code-offers' });
  const limiter = new SlidingWindowLimiter({ ...DEFAULT_LOOKUP_LIMIT, ...options.rateLimit, now });
  const app = new Hono();

  // GET /codes/:code/offer → { offer: CodeOffer }; 404 for an unknown code, 429 past the lookup limit.
  app.get('/codes/:code/offer', async (c) => {
    const client = socketAddress(c) ?? 'unknown';
    const decision = limiter.take(client);
    if (!decision.allowed) {
      if (decision.first) logger.warn({ client, retryAfterSeconds: decision.retryAfterSeconds }, 'code lookup limit reached; rejecting this client until its window frees');
      c.header('Retry-After', String(decision.retryAfterSeconds));
      return c.json({ error: { code: 'unavailable', message: `too many code lookups from this address; retry in ${decision.retryAfterSeconds} s`, retriable: true } }, 429);
    }

    const code = normalizeCodeInput('code', parseInput(typedCode, c.req.param('code'), 'code'));
    const info = await getCodeInfo(services.db, code);
    const campaign = info && (await getCampaign(services.db, info.campaign.id));
    if (!info || !campaign) throw new CloudburstError('not_found', `code ${code} not found; check the code as written`, { field: 'code', value: code });

    const trucks = await getTrucks(services.db, campaign.truckIds);
    const { valid: _valid, ...benefit } = campaign.benefit;
    const offer: CodeOffer = {
      code: info.code,
      campaignName: campaign.name,
      benefit,
      validFrom: info.validFrom,
      validUntil: info.validUntil,
      state: offerState(info, campaign.status, now()),
      trucks: trucks.map((truck) => ({ id: truck.id, name: truck.name, lat: truck.lat, lon: truck.lon, timeZone: truck.timeZone })),
    };
    c.header('Cache-Control', 'no-store');
    return c.json({ offer });
  });

  return app;
}

function offerState(
  info: { singleUse: boolean; redeemedAt: string | null; validFrom: string; validUntil: string },
  campaignStatus: string,
  at: number,
): CodeOfferState {
  if (campaignStatus === 'ended') return 'campaign_ended';
  if (info.singleUse && info.redeemedAt !== null) return 'redeemed';
  if (at < Date.parse(info.validFrom)) return 'not_yet_valid';
  if (at >= Date.parse(info.validUntil)) return 'expired';
  return 'usable';
}
