import { z } from 'zod';
import type { OfferBenefit } from '../common/protocol.js';
import type { CircleFence } from '../engine/index.js';
import type { Db } from '../store/types.js';
import { getCampaign, insertCampaign, type Campaign } from './repos/campaigns.js';
import { buildCampaignFences, findCampaignTrucks, MAX_WINDOW_MS, resolveTruckWindows } from './campaign-fences.js';
import { insertFence } from './repos/fences.js';
import { parseInput } from './validation.js';

/** Largest fence radius accepted: 50 km covers a metro area; larger is almost surely a unit mistake. */
const MAX_RADIUS_M = 50_000;

const localDateTime = z.string().regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?$/, 'expected a local date-time like "2026-12-04T11:00"');

const benefitSchema = z
  .object({
    kind: z.enum(['percent', 'amount', 'free_item']),
    value: z.number().positive().optional(),
    currency: z.string().regex(/^[A-Z]{3}$/, 'expected an ISO 4217 currency code like "USD"').optional(),
    item: z.string().min(1).max(200).optional(),
    description: z.string().min(1).max(500).optional(),
  })
  .superRefine((benefit, ctx) => {
    if (benefit.kind === 'percent' && (benefit.value === undefined || benefit.value > 100)) {
      ctx.addIssue({ code: 'custom', path: ['value'], message: 'expected a percent above 0 and at most 100 for kind "percent"' });
    }
    if (benefit.kind === 'amount' && (benefit.value === undefined || !Number.isInteger(benefit.value) || !benefit.currency)) {
      ctx.addIssue({ code: 'custom', path: ['value'], message: 'expected an integer amount in minor units and a currency for kind "amount"' });
    }
    if (benefit.kind === 'free_item' && !benefit.item) {
      ctx.addIssue({ code: 'custom', path: ['item'], message: 'expected the item name for kind "free_item"' });
    }
  });

/**
 * The engine's transition rules as a campaign setting; each field left out takes the
 * engine's default (DEFAULT_FENCE_RULES). The bounds catch unit mistakes: a speed
 * limit up to 100 km/s leaves room for replays that run time faster than the clock.
 */
export const fenceRulesSchema = z
  .object({
    // Range before .int(), so a huge value is reported against this bound, not the safe-integer one.
    dwellMs: z.number().min(0).max(86_400_000).int(),
    offerOn: z.enum(['enter', 'dwell']),
    exitMarginM: z.number().min(0).max(5_000),
    staleAfterMs: z.number().min(1_000).max(MAX_WINDOW_MS).int(),
    maxAccuracyM: z.number().positive().max(100_000),
    maxSpeedMps: z.number().positive().max(100_000),
  })
  .partial()
  .strict();

export const newCampaignSchema = z.object({
  name: z.string().trim().min(1).max(200),
  truckIds: z.union([z.literal('all'), z.array(z.string().uuid('expected a truck id (UUID)').transform((id) => id.toLowerCase())).min(1).max(10_000)]),
  window: z.object({ start: localDateTime, end: localDateTime }),
  radiusM: z.number().positive().max(MAX_RADIUS_M),
  benefit: benefitSchema,
  rules: fenceRulesSchema.default({}),
});

export type NewCampaignInput = z.infer<typeof newCampaignSchema>;

export interface CreatedCampaign {
  campaign: Campaign;
  fences: CircleFence[];
}

/**
 * Creates a campaign on the live nearby segment: one circle fence per truck,
 * centred on the truck, active over the window read in the truck's own time zone.
 */
export async function createCampaign(db: Db, body: unknown): Promise<CreatedCampaign> {
  const input = parseInput(newCampaignSchema, body);
  const trucks = await findCampaignTrucks(db, input.truckIds);
  const truckWindows = resolveTruckWindows(trucks, input.window);

  const benefit: OfferBenefit = { ...input.benefit, description: input.benefit.description ?? describeBenefit(input.benefit) };

  return db.transaction(async (tx) => {
    const campaignId = await insertCampaign(tx, {
      name: input.name,
      window: input.window,
      radiusM: input.radiusM,
      benefit,
      truckIds: trucks.map((truck) => truck.id),
      segments: [{ source: 'nearby', name: 'Nearby phones' }],
      rules: input.rules,
    });

    const fences = buildCampaignFences(campaignId, truckWindows, input.radiusM, input.rules);
    for (const fence of fences) await insertFence(tx, fence);

    const campaign = await getCampaign(tx, campaignId);
    return { campaign: campaign!, fences };
  });
}

function describeBenefit(benefit: NewCampaignInput['benefit']): string {
  switch (benefit.kind) {
    case 'percent':
      return `${benefit.value}% off`;
    case 'amount':
      return `${formatMinorUnits(benefit.value ?? 0, benefit.currency!)} off`;
    case 'free_item':
      return `free ${benefit.item}`;
  }
}

/** Formats an amount in minor units with the currency's own number of decimals (2 for USD, 0 for JPY). */
function formatMinorUnits(minorUnits: number, currency: string): string {
  const format = new Intl.NumberFormat('en-US', { style: 'currency', currency });
  const decimals = format.resolvedOptions().maximumFractionDigits ?? 2;
  return format.format(minorUnits / 10 ** decimals);
}
