import { invalidInput } from '../common/errors.js';
import { assertLatitude, assertLongitude, EARTH_RADIUS_M } from './geo.js';
import { preparePolygon, type PreparedPolygon } from './polygon.js';
import { resolveRules } from './rules.js';
import type { DeviceCheckpoint, EnginePing, Fence, FenceRules } from './types.js';

/** Half the circumference: a circle of this radius covers the whole sphere. */
export const MAX_RADIUS_M = Math.PI * EARTH_RADIUS_M;

/** Throws unless `value` is a non-empty string. */
export function assertId(field: string, value: unknown): asserts value is string {
  if (typeof value !== 'string' || value.length === 0) {
    throw invalidInput(field, value, 'a non-empty string');
  }
}

/**
 * Throws unless `value` is a campaign id. A line feed is rejected because the offer
 * id hashes campaignId + '\n' + deviceId, which is unambiguous only when the
 * campaign id contains no line feed.
 */
export function assertCampaignId(field: string, value: unknown): asserts value is string {
  if (typeof value !== 'string' || value.length === 0 || value.includes('\n')) {
    throw invalidInput(field, value, 'a non-empty string without line feeds');
  }
}

/** Throws unless `value` is a sequence number, an integer >= 0. */
export function assertSeq(field: string, value: unknown): asserts value is number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw invalidInput(field, value, 'an integer >= 0');
  }
}

/** Throws unless `value` is a finite number of milliseconds since the epoch. */
export function assertTimestamp(field: string, value: unknown): asserts value is number {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw invalidInput(field, value, 'milliseconds since the epoch, a finite number');
  }
}

/** A validated fence, with its polygon prepared and its rules merged over the defaults. */
export interface ValidFence {
  fence: Readonly<Fence>;
  polygon: PreparedPolygon | undefined;
  rules: Readonly<FenceRules>;
}

/**
 * Validates a fence and returns a frozen copy, so later changes by the caller do not
 * reach the index, with its polygon prepared and its rules resolved.
 */
export function validateFence(fence: Fence): ValidFence {
  if (typeof fence !== 'object' || fence === null) throw invalidInput('fence', fence, 'a circle or polygon fence object');

  assertId('fence.id', fence.id);
  assertCampaignId('fence.campaignId', fence.campaignId);
  assertId('fence.truckId', fence.truckId);

  const { activeFrom, activeUntil } = fence;
  // Infinite bounds are allowed: -Infinity / Infinity mean no start / no end.
  if (typeof activeFrom !== 'number' || Number.isNaN(activeFrom) || activeFrom === Infinity) {
    throw invalidInput('fence.activeFrom', activeFrom, 'milliseconds since the epoch, a number below Infinity');
  }
  if (typeof activeUntil !== 'number' || Number.isNaN(activeUntil) || !(activeUntil > activeFrom)) {
    throw invalidInput('fence.activeUntil', activeUntil, `milliseconds since the epoch, a number above activeFrom (${activeFrom})`);
  }
  const rules = resolveRules('fence.rules', fence.rules);
  const common = { id: fence.id, campaignId: fence.campaignId, truckId: fence.truckId, activeFrom, activeUntil, rules: { ...rules } };

  if (fence.shape === 'polygon') {
    const polygon = preparePolygon('fence.geometry', fence.geometry);
    const geometry = structuredClone(fence.geometry);
    return { fence: Object.freeze({ ...common, shape: 'polygon' as const, geometry }), polygon, rules };
  }
  if (fence.shape !== undefined && fence.shape !== 'circle') {
    throw invalidInput('fence.shape', (fence as { shape: unknown }).shape, '"circle" or "polygon"');
  }

  assertLatitude('fence.lat', fence.lat);
  assertLongitude('fence.lon', fence.lon);
  const radiusM = fence.radiusM;
  if (typeof radiusM !== 'number' || !(radiusM > 0 && radiusM <= MAX_RADIUS_M)) {
    throw invalidInput('fence.radiusM', radiusM, `metres, a number in (0, ${Math.floor(MAX_RADIUS_M)}]`);
  }
  const followsTruck = fence.followsTruck ?? true;
  if (typeof followsTruck !== 'boolean') throw invalidInput('fence.followsTruck', followsTruck, 'true or false');

  const circle = { ...common, shape: 'circle' as const, lat: fence.lat, lon: fence.lon, radiusM, followsTruck };
  return { fence: Object.freeze(circle), polygon: undefined, rules };
}

/** Throws when a ping is malformed. Runs on every ping, so it only reads fields. */
export function validatePing(ping: EnginePing): void {
  if (typeof ping !== 'object' || ping === null) throw invalidInput('ping', ping, 'an EnginePing object');

  assertId('ping.deviceId', ping.deviceId);
  assertSeq('ping.seq', ping.seq);
  assertLatitude('ping.lat', ping.lat);
  assertLongitude('ping.lon', ping.lon);
  assertTimestamp('ping.ts', ping.ts);

  const accuracyM = ping.accuracyM;
  if (typeof accuracyM !== 'number' || !(accuracyM >= 0 && accuracyM < Infinity)) {
    throw invalidInput('ping.accuracyM', accuracyM, 'metres, a finite number >= 0');
  }
}

/** Throws when a restored device checkpoint is malformed. */
export function validateCheckpoint(state: DeviceCheckpoint): void {
  if (typeof state !== 'object' || state === null) throw invalidInput('state', state, 'an object { lastSeq, lastTs }');

  assertSeq('state.lastSeq', state.lastSeq);
  assertTimestamp('state.lastTs', state.lastTs);
}
