import type { FenceRecord } from './fence-record.js';

/** A fence that contains the device's ping, and its distance to the ping. */
export interface EnteredFence {
  record: FenceRecord;
  distanceM: number;
}

const NO_CHOICES: EnteredFence[] = [];

/**
 * Chooses which fences containing the ping become offers: per campaign, the nearest
 * fence that is active at `ts` (tie: smaller truckId, then smaller fence id), unless
 * the campaign is in `offeredCampaigns` (the device already has its offer). The
 * caller passes every fence the device is inside, not only new entries, so a device
 * already inside when the window opens gets its offer on its next ping. Returns at
 * most one fence per campaign, ordered by campaign id. The result must not be modified.
 */
export function chooseOfferFences(
  entered: readonly EnteredFence[],
  ts: number,
  offeredCampaigns: ReadonlySet<string>,
): EnteredFence[] {
  let chosen: EnteredFence[] | undefined;

  for (let i = 0; i < entered.length; i++) {
    const candidate = entered[i] as EnteredFence;
    if (!candidate.record.isActiveAt(ts)) continue;

    const campaignId = candidate.record.fence.campaignId;
    if (offeredCampaigns.has(campaignId)) continue;

    // One ping enters few campaigns, so a linear search beats a Map here.
    chosen ??= [];
    const position = chosen.findIndex((other) => other.record.fence.campaignId === campaignId);
    if (position === -1) chosen.push(candidate);
    else if (isNearer(candidate, chosen[position] as EnteredFence)) chosen[position] = candidate;
  }

  if (chosen === undefined) return NO_CHOICES;
  if (chosen.length > 1) chosen.sort((a, b) => compareStrings(a.record.fence.campaignId, b.record.fence.campaignId));
  return chosen;
}

function isNearer(a: EnteredFence, b: EnteredFence): boolean {
  if (a.distanceM !== b.distanceM) return a.distanceM < b.distanceM;

  const byTruck = compareStrings(a.record.fence.truckId, b.record.fence.truckId);
  if (byTruck !== 0) return byTruck < 0;

  return compareStrings(a.record.fence.id, b.record.fence.id) < 0;
}

/** Orders by UTF-16 code units, like Array.prototype.sort without a comparator, independent of locale. */
export function compareStrings(a: string, b: string): number {
  if (a < b) return -1;
  return a > b ? 1 : 0;
}
