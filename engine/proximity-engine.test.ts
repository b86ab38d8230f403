import { describe, expect, it } from 'vitest';

import { CloudburstError } from '../common/errors.js';
import { destinationPoint, distanceM } from './geo.js';
import { offerIdFor, ProximityEngine } from './index.js';
import type { CircleFence, EnginePing, ProximityEngineOptions } from './index.js';
import { describeEvent, fence, MISSION, near, runScenario, type LatLon, type Scenario } from './scenario-suite.js';

// ---------------------------------------------------------------------------
// Scenarios

const INSIDE = near(MISSION, 40);
const OUTSIDE = near(MISSION, 400);
const ELSEWHERE: LatLon = [37.8, -122.45];

const SCENARIOS: Scenario[] = [
  {
    name: 'first ping inside gives enter and offer',
    fences: [fence('f1', MISSION)],
    steps: [{ seq: 1, at: INSIDE, expect: ['enter f1', 'offer campaign-1 f1'] }],
  },
  {
    name: 'first ping outside gives nothing',
    fences: [fence('f1', MISSION)],
    steps: [
      { seq: 1, at: OUTSIDE, expect: [] },
      { seq: 2, at: INSIDE, expect: ['enter f1', 'offer campaign-1 f1'] },
    ],
  },
  {
    name: 'staying inside gives no new event',
    fences: [fence('f1', MISSION)],
    steps: [
      { seq: 1, at: INSIDE, expect: ['enter f1', 'offer campaign-1 f1'] },
      { seq: 2, at: near(MISSION, 45), expect: [] },
      { seq: 3, at: near(MISSION, 50, 90), expect: [] },
    ],
  },
  {
    name: 'duplicate seq is ignored entirely',
    fences: [fence('f1', MISSION)],
    steps: [
      { seq: 1, at: INSIDE, expect: ['enter f1', 'offer campaign-1 f1'] },
      { seq: 1, at: INSIDE, expect: [] },
      // A duplicate elsewhere neither exits nor moves the device.
      { seq: 1, at: OUTSIDE, ts: 5_000, expect: [] },
      { seq: 2, at: INSIDE, expect: [] },
      { seq: 3, at: OUTSIDE, expect: ['exit f1'] },
      { seq: 2, at: INSIDE, ts: 9_000, expect: [] },
    ],
  },
  {
    name: 'ping older than the last accepted one is ignored',
    fences: [fence('f1', MISSION)],
    steps: [
      { seq: 1, at: OUTSIDE, ts: 10_000, expect: [] },
      { seq: 2, at: INSIDE, ts: 9_999, expect: [] },
      // The older ping recorded nothing, so its seq is still free.
      { seq: 2, at: INSIDE, ts: 10_000, expect: ['enter f1', 'offer campaign-1 f1'] },
    ],
  },
  {
    name: 're-entry gives enter but no second offer',
    fences: [fence('f1', MISSION)],
    steps: [
      { seq: 1, at: INSIDE, expect: ['enter f1', 'offer campaign-1 f1'] },
      { seq: 2, at: OUTSIDE, expect: ['exit f1'] },
      { seq: 3, at: INSIDE, expect: ['enter f1'] },
    ],
  },
  {
    name: 'two trucks of one campaign give one offer for the nearer',
    fences: [fence('far', near(MISSION, 60, 180)), fence('near', near(MISSION, 30))],
    steps: [{ seq: 1, at: MISSION, expect: ['enter far', 'enter near', 'offer campaign-1 near'] }],
  },
  {
    name: 'equidistant trucks of one campaign offer the smaller truck id',
    fences: [fence('f1', MISSION, { truckId: 'truck-b' }), fence('f2', MISSION, { truckId: 'truck-a' })],
    steps: [{ seq: 1, at: INSIDE, expect: ['enter f1', 'enter f2', 'offer campaign-1 f2'] }],
  },
  {
    name: 'second truck of an offered campaign gives no offer',
    fences: [fence('f1', MISSION), fence('f2', ELSEWHERE)],
    steps: [
      { seq: 1, at: INSIDE, expect: ['enter f1', 'offer campaign-1 f1'] },
      { seq: 2, at: near(ELSEWHERE, 10), expect: ['exit f1', 'enter f2'] },
    ],
  },
  {
    name: 'two campaigns give one offer each',
    fences: [
      fence('f1', MISSION, { campaignId: 'tacos' }),
      fence('f2', MISSION, { campaignId: 'coffee', truckId: 'truck-f1' }),
    ],
    steps: [{ seq: 1, at: INSIDE, expect: ['enter f1', 'enter f2', 'offer coffee f2', 'offer tacos f1'] }],
  },
  {
    name: 'each device gets its own offer',
    fences: [fence('f1', MISSION)],
    steps: [
      { device: 'phone-1', seq: 1, at: INSIDE, expect: ['enter f1', 'offer campaign-1 f1'] },
      { device: 'phone-2', seq: 1, at: INSIDE, expect: ['enter f1', 'offer campaign-1 f1'] },
    ],
  },
  {
    name: 'offer waits for the window to open',
    fences: [fence('f1', MISSION, { activeFrom: 5_000, activeUntil: 8_000 })],
    steps: [
      { seq: 1, at: INSIDE, ts: 4_999, expect: ['enter f1'] },
      // Still inside when the window opens: no new enter, but the offer comes now.
      { seq: 2, at: INSIDE, ts: 6_000, expect: ['offer campaign-1 f1'] },
      { seq: 3, at: OUTSIDE, ts: 6_500, expect: ['exit f1'] },
      { seq: 4, at: INSIDE, ts: 7_000, expect: ['enter f1'] },
    ],
  },
  {
    name: 'window end is exclusive',
    fences: [fence('f1', MISSION, { activeFrom: 5_000, activeUntil: 8_000 })],
    steps: [
      { seq: 1, at: INSIDE, ts: 8_000, expect: ['enter f1'] },
      { seq: 2, at: OUTSIDE, ts: 8_001, expect: ['exit f1'] },
      { device: 'phone-2', seq: 1, at: INSIDE, ts: 5_000, expect: ['enter f1', 'offer campaign-1 f1'] },
    ],
  },
  {
    name: 'moved truck gives enter at the move',
    fences: [fence('f1', ELSEWHERE, { truckId: 'truck-1' })],
    steps: [
      { seq: 1, at: INSIDE, expect: [] },
      { moveTruck: ['truck-1', MISSION], ts: 1_500, expect: ['enter f1', 'offer campaign-1 f1'] },
      { seq: 2, at: INSIDE, expect: [] },
      { fencesNear: ELSEWHERE, expect: [] },
      { fencesNear: MISSION, expect: ['f1'] },
    ],
  },
  {
    name: 'truck moving away gives exit at the move',
    fences: [fence('f1', MISSION, { truckId: 'truck-1' }), fence('f2', MISSION, { truckId: 'truck-1', campaignId: 'c2' })],
    steps: [
      { seq: 1, at: INSIDE, expect: ['enter f1', 'enter f2', 'offer c2 f2', 'offer campaign-1 f1'] },
      { moveTruck: ['truck-1', ELSEWHERE], ts: 1_500, expect: ['exit f1', 'exit f2'] },
      { seq: 2, at: INSIDE, expect: [] },
      { fencesNear: MISSION, expect: [] },
      { fencesNear: ELSEWHERE, expect: ['f1', 'f2'] },
    ],
  },
  {
    name: 'removed fence disappears without exit',
    fences: [fence('f1', MISSION), fence('f2', MISSION, { campaignId: 'c2' })],
    steps: [
      { seq: 1, at: INSIDE, expect: ['enter f1', 'enter f2', 'offer c2 f2', 'offer campaign-1 f1'] },
      { removeFence: 'f1' },
      { fencesNear: INSIDE, expect: ['f2'] },
      { seq: 2, at: INSIDE, expect: [] },
      { seq: 3, at: OUTSIDE, expect: ['exit f2'] },
    ],
  },
  {
    name: 'removed campaign finds nothing and re-added campaign makes no second offer',
    fences: [fence('f1', MISSION), fence('f2', ELSEWHERE)],
    steps: [
      { seq: 1, at: INSIDE, expect: ['enter f1', 'offer campaign-1 f1'] },
      { removeCampaign: 'campaign-1' },
      { fencesNear: MISSION, expect: [] },
      { fencesNear: ELSEWHERE, expect: [] },
      { upsertFence: fence('f3', MISSION) },
      { seq: 2, at: INSIDE, expect: ['enter f3'] },
    ],
  },
  {
    name: 'grown fence keeps the device inside and shrunk fence gives exit',
    fences: [fence('f1', MISSION)],
    steps: [
      { seq: 1, at: INSIDE, expect: ['enter f1', 'offer campaign-1 f1'] },
      { upsertFence: fence('f1', MISSION, { radiusM: 500 }) },
      { seq: 2, at: INSIDE, expect: [] },
      { seq: 3, at: OUTSIDE, expect: [] },
      { upsertFence: fence('f1', MISSION, { radiusM: 50 }) },
      { seq: 4, at: near(MISSION, 60), expect: ['exit f1'] },
    ],
  },
  {
    name: 'large fence is found through the R-tree',
    fences: [fence('city', MISSION, { radiusM: 5_000 })],
    steps: [
      { seq: 1, at: near(MISSION, 4_900, 45), expect: ['enter city', 'offer campaign-1 city'] },
      { seq: 2, at: near(MISSION, 5_100, 45), expect: ['exit city'] },
      { fencesNear: near(MISSION, 4_999, 270), expect: ['city'] },
    ],
  },
  {
    name: 'small and large fences together',
    options: { largeFenceRadiusM: 1_000 },
    fences: [fence('small', MISSION), fence('large', MISSION, { radiusM: 1_500, campaignId: 'c2' })],
    steps: [
      { seq: 1, at: INSIDE, expect: ['enter large', 'enter small', 'offer c2 large', 'offer campaign-1 small'] },
      { seq: 2, at: near(MISSION, 1_400), expect: ['exit small'] },
    ],
  },
  ...(['cell index', 'R-tree'] as const).flatMap((path): Scenario[] => {
    const options: ProximityEngineOptions = path === 'R-tree' ? { largeFenceRadiusM: 0 } : {};
    return [
      {
        name: `fence at the antimeridian (${path})`,
        options,
        fences: [fence('east', [0, 179.999], { radiusM: 500 })],
        steps: [
          { seq: 1, at: [0, -179.999], expect: ['enter east', 'offer campaign-1 east'] },
          { seq: 2, at: [0, 180], expect: [] },
          { seq: 3, at: [0, -180], expect: [] },
          { seq: 4, at: [0, -179.99], expect: ['exit east'] },
          { fencesNear: [0.001, -179.998], expect: ['east'] },
        ],
      },
      {
        name: `fence near the north pole (${path})`,
        options,
        fences: [fence('pole', [89.999, 0], { radiusM: 500 })],
        steps: [
          { seq: 1, at: [89.999, 180], expect: ['enter pole', 'offer campaign-1 pole'] },
          { seq: 2, at: [90, 0], expect: [] },
          { seq: 3, at: [89.999, 90], expect: [] },
          { seq: 4, at: [89.99, 180], expect: ['exit pole'] },
        ],
      },
      {
        name: `fence containing the south pole (${path})`,
        options,
        fences: [fence('pole', [-89.999, 45], { radiusM: 500 })],
        steps: [
          { seq: 1, at: [-90, 0], expect: ['enter pole', 'offer campaign-1 pole'] },
          { seq: 2, at: [-89.998, -135], expect: [] },
          { seq: 3, at: [-89.99, 45], expect: ['exit pole'] },
        ],
      },
    ];
  }),
  {
    name: 'markOffered prevents the offer',
    fences: [fence('f1', MISSION)],
    steps: [
      { markOffered: ['campaign-1', 'phone-1'] },
      { seq: 1, at: INSIDE, expect: ['enter f1'] },
      { device: 'phone-2', seq: 1, at: INSIDE, expect: ['enter f1', 'offer campaign-1 f1'] },
    ],
  },
  {
    name: 'restoreDevice rejects seq and ts at or before the checkpoint',
    fences: [fence('f1', MISSION)],
    steps: [
      { restoreDevice: ['phone-1', { lastSeq: 10, lastTs: 50_000 }] },
      { seq: 10, at: INSIDE, ts: 60_000, expect: [] },
      { seq: 11, at: INSIDE, ts: 49_999, expect: [] },
      { seq: 11, at: INSIDE, ts: 50_000, expect: ['enter f1', 'offer campaign-1 f1'] },
    ],
  },
  {
    name: 'a restored position is neither entered again nor offered',
    fences: [fence('f1', MISSION), fence('f2', ELSEWHERE, { campaignId: 'campaign-2' })],
    steps: [
      { restorePosition: { seq: 5, at: INSIDE }, inside: ['f1'] },
      { markOffered: ['campaign-1', 'phone-1'] },
      { seq: 5, at: OUTSIDE, expect: [] },
      { seq: 6, at: INSIDE, expect: [] },
      { seq: 7, at: ELSEWHERE, expect: ['exit f1', 'enter f2', 'offer campaign-2 f2'] },
    ],
  },
  {
    name: 'a restored position without an offer is offered at the next ping',
    fences: [fence('f1', MISSION)],
    steps: [
      { restorePosition: { seq: 5, at: INSIDE }, inside: ['f1'] },
      { seq: 6, at: INSIDE, expect: ['offer campaign-1 f1'] },
    ],
  },
  {
    name: 'restorePosition ignores a ping older than the device state',
    fences: [fence('f1', MISSION)],
    steps: [
      { seq: 8, at: OUTSIDE, expect: [] },
      { restorePosition: { seq: 7, at: INSIDE }, inside: [] },
      { seq: 9, at: INSIDE, expect: ['enter f1', 'offer campaign-1 f1'] },
    ],
  },
  {
    name: 'restored state replays without a second offer',
    fences: [fence('f1', MISSION)],
    steps: [
      { restoreDevice: ['phone-1', { lastSeq: 3, lastTs: 3_000 }] },
      { markOffered: ['campaign-1', 'phone-1'] },
      { seq: 3, at: INSIDE, expect: [] },
      { seq: 4, at: INSIDE, expect: ['enter f1'] },
    ],
  },
];

describe('ProximityEngine scenarios', () => {
  for (const scenario of SCENARIOS) {
    it(scenario.name, () => runScenario(scenario));
  }
});

// ---------------------------------------------------------------------------
// Single behaviours

describe('ProximityEngine', () => {
  it('counts a point at exactly the radius as inside', () => {
    const point = near(MISSION, 123.456, 33);
    const exact = distanceM(MISSION[0], MISSION[1], point[0], point[1]);

    const engine = new ProximityEngine();
    engine.upsertFence(fence('exact', MISSION, { radiusM: exact }));
    engine.upsertFence(fence('short', MISSION, { radiusM: nextDown(exact), campaignId: 'c2' }));

    expect(engine.fencesNear(point[0], point[1]).map((f) => f.id)).toEqual(['exact']);
    const events = engine.process({ deviceId: 'phone-1', seq: 1, lat: point[0], lon: point[1], accuracyM: 5, ts: 1 });
    expect(events.map(describeEvent)).toEqual(['enter exact', 'offer campaign-1 exact']);
  });

  it('fills the offer from the chosen fence and the ping', () => {
    const engine = new ProximityEngine();
    engine.upsertFence(fence('f1', MISSION, { truckId: 'truck-7' }));
    const ping: EnginePing = { deviceId: 'phone-9', seq: 1, lat: INSIDE[0], lon: INSIDE[1], accuracyM: 5, ts: 42 };

    const offer = engine.process(ping).find((event) => event.type === 'offer');

    expect(offer).toEqual({
      type: 'offer',
      offerId: offerIdFor('campaign-1', 'phone-9'),
      campaignId: 'campaign-1',
      deviceId: 'phone-9',
      truckId: 'truck-7',
      fenceId: 'f1',
      ping,
      distanceM: distanceM(INSIDE[0], INSIDE[1], MISSION[0], MISSION[1]),
    });
  });

  it('returns the same offer id after a restart', () => {
    const ids = [1, 2].map(() => {
      const engine = new ProximityEngine();
      engine.upsertFence(fence('f1', MISSION));
      const events = engine.process({ deviceId: 'phone-1', seq: 1, lat: INSIDE[0], lon: INSIDE[1], accuracyM: 5, ts: 1 });
      return events.find((event) => event.type === 'offer')?.offerId;
    });
    expect(ids[0]).toBeDefined();
    expect(ids[0]).toBe(ids[1]);
  });

  it('returns a frozen empty array when nothing happens', () => {
    const engine = new ProximityEngine();
    const events = engine.process({ deviceId: 'phone-1', seq: 1, lat: 0, lon: 0, accuracyM: 5, ts: 1 });
    expect(events).toEqual([]);
    expect(Object.isFrozen(events)).toBe(true);
  });

  it('counts fences and devices', () => {
    const engine = new ProximityEngine();
    engine.upsertFence(fence('f1', MISSION));
    engine.upsertFence(fence('f1', ELSEWHERE));
    engine.upsertFence(fence('f2', ELSEWHERE));
    engine.process({ deviceId: 'phone-1', seq: 1, lat: 0, lon: 0, accuracyM: 5, ts: 1 });
    engine.restoreDevice('phone-2', { lastSeq: 4, lastTs: 4 });

    expect(engine.fenceCount).toBe(2);
    expect(engine.deviceCount).toBe(2);

    engine.markOffered('campaign-1', 'phone-3');
    expect(engine.deviceCount).toBe(3);

    expect(engine.removeFence('f1')).toBe(true);
    expect(engine.removeFence('f1')).toBe(false);
    expect(engine.fenceCount).toBe(1);
  });

  it('leaves no index entry after update, move and removal', () => {
    const engine = new ProximityEngine({ largeFenceRadiusM: 1_000 });
    engine.upsertFence(fence('small', MISSION, { truckId: 'truck-1' }));
    engine.upsertFence(fence('large', MISSION, { truckId: 'truck-1', radiusM: 3_000, campaignId: 'c2' }));
    const afterInsert = engine.indexStats();

    engine.upsertFence(fence('small', MISSION, { truckId: 'truck-1' }));
    engine.upsertFence(fence('large', MISSION, { truckId: 'truck-1', radiusM: 3_000, campaignId: 'c2' }));
    expect(engine.indexStats()).toEqual(afterInsert);

    expect(engine.moveTruck('truck-1', 0, 179.9999, 0)).toEqual([]);
    expect(engine.indexStats().treeItems).toBe(2);
    expect(engine.fencesNear(INSIDE[0], INSIDE[1])).toEqual([]);
    expect(engine.fencesNear(0, -179.9999).map((f) => f.id)).toEqual(['large', 'small']);

    // A large fence shrunk below the threshold moves from the R-tree to the cell index.
    engine.upsertFence(fence('large', [0, 179.9999], { truckId: 'truck-1', radiusM: 200, campaignId: 'c2' }));
    expect(engine.indexStats().treeItems).toBe(0);

    expect(engine.removeCampaign('campaign-1')).toBe(1);
    expect(engine.removeFence('large')).toBe(true);
    expect(engine.indexStats()).toEqual({ cells: 0, cellEntries: 0, treeItems: 0, gridSquares: 0 });
    expect(engine.moveTruck('truck-1', 1, 1, 0)).toEqual([]);
  });

  it('keeps its own copy of an upserted fence', () => {
    const engine = new ProximityEngine();
    const input = fence('f1', MISSION);
    engine.upsertFence(input);
    input.lat = ELSEWHERE[0];
    input.lon = ELSEWHERE[1];

    expect(engine.fencesNear(MISSION[0], MISSION[1]).map((f) => (f as CircleFence).lat)).toEqual([MISSION[0]]);
  });

  it('moves the truck of a fence updated to another truck', () => {
    const engine = new ProximityEngine();
    engine.upsertFence(fence('f1', MISSION, { truckId: 'truck-old' }));
    engine.upsertFence(fence('f1', MISSION, { truckId: 'truck-new' }));

    engine.moveTruck('truck-old', ...ELSEWHERE, 0);
    expect(engine.fencesNear(...MISSION).map((f) => f.id)).toEqual(['f1']);
    engine.moveTruck('truck-new', ...ELSEWHERE, 0);
    expect(engine.fencesNear(...ELSEWHERE).map((f) => f.id)).toEqual(['f1']);
  });
});

// ---------------------------------------------------------------------------
// Misuse

describe('ProximityEngine input validation', () => {
  const invalidFences: Array<[string, Partial<CircleFence> | Record<string, unknown>, string]> = [
    ['empty id', { id: '' }, 'invalid fence.id: "" (expected a non-empty string)'],
    ['numeric campaign id', { campaignId: 7 }, 'invalid fence.campaignId: 7 (expected a non-empty string without line feeds)'],
    ['missing truck id', { truckId: undefined }, 'invalid fence.truckId: missing (expected a non-empty string)'],
    ['latitude above 90', { lat: 91 }, 'invalid fence.lat: 91 (expected a latitude in degrees, a number in [-90, 90])'],
    ['NaN longitude', { lon: Number.NaN }, 'invalid fence.lon: NaN (expected a longitude in degrees, a number in [-180, 180])'],
    ['zero radius', { radiusM: 0 }, 'invalid fence.radiusM: 0 (expected metres, a number in (0, 20015114])'],
    ['string radius', { radiusM: '100' }, 'invalid fence.radiusM: "100" (expected metres, a number in (0, 20015114])'],
    ['NaN activeFrom', { activeFrom: Number.NaN }, 'invalid fence.activeFrom: NaN (expected milliseconds since the epoch, a number below Infinity)'],
    ['window ending at its start', { activeFrom: 10, activeUntil: 10 }, 'invalid fence.activeUntil: 10 (expected milliseconds since the epoch, a number above activeFrom (10))'],
  ];

  for (const [name, overrides, message] of invalidFences) {
    it(`rejects a fence with ${name}`, () => {
      const engine = new ProximityEngine();
      const bad = { ...fence('f1', MISSION), ...overrides } as CircleFence;

      expect(() => engine.upsertFence(bad)).toThrow(message);
      expect(engine.fenceCount).toBe(0);
    });
  }

  it('throws a CloudburstError with the field and value', () => {
    const engine = new ProximityEngine();
    try {
      engine.upsertFence({ ...fence('f1', MISSION), radiusM: -5 });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(CloudburstError);
      expect(error).toMatchObject({ code: 'invalid_input', field: 'fence.radiusM', value: -5 });
    }
  });

  const invalidPings: Array<[string, Partial<EnginePing> | Record<string, unknown>, string]> = [
    ['empty device id', { deviceId: '' }, 'invalid ping.deviceId: "" (expected a non-empty string)'],
    ['fractional seq', { seq: 1.5 }, 'invalid ping.seq: 1.5 (expected an integer >= 0)'],
    ['negative seq', { seq: -1 }, 'invalid ping.seq: -1 (expected an integer >= 0)'],
    ['latitude below -90', { lat: -90.5 }, 'invalid ping.lat: -90.5 (expected a latitude in degrees, a number in [-90, 90])'],
    ['longitude above 180', { lon: 181 }, 'invalid ping.lon: 181 (expected a longitude in degrees, a number in [-180, 180])'],
    ['infinite ts', { ts: Infinity }, 'invalid ping.ts: Infinity (expected milliseconds since the epoch, a finite number)'],
    ['negative accuracy', { accuracyM: -1 }, 'invalid ping.accuracyM: -1 (expected metres, a finite number >= 0)'],
  ];

  for (const [name, overrides, message] of invalidPings) {
    it(`rejects a ping with ${name}`, () => {
      const engine = new ProximityEngine();
      const ping = { deviceId: 'phone-1', seq: 1, lat: 0, lon: 0, accuracyM: 5, ts: 1, ...overrides } as EnginePing;

      expect(() => engine.process(ping)).toThrow(message);
      expect(engine.deviceCount).toBe(0);
    });
  }

  it('rejects invalid options', () => {
    expect(() => new ProximityEngine({ h3Resolution: 16 })).toThrow('invalid options.h3Resolution: 16 (expected an integer in [0, 15])');
    expect(() => new ProximityEngine({ largeFenceRadiusM: -1 })).toThrow(
      'invalid options.largeFenceRadiusM: -1 (expected metres, a number in [0, 20078] at H3 resolution 9)',
    );
    expect(() => new ProximityEngine({ h3Resolution: 12, largeFenceRadiusM: 5_000 })).toThrow(
      'invalid options.largeFenceRadiusM: 5000 (expected metres, a number in [0, 1083] at H3 resolution 12)',
    );
  });

  it('rejects invalid arguments to the other methods', () => {
    const engine = new ProximityEngine();
    expect(() => engine.moveTruck('truck-1', 100, 0, 0)).toThrow('invalid lat: 100');
    expect(() => engine.moveTruck('truck-1', 0, 0, Number.NaN)).toThrow('invalid at: NaN');
    expect(() => engine.fencesNear(0, -200)).toThrow('invalid lon: -200');
    expect(() => engine.markOffered('', 'phone-1')).toThrow('invalid campaignId: ""');
    expect(() => engine.restoreDevice('phone-1', { lastSeq: 1, lastTs: Number.NaN })).toThrow('invalid state.lastTs: NaN');
    expect(() => engine.removeFence(undefined as unknown as string)).toThrow('invalid fenceId: missing');
  });
});

/** Returns the largest double below a positive finite `x`. */
function nextDown(x: number): number {
  const bits = new Float64Array([x]);
  const asInt = new BigInt64Array(bits.buffer);
  asInt[0] = (asInt[0] as bigint) - 1n;
  return bits[0] as number;
}
