import { z } from 'zod';
import { CloudburstError } from '../common/errors.js';
import type { OfferBenefit } from '../common/protocol.js';
import type { CircleFence } from '../engine/index.js';
import type { Db } from '../store/types.js';
import { getCampaign, insertCampaign, type Campaign } from './repos/campaigns.js';
import { fenceIdFor, insertFence } from './repos/fences.js';
import { getTrucks, listTrucks } from './repos/trucks.js';
import { localToInstant } from './time-zone.js';
import { parseInput } from './validation.js';

/** Largest fence radius accepted: 50 km covers a metro area; larger is almost surely a unit mistake. */
const MAX_RADIUS_M = 50_000;
/** Maximum campaign window. A cloud burst lasts hours, and a week leaves room for multi-day promotions. */
const MAX_WINDOW_MS = 7 * 86_400_000;

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

export const newCampaignSchema = z.object({
  name: z.string().trim().min(1).max(200),
  truckIds: z.union([z.literal('all'), z.array(z.string().uuid('expected a truck id (UUID)').transform((id) => id.toLowerCase())).min(1).max(10_000)]),
  window: z.object({ start: localDateTime, end: localDateTime }),
  radiusM: z.number().positive().max(MAX_RADIUS_M),
  benefit: benefitSchema,
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
  const trucks = input.truckIds === 'all' ? await listTrucks(db) : await getTrucks(db, input.truckIds);

  if (input.truckIds === 'all' && trucks.length === 0) {
    throw new CloudburstError('invalid_input', 'invalid truckIds: "all" but no trucks exist yet (create trucks first)', {
      field: 'truckIds',
      value: 'all',
    });
  }
  if (input.truckIds !== 'all') {
    const found = new Set(trucks.map((truck) => truck.id));
    const missing = input.truckIds.find((id) => !found.has(id));
    if (missing) throw new CloudburstError('invalid_input', `invalid truckIds: truck ${missing} not found`, { field: 'truckIds', value: missing });
  }

  const fenceWindows = trucks.map((truck) => {
    const activeFrom = localToInstant('window.start', input.window.start, truck.timeZone);
    const activeUntil = localToInstant('window.end', input.window.end, truck.timeZone);
    if (activeUntil <= activeFrom) {
      throw new CloudburstError('invalid_input', `invalid window.end: "${input.window.end}" (expected a time after window.start "${input.window.start}")`, {
        field: 'window.end',
        value: input.window.end,
      });
    }
    if (activeUntil - activeFrom > MAX_WINDOW_MS) {
      throw new CloudburstError('invalid_input', `invalid window.end: "${input.window.end}" (expected a window of at most 7 days)`, {
        field: 'window.end',
        value: input.window.end,
      });
    }
    return { truck, activeFrom, activeUntil };
  });

  const benefit: OfferBenefit = { ...input.benefit, description: input.benefit.description ?? describeBenefit(input.benefit) };

  return db.transaction(async (tx) => {
    const campaignId = await insertCampaign(tx, {
      name: input.name,
      window: input.window,
      radiusM: input.radiusM,
      benefit,
      truckIds: trucks.map((truck) => truck.id),
      segments: [{ source: 'nearby', name: 'Nearby phones' }],
    });

    const fences: CircleFence[] = [];
    for (const { truck, activeFrom, activeUntil } of fenceWindows) {
      const fence: CircleFence = {
        id: fenceIdFor(campaignId, truck.id),
        campaignId,
        truckId: truck.id,
        lat: truck.lat,
        lon: truck.lon,
        radiusM: input.radiusM,
        activeFrom,
        activeUntil,
      };
      await insertFence(tx, fence);
      fences.push(fence);
    }

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
