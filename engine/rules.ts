import { invalidInput } from '../common/errors.js';
import type { FenceRules } from './types.js';

/**
 * Rule values used where a campaign sets none. Dwell: one minute near the truck reads
 * as interest rather than passing by. Exit margin: 25 m, above a phone's usual 5 to
 * 20 m outdoor error, so a phone standing on the edge does not flap. Stale: 15 minutes
 * without a ping. Accuracy: 100 m, worse than which a fix cannot place a phone on a
 * block. Speed: 70 m/s (252 km/h), above any road vehicle in a city.
 */
export const DEFAULT_FENCE_RULES: Readonly<FenceRules> = Object.freeze({
  dwellMs: 60_000,
  offerOn: 'enter',
  exitMarginM: 25,
  staleAfterMs: 15 * 60_000,
  maxAccuracyM: 100,
  maxSpeedMps: 70,
});

/** Validates partial rules and returns them merged over the defaults, frozen. `field` prefixes error fields. */
export function resolveRules(field: string, rules: Partial<FenceRules> | undefined): Readonly<FenceRules> {
  if (rules === undefined) return DEFAULT_FENCE_RULES;
  if (typeof rules !== 'object' || rules === null) throw invalidInput(field, rules, 'an object of fence rules');

  const merged = { ...DEFAULT_FENCE_RULES, ...rules };
  assertNonNegative(`${field}.dwellMs`, merged.dwellMs, 'milliseconds', true);
  assertNonNegative(`${field}.exitMarginM`, merged.exitMarginM, 'metres');
  assertPositive(`${field}.staleAfterMs`, merged.staleAfterMs, 'milliseconds');
  assertPositive(`${field}.maxAccuracyM`, merged.maxAccuracyM, 'metres');
  assertPositive(`${field}.maxSpeedMps`, merged.maxSpeedMps, 'metres per second');
  if (merged.offerOn !== 'enter' && merged.offerOn !== 'dwell') {
    throw invalidInput(`${field}.offerOn`, merged.offerOn, '"enter" or "dwell"');
  }

  return Object.freeze({
    dwellMs: merged.dwellMs,
    offerOn: merged.offerOn,
    exitMarginM: merged.exitMarginM,
    staleAfterMs: merged.staleAfterMs,
    maxAccuracyM: merged.maxAccuracyM,
    maxSpeedMps: merged.maxSpeedMps,
  });
}

function assertNonNegative(field: string, value: unknown, unit: string, infinityAllowed = false): void {
  if (typeof value !== 'number' || !(value >= 0 && (infinityAllowed || value < Infinity))) {
    throw invalidInput(field, value, infinityAllowed ? `${unit}, a number >= 0 (Infinity: never)` : `${unit}, a finite number >= 0`);
  }
}

function assertPositive(field: string, value: unknown, unit: string): void {
  if (typeof value !== 'number' || !(value > 0)) throw invalidInput(field, value, `${unit}, a number > 0 (Infinity turns the check off)`);
}
