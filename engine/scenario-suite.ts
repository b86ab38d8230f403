/**
 * Scenario vocabulary of the engine tests: a list of steps (pings, fence changes,
 * truck moves) with the events each must produce, written as short strings.
 */
import { expect } from 'vitest';

import { destinationPoint } from './geo.js';
import { ProximityEngine } from './index.js';
import type { CircleFence, DeviceCheckpoint, EngineEvent, EnginePing, Fence, FenceRules, ProximityEngineOptions } from './index.js';

export type LatLon = [number, number];

export const MISSION: LatLon = [37.7749, -122.4194];

/** Returns the point `metres` from `origin` along `bearingDeg`. */
export function near(origin: LatLon, metres: number, bearingDeg = 0): LatLon {
  return destinationPoint(origin[0], origin[1], bearingDeg, metres);
}

/**
 * Rules that turn off dwell, the exit margin and the speed check, so a scenario about
 * the index or offers gets plain inside/outside transitions. Scenarios about a rule set it.
 */
export const PLAIN_RULES: Partial<FenceRules> = { dwellMs: Infinity, exitMarginM: 0, maxSpeedMps: Infinity };

/** Returns a 100 m circle around `at`, in campaign-1, active from 0 to 1,000,000, with plain rules. */
export function fence(id: string, at: LatLon, overrides: Partial<CircleFence> = {}): CircleFence {
  return {
    id,
    campaignId: 'campaign-1',
    truckId: `truck-${id}`,
    lat: at[0],
    lon: at[1],
    radiusM: 100,
    activeFrom: 0,
    activeUntil: 1_000_000,
    rules: PLAIN_RULES,
    ...overrides,
  };
}

export interface PingStep {
  /** Default 'phone-1'. */
  device?: string;
  seq: number;
  at: LatLon;
  /** Default seq × 1000. */
  ts?: number;
  /** Default 10 m. */
  accuracyM?: number;
  /** Events as '<type> <fence>', 'offer <campaign> <fence>' or 'flagged <device>'. */
  expect: string[];
}

export type Step =
  | PingStep
  | { upsertFence: Fence }
  | { removeFence: string }
  | { removeCampaign: string }
  | { moveTruck: [truckId: string, at: LatLon]; ts: number; expect: string[] }
  | { expireStale: number; expect: string[] }
  | { markOffered: [campaignId: string, deviceId: string] }
  | { restoreDevice: [deviceId: string, state: DeviceCheckpoint] }
  | { restorePosition: Omit<PingStep, 'expect'>; inside: string[] }
  | { fencesNear: LatLon; expect: string[] };

export interface Scenario {
  name: string;
  options?: ProximityEngineOptions;
  fences: Fence[];
  steps: Step[];
}

export function describeEvent(event: EngineEvent): string {
  if (event.type === 'offer') return `offer ${event.campaignId} ${event.fenceId}`;
  if (event.type === 'flagged') return `flagged ${event.deviceId}`;
  return `${event.type} ${event.fenceId}`;
}

export function pingOf(step: Omit<PingStep, 'expect'>): EnginePing {
  return {
    deviceId: step.device ?? 'phone-1',
    seq: step.seq,
    lat: step.at[0],
    lon: step.at[1],
    accuracyM: step.accuracyM ?? 10,
    ts: step.ts ?? step.seq * 1000,
  };
}

export function runScenario({ options, fences, steps }: Scenario): void {
  const engine = new ProximityEngine(options);
  for (const f of fences) engine.upsertFence(f);

  steps.forEach((step, i) => {
    if ('seq' in step) {
      expect(engine.process(pingOf(step)).map(describeEvent), `step ${i}: ping seq ${step.seq}`).toEqual(step.expect);
    } else if ('restorePosition' in step) {
      const ping = pingOf(step.restorePosition);
      engine.restorePosition(ping);
      expect(engine.insideFences(ping.deviceId), `step ${i}: inside after restore`).toEqual(step.inside);
    } else if ('upsertFence' in step) engine.upsertFence(step.upsertFence);
    else if ('removeFence' in step) expect(engine.removeFence(step.removeFence), `step ${i}`).toBe(true);
    else if ('removeCampaign' in step) expect(engine.removeCampaign(step.removeCampaign), `step ${i}`).toBeGreaterThan(0);
    else if ('moveTruck' in step) {
      const [truckId, at] = step.moveTruck;
      expect(engine.moveTruck(truckId, at[0], at[1], step.ts).map(describeEvent), `step ${i}: moveTruck`).toEqual(step.expect);
    } else if ('expireStale' in step) {
      expect(engine.expireStale(step.expireStale).map(describeEvent), `step ${i}: expireStale`).toEqual(step.expect);
    } else if ('markOffered' in step) engine.markOffered(...step.markOffered);
    else if ('restoreDevice' in step) engine.restoreDevice(...step.restoreDevice);
    else {
      const ids = engine.fencesNear(step.fencesNear[0], step.fencesNear[1]).map((f) => f.id);
      expect(ids, `step ${i}: fencesNear`).toEqual(step.expect);
    }
  });
}
