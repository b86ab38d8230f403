import { CloudburstError, invalidInput } from '../../common/errors.js';
import type { CircleFence } from '../../engine/index.js';
import type { Queryable } from '../../store/types.js';
import { buildCampaignFences, findCampaignTrucks, resolveTruckWindows, type TruckWindow } from '../campaign-fences.js';
import { getCampaign, insertCampaign, setCampaignStatus, updateCampaignFields, type Campaign, type CampaignBenefit, type CampaignFields } from '../repos/campaigns.js';
import { parseChosenCode } from '../codes.js';
import { ensureSegmentCode } from '../repos/codes.js';
import { insertFence, listFencesOfCampaign, deleteFencesOfCampaign } from '../repos/fences.js';
import { deleteSegment, insertSegment, listSegmentsOfCampaign, updateSegment, defaultCodeMode } from '../repos/segments.js';
import { cancelQueuedSends, queueCampaignSends } from '../repos/send-jobs.js';
import { deleteTemplate, upsertTemplate } from '../repos/templates.js';
import { parseTemplate } from '../../messages/template.js';
import { assertTimeZone, localToInstant } from '../time-zone.js';
import { parseInput } from '../../common/validation.js';
import { newCampaignSchema, TEMPLATE_KINDS, type NewCampaignInput, type TemplateKind } from './definition.js';
import { assertTransition, holdsFences, type CampaignStatus } from './status.js';
import { assertTemplate } from './template-check.js';
import { describeBenefit } from '../../orders/benefit-text.js';

/** The effect of a change on the engine's fences, for the caller to announce on the bus. */
export interface CampaignChange {
  campaign: Campaign;
  /** Fences the campaign now has in the engine (new or unchanged). */
  fences: CircleFence[];
  /** Ids of the fences that left the engine. */
  removedFenceIds: string[];
}

interface Prepared {
  input: NewCampaignInput;
  fields: CampaignFields;
  truckWindows: TruckWindow[];
}

/** Validates a definition against the trucks in the store and resolves its times. */
async function prepare(db: Queryable, body: unknown, campaignId?: string): Promise<Prepared> {
  const input = parseInput(newCampaignSchema, body);
  const trucks = await findCampaignTrucks(db, input.truckIds);
  const truckWindows = resolveTruckWindows(trucks, input.window);

  const timeZone = input.timeZone ?? trucks[0]!.timeZone;
  if (input.timeZone !== undefined) assertTimeZone('timeZone', input.timeZone);
  const windowStart = Math.min(...truckWindows.map((window) => window.activeFrom));
  const windowEnd = Math.max(...truckWindows.map((window) => window.activeUntil));
  if (input.sendAt !== undefined && localToInstant('sendAt', input.sendAt, timeZone) >= windowEnd) {
    throw invalidInput('sendAt', input.sendAt, `a time before the window ends (${input.window.end}), or the offer would be over when it arrives`);
  }
  if (input.benefit.valid) {
    const from = localToInstant('benefit.valid.start', input.benefit.valid.start, timeZone);
    const until = localToInstant('benefit.valid.end', input.benefit.valid.end, timeZone);
    if (until <= from) throw invalidInput('benefit.valid.end', input.benefit.valid.end, 'a time after benefit.valid.start');
    if (until <= windowStart || from >= windowEnd) {
      throw invalidInput('benefit.valid', input.benefit.valid, 'a validity window that overlaps the campaign window');
    }
  }

  const names = new Set<string>();
  input.segments.forEach((segment, index) => {
    const key = `${segment.source}/${segment.name}`;
    if (names.has(key)) throw invalidInput(`segments.${index}.name`, segment.name, `a name used once per source (${segment.source})`);
    names.add(key);
    if (segment.code !== undefined && (segment.codeMode ?? defaultCodeMode(segment.source)) !== 'shared') {
      throw invalidInput(`segments.${index}.code`, segment.code, 'no code: codes are unique per recipient unless codeMode is "shared"');
    }
    if (segment.code !== undefined) segment.code = parseChosenCode(`segments.${index}.code`, segment.code);
    const post = segment.templates?.x_post;
    if (post && (segment.codeMode ?? defaultCodeMode(segment.source)) === 'unique' && usesCodeWithoutFallback(post.body)) {
      throw invalidInput(
        `segments.${index}.templates.x_post.body`,
        post.body,
        'no {{code}} in a public post of a segment with unique codes (set codeMode "shared", or give a fallback like {{code|at the truck}})',
      );
    }
    for (const [kind, template] of Object.entries(segment.templates ?? {})) {
      assertTemplate(`segments.${index}.templates.${kind}`, kind as TemplateKind, template!);
    }
  });
  const codes = new Map<string, number>();
  input.segments.forEach((segment, index) => {
    if (segment.code === undefined) return;
    const other = codes.get(segment.code);
    if (other !== undefined) throw invalidInput(`segments.${index}.code`, segment.code, `a code no other segment uses (segments.${other} has it)`);
    codes.set(segment.code, index);
  });
  await assertCodesFree(db, input, campaignId);
  for (const [kind, template] of Object.entries(input.nearbyTemplates ?? {})) {
    assertTemplate(`nearbyTemplates.${kind}`, kind as TemplateKind, template!);
  }

  const benefit: CampaignBenefit = { ...input.benefit, description: input.benefit.description ?? describeBenefit(input.benefit) };
  const fields: CampaignFields = {
    name: input.name,
    window: input.window,
    radiusM: input.radiusM,
    benefit,
    truckIds: trucks.map((truck) => truck.id),
    rules: input.rules,
    goal: input.goal ?? null,
    channels: input.channels as Campaign['channels'],
    timeZone: input.timeZone ?? null,
    sendAt: input.sendAt ?? null,
  };
  return { input, fields, truckWindows };
}

/**
 * Creates a campaign: the live nearby segment, the segments the definition lists with
 * their templates, and, unless it is a draft, its fences, codes and queued sends.
 */
export async function createCampaign(db: Queryable, body: unknown, now = Date.now()): Promise<CampaignChange> {
  const { input, fields, truckWindows } = await prepare(db, body);
  return inTransaction(db, async (tx) => {
    const id = await insertCampaign(tx, { ...fields, status: input.status, segments: [{ source: 'nearby', name: 'Nearby phones' }] });
    await writeSegments(tx, id, input);
    const campaign = (await getCampaign(tx, id))!;
    if (input.status === 'draft') return { campaign, fences: [], removedFenceIds: [] };
    const fences = await goLive(tx, campaign, truckWindows, now);
    return { campaign: (await getCampaign(tx, id))!, fences, removedFenceIds: [] };
  });
}

/** Replaces a draft's definition. Segments are matched by source and name, so imported members stay. */
export async function updateCampaign(db: Queryable, id: string, body: unknown): Promise<Campaign> {
  const current = await requireCampaign(db, id);
  if (current.status !== 'draft') {
    throw new CloudburstError('conflict', `campaign ${id} is ${current.status}; only a draft can be edited (unschedule it first)`, {
      field: 'status',
      value: current.status,
    });
  }
  const { input, fields } = await prepare(db, body, id);
  if (input.status !== 'draft' && body !== null && typeof body === 'object' && 'status' in body) {
    throw invalidInput('status', input.status, '"draft" when updating; change the status with POST /campaigns/:id/status');
  }
  return inTransaction(db, async (tx) => {
    await updateCampaignFields(tx, id, { ...fields, status: 'draft' });
    await writeSegments(tx, id, input);
    return (await getCampaign(tx, id))!;
  });
}

/**
 * Moves a campaign to `to`. Scheduling or starting a draft puts its fences in the
 * engine, creates its shared codes and queues its sends; unscheduling or ending takes
 * the fences out and cancels the sends not yet made.
 */
export async function transitionCampaign(db: Queryable, id: string, to: CampaignStatus, now = Date.now()): Promise<CampaignChange> {
  const current = await requireCampaign(db, id);
  // Asking twice for the state a campaign is in changes nothing, so a repeated command is safe.
  if (current.status === to) return { campaign: current, fences: [], removedFenceIds: [] };
  assertTransition(id, current.status, to);
  if (to === 'scheduled' || (to === 'active' && current.status === 'draft')) await assertReadyToSchedule(db, current, now);

  return inTransaction(db, async (tx) => {
    if (!(await setCampaignStatus(tx, id, current.status, to))) {
      throw new CloudburstError('conflict', `campaign ${id} changed while moving it to ${to}; reload and try again`, { field: 'status', value: to });
    }
    let fences: CircleFence[] = [];
    let removedFenceIds: string[] = [];
    if (holdsFences(to) && !holdsFences(current.status)) {
      const trucks = await findCampaignTrucks(tx, current.truckIds);
      fences = await goLive(tx, current, resolveTruckWindows(trucks, current.window), now);
    } else if (holdsFences(to)) {
      fences = await listFencesOfCampaign(tx, id);
    } else if (holdsFences(current.status)) {
      removedFenceIds = (await listFencesOfCampaign(tx, id)).map((fence) => fence.id);
      await deleteFencesOfCampaign(tx, id);
      await cancelQueuedSends(tx, id, to === 'ended' ? 'the campaign ended' : 'the campaign was unscheduled');
    }
    return { campaign: (await getCampaign(tx, id))!, fences, removedFenceIds };
  });
}

/**
 * Moves scheduled campaigns whose window opened to active, and active ones whose
 * window closed to ended. Every process may run it: the conditional status update
 * lets one process make each move, and the others see a conflict and skip it.
 */
export async function advanceCampaignClock(db: Queryable, now: number): Promise<CampaignChange[]> {
  const due = await db.query<{ id: string; status: CampaignStatus }>(
    `SELECT c.id, c.status FROM campaigns c
     WHERE (c.status = 'scheduled' AND (SELECT min(active_from) FROM fences f WHERE f.campaign_id = c.id) <= $1::timestamptz)
        OR (c.status = 'active' AND (SELECT max(active_until) FROM fences f WHERE f.campaign_id = c.id) <= $1::timestamptz)`,
    [new Date(now).toISOString()],
  );
  const changes: CampaignChange[] = [];
  for (const { id, status } of due) {
    try {
      changes.push(await transitionCampaign(db, id, status === 'scheduled' ? 'active' : 'ended', now));
    } catch (error) {
      if (!(error instanceof CloudburstError && error.code === 'conflict')) throw error;
    }
  }
  return changes;
}

/** Checks that the campaign window, read in each truck's zone, has not passed, so the campaign can be scheduled. */
async function assertReadyToSchedule(db: Queryable, campaign: Campaign, now: number): Promise<void> {
  const trucks = await findCampaignTrucks(db, campaign.truckIds);
  const end = Math.max(...resolveTruckWindows(trucks, campaign.window).map((window) => window.activeUntil));
  if (end <= now) {
    throw new CloudburstError('conflict', `campaign ${campaign.id} cannot be scheduled: its window ended at ${campaign.window.end} (${campaign.timeZone})`, {
      field: 'window.end',
      value: campaign.window.end,
    });
  }
}

/** Fences, shared codes and queued sends of a campaign that enters the engine. */
async function goLive(tx: Queryable, campaign: Campaign, truckWindows: TruckWindow[], now: number): Promise<CircleFence[]> {
  const fences = buildCampaignFences(campaign.id, truckWindows, campaign.radiusM, campaign.rules);
  for (const fence of fences) await insertFence(tx, fence);

  const validity = codeValidity(campaign, truckWindows);
  const segments = await listSegmentsOfCampaign(tx, campaign.id);
  for (const segment of segments) {
    if (segment.codeMode !== 'shared' || segment.source === 'nearby') continue;
    await ensureSegmentCode(tx, {
      campaignId: campaign.id,
      segmentId: segment.id,
      code: segment.sharedCode ?? undefined,
      prefix: segment.name,
      validFrom: validity.from,
      validUntil: validity.until,
    });
  }
  await queueCampaignSends(tx, campaign, sendTime(campaign, truckWindows, now));
  return fences;
}

/** When codes are accepted: the benefit's own window, else the campaign window across its trucks. */
export function codeValidity(campaign: Campaign, truckWindows: TruckWindow[]): { from: number; until: number } {
  if (campaign.benefit.valid) {
    return {
      from: localToInstant('benefit.valid.start', campaign.benefit.valid.start, campaign.timeZone),
      until: localToInstant('benefit.valid.end', campaign.benefit.valid.end, campaign.timeZone),
    };
  }
  return {
    from: Math.min(...truckWindows.map((window) => window.activeFrom)),
    until: Math.max(...truckWindows.map((window) => window.activeUntil)),
  };
}

/** Returns when the scheduled messages go out: `sendAt`, else the window start, and never in the past. */
function sendTime(campaign: Campaign, truckWindows: TruckWindow[], now: number): number {
  const at = campaign.sendAt
    ? localToInstant('sendAt', campaign.sendAt, campaign.timeZone)
    : Math.min(...truckWindows.map((window) => window.activeFrom));
  return Math.max(at, now);
}

async function writeSegments(tx: Queryable, campaignId: string, input: NewCampaignInput): Promise<void> {
  const existing = await listSegmentsOfCampaign(tx, campaignId);
  const nearby = existing.find((segment) => segment.source === 'nearby')!;
  await replaceTemplates(tx, nearby.id, input.nearbyTemplates ?? {});

  const wanted = new Map(input.segments.map((segment) => [`${segment.source}/${segment.name}`, segment]));
  for (const segment of existing) {
    if (segment.source === 'nearby' || wanted.has(`${segment.source}/${segment.name}`)) continue;
    if (segment.members > 0) {
      throw new CloudburstError('conflict', `segment "${segment.name}" (${segment.source}) has ${segment.members} members and is missing from the definition; keep it or delete its members first`, {
        field: 'segments',
        value: segment.name,
      });
    }
    await deleteSegment(tx, segment.id);
  }
  for (const segment of input.segments) {
    const found = existing.find((old) => old.source === segment.source && old.name === segment.name);
    const id = found?.id ?? (await insertSegment(tx, campaignId, segment));
    if (found) await updateSegment(tx, id, { name: segment.name, codeMode: segment.codeMode ?? found.codeMode });
    if (segment.code !== undefined) await tx.query(`UPDATE segments SET shared_code = $2 WHERE id = $1`, [id, segment.code]);
    await replaceTemplates(tx, id, segment.templates ?? {});
  }
}

/** Replaces a segment's templates with those the definition lists, removing the kinds it leaves out. */
async function replaceTemplates(tx: Queryable, segmentId: string, templates: Partial<Record<TemplateKind, { subject?: string; body: string }>>): Promise<void> {
  for (const kind of TEMPLATE_KINDS) {
    const template = templates[kind];
    if (template) await upsertTemplate(tx, segmentId, kind, template);
    else await deleteTemplate(tx, segmentId, kind);
  }
}

/** True when the template shows `{{code}}` with nothing to show in its place. */
function usesCodeWithoutFallback(body: string): boolean {
  return parseTemplate(body).parts.some((part) => part.kind === 'variable' && part.name === 'code' && part.fallback === undefined);
}

/** Rejects a chosen code that another campaign's segment already holds, naming the segment field. */
async function assertCodesFree(db: Queryable, input: NewCampaignInput, campaignId?: string): Promise<void> {
  for (const [index, segment] of input.segments.entries()) {
    if (segment.code === undefined) continue;
    const rows = await db.query<{ campaign_id: string }>(
      `SELECT campaign_id FROM codes WHERE code = $1 UNION SELECT campaign_id FROM segments WHERE shared_code = $1`,
      [segment.code],
    );
    if (rows.some((row) => row.campaign_id !== campaignId)) {
      throw new CloudburstError('conflict', `code ${segment.code} is already used by another campaign; choose another for segments.${index}.code`, {
        field: `segments.${index}.code`,
        value: segment.code,
      });
    }
  }
}

async function requireCampaign(db: Queryable, id: string): Promise<Campaign> {
  const campaign = await getCampaign(db, id);
  if (!campaign) throw new CloudburstError('not_found', `campaign ${id} not found`, { field: 'id', value: id });
  return campaign;
}

/** Runs `work` in a transaction when `db` can open one, else on `db` (already a transaction). */
function inTransaction<T>(db: Queryable, work: (tx: Queryable) => Promise<T>): Promise<T> {
  const maybe = db as Queryable & { transaction?: <R>(work: (tx: Queryable) => Promise<R>) => Promise<R> };
  return typeof maybe.transaction === 'function' ? maybe.transaction(work) : work(db);
}

