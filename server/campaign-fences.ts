import { CloudburstError } from '../common/errors.js';
import type { CircleFence, FenceRules } from '../engine/index.js';
import type { Queryable } from '../store/types.js';
import { fenceIdFor } from './repos/fences.js';
import { getTrucks, listTrucks, type Truck } from './repos/trucks.js';
import { localToInstant } from './time-zone.js';

/** Maximum campaign window. A cloud burst lasts hours, and a week leaves room for multi-day promotions. */
export const MAX_WINDOW_MS = 7 * 86_400_000;

/** A campaign window as the marketer enters it: wall-clock date-times without a zone. */
export interface LocalWindow {
  start: string;
  end: string;
}

/** A truck and the campaign window resolved in its time zone. */
export interface TruckWindow {
  truck: Truck;
  /** Start of the window, inclusive, in ms since the epoch. */
  activeFrom: number;
  /** End of the window, exclusive, in ms since the epoch. */
  activeUntil: number;
}

/**
 * Loads the trucks of a campaign: every truck for `"all"`, else the listed ones.
 * Throws `invalid_input` on `field` when no truck exists for `"all"` or a listed id is unknown.
 */
export async function findCampaignTrucks(db: Queryable, truckIds: 'all' | string[], field = 'truckIds'): Promise<Truck[]> {
  const trucks = truckIds === 'all' ? await listTrucks(db) : await getTrucks(db, truckIds);

  if (truckIds === 'all' && trucks.length === 0) {
    throw new CloudburstError('invalid_input', `invalid ${field}: "all" but no trucks exist yet (create trucks first)`, {
      field,
      value: 'all',
    });
  }
  if (truckIds !== 'all') {
    const found = new Set(trucks.map((truck) => truck.id));
    const missing = truckIds.find((id) => !found.has(id));
    if (missing) throw new CloudburstError('invalid_input', `invalid ${field}: truck ${missing} not found`, { field, value: missing });
  }
  return trucks;
}

/**
 * Resolves the window in each truck's time zone. Throws `invalid_input` when, for some
 * truck, the end is not after the start or the window is longer than a calendar week
 * (MAX_WINDOW_MS of wall-clock time, so a week across a daylight-saving change, which
 * lasts an hour more or less, is still a week).
 * `field` names the window in errors, e.g. `window` gives `window.end`.
 */
export function resolveTruckWindows(trucks: Truck[], window: LocalWindow, field = 'window'): TruckWindow[] {
  return trucks.map((truck) => {
    const activeFrom = localToInstant(`${field}.start`, window.start, truck.timeZone);
    const activeUntil = localToInstant(`${field}.end`, window.end, truck.timeZone);
    if (activeUntil <= activeFrom) {
      throw new CloudburstError('invalid_input', `invalid ${field}.end: "${window.end}" (expected a time after ${field}.start "${window.start}")`, {
        field: `${field}.end`,
        value: window.end,
      });
    }
    if (wallClockSpan(window) > MAX_WINDOW_MS) {
      throw new CloudburstError('invalid_input', `invalid ${field}.end: "${window.end}" (expected a window of at most 7 days)`, {
        field: `${field}.end`,
        value: window.end,
      });
    }
    return { truck, activeFrom, activeUntil };
  });
}

/** Returns the window's length as the local clock reads it, ignoring any daylight-saving change in between. */
function wallClockSpan(window: LocalWindow): number {
  return Date.parse(`${window.end}Z`) - Date.parse(`${window.start}Z`);
}

/** Builds one circle fence per truck, centred on the truck, with the campaign's radius and optional rules. */
export function buildCampaignFences(
  campaignId: string,
  truckWindows: TruckWindow[],
  radiusM: number,
  rules?: Partial<FenceRules>,
): CircleFence[] {
  return truckWindows.map(({ truck, activeFrom, activeUntil }) => {
    const fence: CircleFence = {
      id: fenceIdFor(campaignId, truck.id),
      campaignId,
      truckId: truck.id,
      lat: truck.lat,
      lon: truck.lon,
      radiusM,
      activeFrom,
      activeUntil,
    };
    if (rules !== undefined) fence.rules = rules;
    return fence;
  });
}
