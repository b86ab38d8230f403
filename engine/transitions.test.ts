import { describe, expect, it } from 'vitest';

import { DEFAULT_FENCE_RULES, ProximityEngine } from './index.js';
import { fence, MISSION, near, PLAIN_RULES, runScenario, type Scenario } from './scenario-suite.js';
import type { FenceRules } from './types.js';

/** Returns a 100 m fence at MISSION with plain rules, overridden by `rules`. */
function ruled(rules: Partial<FenceRules>, id = 'f1') {
  return fence(id, MISSION, { rules: { ...PLAIN_RULES, ...rules } });
}

const INSIDE = near(MISSION, 40);
/** Outside the 100 m circle but within a 25 m exit margin. */
const EDGE_OUT = near(MISSION, 110);
const BEYOND_MARGIN = near(MISSION, 130);
const FAR = near(MISSION, 5_000);
const ELSEWHERE = near(MISSION, 3_000, 90);

const SCENARIOS: Scenario[] = [
  {
    name: 'dwell comes at the first ping past the dwell time',
    fences: [ruled({ dwellMs: 30_000 })],
    steps: [
      { seq: 1, ts: 1_000, at: INSIDE, expect: ['enter f1', 'offer campaign-1 f1'] },
      { seq: 2, ts: 20_000, at: INSIDE, expect: [] },
      { seq: 3, ts: 31_000, at: INSIDE, expect: ['dwell f1'] },
      { seq: 4, ts: 90_000, at: INSIDE, expect: [] },
    ],
  },
  {
    name: 'leaving before the dwell time resets it',
    fences: [ruled({ dwellMs: 30_000 })],
    steps: [
      { seq: 1, ts: 1_000, at: INSIDE, expect: ['enter f1', 'offer campaign-1 f1'] },
      { seq: 2, ts: 20_000, at: FAR, expect: ['exit f1'] },
      { seq: 3, ts: 25_000, at: INSIDE, expect: ['enter f1'] },
      { seq: 4, ts: 40_000, at: INSIDE, expect: [] },
      { seq: 5, ts: 55_000, at: INSIDE, expect: ['dwell f1'] },
    ],
  },
  {
    name: 'offer on dwell waits for the dwell',
    fences: [ruled({ dwellMs: 30_000, offerOn: 'dwell' })],
    steps: [
      { seq: 1, ts: 1_000, at: INSIDE, expect: ['enter f1'] },
      { seq: 2, ts: 31_000, at: INSIDE, expect: ['dwell f1', 'offer campaign-1 f1'] },
    ],
  },
  {
    name: 'zero dwell time dwells at the enter',
    fences: [ruled({ dwellMs: 0, offerOn: 'dwell' })],
    steps: [{ seq: 1, at: INSIDE, expect: ['enter f1', 'dwell f1', 'offer campaign-1 f1'] }],
  },
  {
    name: 'exit waits for the hysteresis margin',
    fences: [ruled({ exitMarginM: 25 })],
    steps: [
      { seq: 1, at: INSIDE, expect: ['enter f1', 'offer campaign-1 f1'] },
      { seq: 2, at: EDGE_OUT, expect: [] },
      { seq: 3, at: INSIDE, expect: [] },
      { seq: 4, at: EDGE_OUT, expect: [] },
      { seq: 5, at: BEYOND_MARGIN, expect: ['exit f1'] },
      // Coming back, the margin does not count: the device enters at the circle itself.
      { seq: 6, at: EDGE_OUT, expect: [] },
      { seq: 7, at: INSIDE, expect: ['enter f1'] },
    ],
  },
  {
    name: 'no offer from a ping in the exit margin',
    fences: [fence('f1', MISSION, { activeFrom: 10_000, rules: { ...PLAIN_RULES, exitMarginM: 50 } })],
    steps: [
      { seq: 1, ts: 1_000, at: INSIDE, expect: ['enter f1'] },
      // The window is open now, but 120 m is outside the 100 m circle, only within the margin.
      { seq: 2, ts: 11_000, at: near(MISSION, 120), expect: [] },
      { seq: 3, ts: 12_000, at: INSIDE, expect: ['offer campaign-1 f1'] },
    ],
  },
  {
    name: 'offer on dwell waits for a ping inside the fence itself',
    fences: [ruled({ dwellMs: 30_000, offerOn: 'dwell', exitMarginM: 50 })],
    steps: [
      { seq: 1, ts: 1_000, at: INSIDE, expect: ['enter f1'] },
      { seq: 2, ts: 31_000, at: near(MISSION, 120), expect: ['dwell f1'] },
      { seq: 3, ts: 32_000, at: INSIDE, expect: ['offer campaign-1 f1'] },
    ],
  },
  {
    name: 'a silent device goes unknown at its next ping',
    fences: [ruled({ staleAfterMs: 60_000 })],
    steps: [
      { seq: 1, ts: 1_000, at: INSIDE, expect: ['enter f1', 'offer campaign-1 f1'] },
      { seq: 2, ts: 61_000, at: INSIDE, expect: [] },
      { seq: 3, ts: 122_000, at: INSIDE, expect: ['unknown f1', 'enter f1'] },
      { seq: 4, ts: 200_000, at: FAR, expect: ['unknown f1'] },
    ],
  },
  {
    name: 'expireStale turns silent devices unknown',
    fences: [ruled({ staleAfterMs: 60_000 }), ruled({ staleAfterMs: 600_000 }, 'f2')],
    steps: [
      { seq: 1, ts: 1_000, at: INSIDE, expect: ['enter f1', 'enter f2', 'offer campaign-1 f1'] },
      { expireStale: 61_000, expect: [] },
      { expireStale: 61_001, expect: ['unknown f1'] },
      { expireStale: 601_001, expect: ['unknown f2'] },
      { expireStale: 700_000, expect: [] },
      { seq: 2, ts: 700_000, at: INSIDE, expect: ['enter f1', 'enter f2'] },
    ],
  },
  {
    name: 'an inaccurate ping neither enters nor exits',
    fences: [ruled({ maxAccuracyM: 50 })],
    steps: [
      { seq: 1, at: INSIDE, accuracyM: 80, expect: [] },
      { seq: 2, at: INSIDE, accuracyM: 50, expect: ['enter f1', 'offer campaign-1 f1'] },
      { seq: 3, at: FAR, accuracyM: 500, expect: [] },
      { seq: 4, at: FAR, accuracyM: 20, expect: ['exit f1'] },
    ],
  },
  {
    name: 'accuracy is judged per campaign',
    fences: [ruled({ maxAccuracyM: 50 }), fence('f2', MISSION, { campaignId: 'c2', rules: { ...PLAIN_RULES, maxAccuracyM: 200 } })],
    steps: [{ seq: 1, at: INSIDE, accuracyM: 80, expect: ['enter f2', 'offer c2 f2'] }],
  },
  {
    name: 'a jump faster than the limit is flagged and triggers nothing',
    fences: [ruled({ maxSpeedMps: 70 })],
    steps: [
      { seq: 1, ts: 1_000, at: FAR, expect: [] },
      // 4.96 km in 1 s.
      { seq: 2, ts: 2_000, at: INSIDE, expect: ['flagged phone-1'] },
      // The flagged fix is the reference for the next one, which does not move.
      { seq: 3, ts: 62_000, at: INSIDE, expect: ['enter f1', 'offer campaign-1 f1'] },
      { seq: 4, ts: 63_000, at: FAR, expect: ['flagged phone-1'] },
      { seq: 5, ts: 200_000, at: FAR, expect: ['exit f1'] },
    ],
  },
  {
    name: 'a plausible speed is not flagged',
    fences: [ruled({ maxSpeedMps: 70 })],
    steps: [
      { seq: 1, ts: 1_000, at: FAR, expect: [] },
      // 4.96 km in 100 s is 49.6 m/s.
      { seq: 2, ts: 101_000, at: INSIDE, expect: ['enter f1', 'offer campaign-1 f1'] },
    ],
  },
  {
    name: 'pings far from every fence are never flagged',
    fences: [ruled({ maxSpeedMps: 70 })],
    steps: [
      { seq: 1, ts: 1_000, at: FAR, expect: [] },
      { seq: 2, ts: 2_000, at: ELSEWHERE, expect: [] },
    ],
  },
  {
    name: 'a moved truck enters the phones near its new place',
    fences: [fence('f1', ELSEWHERE, { truckId: 'truck-1' })],
    steps: [
      { seq: 1, at: INSIDE, expect: [] },
      { device: 'phone-2', seq: 1, at: FAR, expect: [] },
      { moveTruck: ['truck-1', MISSION], ts: 2_000, expect: ['enter f1', 'offer campaign-1 f1'] },
      { seq: 2, at: INSIDE, expect: [] },
    ],
  },
  {
    name: 'a moved truck skips phones that are stale or inaccurate',
    fences: [fence('f1', ELSEWHERE, { truckId: 'truck-1', rules: { ...PLAIN_RULES, staleAfterMs: 60_000, maxAccuracyM: 50 } })],
    steps: [
      { device: 'stale', seq: 1, ts: 1_000, at: INSIDE, expect: [] },
      { device: 'vague', seq: 1, ts: 100_000, at: INSIDE, accuracyM: 80, expect: [] },
      { device: 'fresh', seq: 1, ts: 100_000, at: INSIDE, expect: [] },
      { moveTruck: ['truck-1', MISSION], ts: 100_500, expect: ['enter f1', 'offer campaign-1 f1'] },
      { device: 'stale', seq: 2, ts: 101_000, at: INSIDE, expect: ['enter f1', 'offer campaign-1 f1'] },
    ],
  },
  {
    name: 'a moved truck does not enter a phone that got there by a flagged jump',
    fences: [fence('f1', ELSEWHERE, { truckId: 'truck-1', rules: { ...PLAIN_RULES, maxSpeedMps: 70 } })],
    steps: [
      { seq: 1, ts: 1_000, at: FAR, expect: [] },
      // 4.96 km in 1 s, far from every fence, so nothing is flagged yet; the speed is kept.
      { seq: 2, ts: 2_000, at: INSIDE, expect: [] },
      { moveTruck: ['truck-1', MISSION], ts: 2_500, expect: [] },
      { seq: 3, ts: 62_000, at: INSIDE, expect: ['enter f1', 'offer campaign-1 f1'] },
    ],
  },
  {
    name: 'a moved truck offers only inside its window',
    fences: [fence('f1', ELSEWHERE, { truckId: 'truck-1', activeFrom: 10_000 })],
    steps: [
      { seq: 1, ts: 1_000, at: INSIDE, expect: [] },
      { moveTruck: ['truck-1', MISSION], ts: 2_000, expect: ['enter f1'] },
      { seq: 2, ts: 10_000, at: INSIDE, expect: ['offer campaign-1 f1'] },
    ],
  },
  {
    name: 'a fixed circle stays when its truck moves',
    fences: [fence('f1', MISSION, { truckId: 'truck-1', followsTruck: false }), fence('f2', MISSION, { truckId: 'truck-1', campaignId: 'c2' })],
    steps: [
      { seq: 1, at: INSIDE, expect: ['enter f1', 'enter f2', 'offer c2 f2', 'offer campaign-1 f1'] },
      { moveTruck: ['truck-1', ELSEWHERE], ts: 1_500, expect: ['exit f2'] },
      { fencesNear: MISSION, expect: ['f1'] },
      { fencesNear: ELSEWHERE, expect: ['f2'] },
    ],
  },
];

describe('transition rules', () => {
  for (const scenario of SCENARIOS) it(scenario.name, () => runScenario(scenario));

  it('documents its defaults', () => {
    expect(DEFAULT_FENCE_RULES).toEqual({
      dwellMs: 60_000,
      offerOn: 'enter',
      exitMarginM: 25,
      staleAfterMs: 900_000,
      maxAccuracyM: 100,
      maxSpeedMps: 70,
    });
  });

  it('applies the defaults when a fence sets no rules', () => {
    const engine = new ProximityEngine();
    engine.upsertFence({ ...fence('f1', MISSION), rules: undefined });
    const ping = { deviceId: 'phone-1', lat: INSIDE[0], lon: INSIDE[1], accuracyM: 10 };

    expect(engine.process({ ...ping, seq: 1, ts: 0 }).map((event) => event.type)).toEqual(['enter', 'offer']);
    expect(engine.process({ ...ping, seq: 2, ts: 60_000 }).map((event) => event.type)).toEqual(['dwell']);
    expect(engine.process({ ...ping, seq: 3, ts: 61_000, lat: EDGE_OUT[0], lon: EDGE_OUT[1] })).toEqual([]);
    expect(engine.process({ ...ping, seq: 4, ts: 62_000, accuracyM: 101, lat: FAR[0], lon: FAR[1] })).toEqual([]);
  });

  const invalidRules: Array<[string, Record<string, unknown>, string]> = [
    ['negative dwell', { dwellMs: -1 }, 'invalid fence.rules.dwellMs: -1 (expected milliseconds, a number >= 0 (Infinity: never))'],
    ['NaN exit margin', { exitMarginM: Number.NaN }, 'invalid fence.rules.exitMarginM: NaN (expected metres, a finite number >= 0)'],
    ['zero stale time', { staleAfterMs: 0 }, 'invalid fence.rules.staleAfterMs: 0'],
    ['string accuracy', { maxAccuracyM: '50' }, 'invalid fence.rules.maxAccuracyM: "50"'],
    ['negative speed', { maxSpeedMps: -3 }, 'invalid fence.rules.maxSpeedMps: -3'],
    ['unknown offer point', { offerOn: 'exit' }, 'invalid fence.rules.offerOn: "exit" (expected "enter" or "dwell")'],
  ];

  for (const [name, rules, message] of invalidRules) {
    it(`rejects ${name}`, () => {
      const engine = new ProximityEngine();
      expect(() => engine.upsertFence(fence('f1', MISSION, { rules: rules as Partial<FenceRules> }))).toThrow(message);
      expect(engine.fenceCount).toBe(0);
    });
  }
});
