import { z } from 'zod';
import { CloudburstError } from '../common/errors.js';
import { ProximityEngine, resolveRules, type CircleFence, type EnginePing, type FenceRules } from '../engine/index.js';
import type { Queryable } from '../store/types.js';
import { buildCampaignFences, findCampaignTrucks, resolveTruckWindows, type LocalWindow } from './campaign-fences.js';
import { fenceRulesSchema, newCampaignSchema } from './campaigns/definition.js';
import { readPingFile, tooManyPings, type PingFileFormat, type PingLineError } from './ping-files.js';
import { getCampaign } from './repos/campaigns.js';
import { countPingsBetween, readPingPages } from './repos/pings.js';
import type { Truck } from './repos/trucks.js';
import { ReplayTally, type OfferHistogram, type ReachedDevice, type ReplayTotals, type TruckReach } from './replay-report.js';
import { parseInput } from '../common/validation.js';

/** Maximum replay range (`to` - `from`): the maximum campaign window, so the default range always fits. */
export const MAX_REPLAY_RANGE_MS = 7 * 86_400_000;
/** Maximum of `limit`, the reached devices listed one by one. */
export const MAX_REACHED_LIMIT = 10_000;
const DEFAULT_REACHED_LIMIT = 100;
const DEFAULT_BUCKET_MINUTES = 5;
/**
 * Pings per store page that `readPingPages` aims at. A page of 5,000 rows is a few
 * hundred kB, and the live server's own queries run between pages, which matters
 * because PGlite runs one statement at a time.
 */
const STORE_PAGE_SIZE = 5_000;
/** Campaign id of the fences of an inline definition, which has no campaign in the store. */
export const DEFINITION_CAMPAIGN_ID = 'definition';

const campaignFields = newCampaignSchema.shape;
const localDateTime = campaignFields.window.shape.start;

/**
 * Changes to a stored campaign. Window fields are local date-times in each truck's time
 * zone. Unknown keys are rejected: a misspelt `radius` would otherwise replay the stored one.
 */
const overridesSchema = z.object({
  radiusM: campaignFields.radiusM.optional(),
  window: z.object({ start: localDateTime.optional(), end: localDateTime.optional() }).optional(),
  truckIds: campaignFields.truckIds.optional(),
  rules: fenceRulesSchema.optional(),
}).strict();

/** The create-campaign body, where name and benefit may be left out. */
const definitionSchema = newCampaignSchema
  .pick({ name: true, truckIds: true, window: true, radiusM: true, benefit: true, rules: true })
  .partial({ name: true, benefit: true });

const instant = z.iso.datetime({ offset: true, error: 'expected an ISO 8601 instant with a zone, like "2026-12-04T19:00:00Z"' });

export const replayRequestSchema = z.object({
  campaignId: z
    .string()
    .uuid('expected a campaign id (UUID)')
    .transform((id) => id.toLowerCase())
    .optional(),
  overrides: overridesSchema.optional(),
  definition: definitionSchema.optional(),
  from: instant.optional(),
  to: instant.optional(),
  limit: z.number().int().min(0).max(MAX_REACHED_LIMIT).default(DEFAULT_REACHED_LIMIT),
  bucketMinutes: z.number().int().min(1).max(1440).default(DEFAULT_BUCKET_MINUTES),
});

export type ReplayRequest = z.infer<typeof replayRequestSchema>;

export interface ReplayOptions {
  /** A replay whose range contains more pings than this fails with `invalid_input` on `to`. */
  maxPings: number;
  /** Reads the pings from this file (see `readPingFile`) instead of the store's pings table. */
  pingFile?: string;
  /** Pings per store page that `readPingPages` aims at; default STORE_PAGE_SIZE. */
  pageSize?: number;
}

/** Source of the replayed pings. */
export type ReplaySource =
  | { kind: 'store' }
  | {
      kind: 'file';
      file: string;
      format: PingFileFormat;
      /** Valid pings of the file outside the range. */
      outsideRange: number;
      invalidLines: number;
      /** The first invalid lines, with line number and field. */
      errors: PingLineError[];
    };

export interface ReplayReport {
  /** The stored campaign replayed, or null for an inline definition. */
  campaignId: string | null;
  /** The definition after overrides, with every rule resolved. */
  definition: { radiusM: number; window: LocalWindow; rules: FenceRules; fences: number };
  /** The fix times replayed: from inclusive, to exclusive, ISO 8601 in UTC. */
  range: { from: string; to: string };
  source: ReplaySource;
  totals: ReplayTotals;
  trucks: TruckReach[];
  histogram: OfferHistogram;
  /** The first `limit` of the `totals.devicesReached` devices, by offer time. */
  reached: ReachedDevice[];
  limit: number;
}

/**
 * Replays a campaign over recorded pings and reports who it would have reached and
 * when. `body` is a replay request: `{ campaignId, overrides? }` for a stored campaign,
 * or `{ definition }` in the shape of the create-campaign body with name and benefit
 * optional, and in both cases optional `from`, `to`, `limit` and `bucketMinutes`.
 * Fences are built from the trucks' current positions, as a new campaign's would be.
 * A fresh engine decides, so the replay sends and records no offer.
 */
export async function replayCampaign(db: Queryable, body: unknown, options: ReplayOptions): Promise<ReplayReport> {
  const request = parseReplayRequest(body);
  const plan = await planReplay(db, request);

  let source: ReplaySource;
  let pages: AsyncIterable<EnginePing[]> | Iterable<EnginePing[]>;
  if (options.pingFile !== undefined) {
    const contents = await readPingFile(options.pingFile, { from: plan.from, to: plan.to, maxPings: options.maxPings });
    const { pings, ...rest } = contents;
    source = { kind: 'file', file: options.pingFile, ...rest };
    pages = [pings];
  } else {
    const stored = await countPingsBetween(db, plan.from, plan.to, options.maxPings);
    if (stored > options.maxPings) throw tooManyPings(options.maxPings);
    source = { kind: 'store' };
    pages = readPingPages(db, plan.from, plan.to, options.pageSize ?? STORE_PAGE_SIZE);
  }

  const tally = await feedEngine(plan.fences, pages);

  return {
    campaignId: plan.campaignId,
    definition: { radiusM: plan.radiusM, window: plan.window, rules: plan.rules, fences: plan.fences.length },
    range: { from: new Date(plan.from).toISOString(), to: new Date(plan.to).toISOString() },
    source,
    totals: tally.totals(),
    trucks: tally.truckReach(plan.trucks),
    histogram: tally.histogram(plan.from, plan.to, request.bucketMinutes),
    reached: tally.reached(plan.trucks, request.limit),
    limit: request.limit,
  };
}

/** Validates a replay request; errors name the field and the value received. */
export function parseReplayRequest(body: unknown): ReplayRequest {
  const request = parseInput(replayRequestSchema, body);

  if (request.campaignId !== undefined && request.definition !== undefined) {
    throw new CloudburstError('invalid_input', 'invalid definition: given together with campaignId (expected one of the two)', {
      field: 'definition',
    });
  }
  if (request.campaignId === undefined && request.definition === undefined) {
    throw new CloudburstError('invalid_input', 'invalid campaignId: missing (expected a campaign id, or a definition)', { field: 'campaignId' });
  }
  if (request.definition !== undefined && request.overrides !== undefined) {
    throw new CloudburstError('invalid_input', 'invalid overrides: given with a definition (expected overrides only with campaignId)', {
      field: 'overrides',
    });
  }
  return request;
}

/** Fences, trucks and range of fix times of one replay. */
interface ReplayPlan {
  campaignId: string | null;
  radiusM: number;
  window: LocalWindow;
  rules: FenceRules;
  trucks: Truck[];
  fences: CircleFence[];
  from: number;
  to: number;
}

async function planReplay(db: Queryable, request: ReplayRequest): Promise<ReplayPlan> {
  let campaignId: string | null;
  let field: string;
  let settings: { radiusM: number; window: LocalWindow; truckIds: 'all' | string[]; rules?: Partial<FenceRules> };

  if (request.campaignId !== undefined) {
    const campaign = await getCampaign(db, request.campaignId);
    if (!campaign) {
      throw new CloudburstError('not_found', `campaign ${request.campaignId} not found`, { field: 'campaignId', value: request.campaignId });
    }
    const overrides = request.overrides ?? {};
    campaignId = campaign.id;
    field = 'overrides';
    settings = {
      radiusM: overrides.radiusM ?? campaign.radiusM,
      window: { ...campaign.window, ...definedFields(overrides.window ?? {}) },
      truckIds: overrides.truckIds ?? campaign.truckIds,
      rules: { ...campaign.rules, ...overrides.rules },
    };
  } else {
    const definition = request.definition!;
    campaignId = null;
    field = 'definition';
    settings = definition;
  }

  const rules = resolveRules(`${field}.rules`, settings.rules);
  const trucks = await findCampaignTrucks(db, settings.truckIds, `${field}.truckIds`);
  if (trucks.length === 0) {
    throw new CloudburstError('invalid_input', `invalid ${field}.truckIds: campaign ${campaignId} has no trucks left (give ${field}.truckIds)`, {
      field: `${field}.truckIds`,
    });
  }
  // NOTE: the window is read in each truck's current time zone. A stored campaign's live
  // fences kept the zone of the campaign's creation, so a truck whose zone changed since
  // then replays a shifted window.
  const truckWindows = resolveTruckWindows(trucks, settings.window, `${field}.window`);
  const fences = buildCampaignFences(campaignId ?? DEFINITION_CAMPAIGN_ID, truckWindows, settings.radiusM, settings.rules);

  const from = request.from === undefined ? Math.min(...fences.map((fence) => fence.activeFrom)) : Date.parse(request.from);
  const to = request.to === undefined ? Math.max(...fences.map((fence) => fence.activeUntil)) : Date.parse(request.to);
  if (to <= from) {
    throw new CloudburstError('invalid_input', `invalid to: ${new Date(to).toISOString()} (expected an instant after from, ${new Date(from).toISOString()})`, {
      field: 'to',
      value: request.to ?? new Date(to).toISOString(),
    });
  }
  if (to - from > MAX_REPLAY_RANGE_MS) {
    throw new CloudburstError('invalid_input', `invalid to: ${new Date(to).toISOString()} (expected a range of at most 7 days from ${new Date(from).toISOString()})`, {
      field: 'to',
      value: request.to ?? new Date(to).toISOString(),
    });
  }

  return { campaignId, radiusM: settings.radiusM, window: settings.window, rules, trucks, fences, from, to };
}

/** Feeds a fresh engine with the pages of pings, in order, and tallies its events. */
async function feedEngine(fences: CircleFence[], pages: AsyncIterable<EnginePing[]> | Iterable<EnginePing[]>): Promise<ReplayTally> {
  const engine = new ProximityEngine();
  for (const fence of fences) engine.upsertFence(fence);

  const tally = new ReplayTally();
  for await (const page of pages) {
    for (const ping of page) tally.record(ping, engine.process(ping));
  }
  return tally;
}

/** Returns the fields of `value` that are not undefined, so a spread keeps the values it would override. */
function definedFields<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, field]) => field !== undefined)) as Partial<T>;
}
