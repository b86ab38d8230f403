import { describe, expect, it } from 'vitest';

import { ProximityEngine } from './index.js';
import type { GeoJsonMultiPolygon, GeoJsonPolygon, PolygonFence, Position } from './index.js';
import { near, PLAIN_RULES, runScenario, type LatLon, type Scenario } from './scenario-suite.js';

/** Returns a closed, counter-clockwise square ring around (lat, lon) with half-side `halfDeg`. */
function square(lat: number, lon: number, halfDeg: number): Position[] {
  return [
    [lon - halfDeg, lat - halfDeg],
    [lon + halfDeg, lat - halfDeg],
    [lon + halfDeg, lat + halfDeg],
    [lon - halfDeg, lat + halfDeg],
    [lon - halfDeg, lat - halfDeg],
  ];
}

function polygonFence(id: string, geometry: GeoJsonPolygon | GeoJsonMultiPolygon, overrides: Partial<PolygonFence> = {}): PolygonFence {
  return {
    id,
    shape: 'polygon',
    geometry,
    campaignId: 'campaign-1',
    truckId: 'truck-1',
    activeFrom: 0,
    activeUntil: 1_000_000,
    rules: PLAIN_RULES,
    ...overrides,
  };
}

/** Union Square, San Francisco: a block of about 1.1 km around it with the square itself cut out. */
const UNION_SQUARE: LatLon = [37.788, -122.4075];
const BLOCK: GeoJsonPolygon = {
  type: 'Polygon',
  coordinates: [square(UNION_SQUARE[0], UNION_SQUARE[1], 0.005), square(UNION_SQUARE[0], UNION_SQUARE[1], 0.001)],
};
const IN_BLOCK = near(UNION_SQUARE, 300);
const IN_HOLE = near(UNION_SQUARE, 30);
const OUTSIDE_BLOCK = near(UNION_SQUARE, 1_500);

/** Two islands on either side of the antimeridian, as one multipolygon crossing it. */
const DATELINE: GeoJsonMultiPolygon = {
  type: 'MultiPolygon',
  coordinates: [
    [
      [
        [179.99, -17.01],
        [-179.99, -17.01],
        [-179.99, -16.99],
        [179.99, -16.99],
        [179.99, -17.01],
      ],
    ],
    [square(-18, 178, 0.01)],
  ],
};

/** A wedge between 89° and 89.9° north, from 0° to 90° east. */
const NEAR_POLE: GeoJsonPolygon = {
  type: 'Polygon',
  coordinates: [
    [
      [0, 89],
      [90, 89],
      [90, 89.9],
      [0, 89.9],
      [0, 89],
    ],
  ],
};

const SCENARIOS: Scenario[] = [
  {
    name: 'polygon with a hole: inside the ring enters, the hole exits',
    fences: [polygonFence('block', BLOCK)],
    steps: [
      { seq: 1, at: OUTSIDE_BLOCK, expect: [] },
      { seq: 2, at: IN_BLOCK, expect: ['enter block', 'offer campaign-1 block'] },
      { seq: 3, at: IN_HOLE, expect: ['exit block'] },
      { fencesNear: IN_HOLE, expect: [] },
      { fencesNear: IN_BLOCK, expect: ['block'] },
    ],
  },
  {
    name: 'polygon exit waits for the hysteresis margin',
    fences: [polygonFence('block', BLOCK, { rules: { ...PLAIN_RULES, exitMarginM: 25 } })],
    steps: [
      { seq: 1, at: IN_BLOCK, expect: ['enter block', 'offer campaign-1 block'] },
      // The hole's edge is about 111 m north of the centre: 100 m is 11 m into the hole.
      { seq: 2, at: near(UNION_SQUARE, 100), expect: [] },
      { seq: 3, at: near(UNION_SQUARE, 60), expect: ['exit block'] },
    ],
  },
  {
    name: 'multipolygon across the antimeridian',
    fences: [polygonFence('dateline', DATELINE)],
    steps: [
      { seq: 1, at: [-17, 179.995], expect: ['enter dateline', 'offer campaign-1 dateline'] },
      { seq: 2, at: [-17, -179.995], expect: [] },
      { seq: 3, at: [-17, 179.98], expect: ['exit dateline'] },
      { seq: 4, at: [-18, 178], expect: ['enter dateline'] },
      { fencesNear: [-17, 180], expect: ['dateline'] },
      { fencesNear: [-17, -180], expect: ['dateline'] },
      { fencesNear: [-17.1, 179.995], expect: [] },
    ],
  },
  {
    name: 'polygon near the north pole',
    fences: [polygonFence('arctic', NEAR_POLE)],
    options: { largeFenceRadiusM: 20_000 },
    steps: [
      { seq: 1, at: [89.5, 45], expect: ['enter arctic', 'offer campaign-1 arctic'] },
      { seq: 2, at: [89.5, 80], expect: [] },
      { seq: 3, at: [89.5, -135], expect: ['exit arctic'] },
      { fencesNear: [89.5, 1], expect: ['arctic'] },
      { fencesNear: [88.9, 45], expect: [] },
    ],
  },
  {
    name: 'a polygon does not move with its truck',
    fences: [polygonFence('block', BLOCK)],
    steps: [
      { seq: 1, at: IN_BLOCK, expect: ['enter block', 'offer campaign-1 block'] },
      { moveTruck: ['truck-1', OUTSIDE_BLOCK], ts: 1_500, expect: [] },
      { fencesNear: IN_BLOCK, expect: ['block'] },
    ],
  },
  {
    name: 'a polygon reshaped around a standing phone enters it at once',
    fences: [polygonFence('block', { type: 'Polygon', coordinates: [square(0, 0, 0.01)] })],
    steps: [
      { seq: 1, at: IN_BLOCK, expect: [] },
      { upsertFence: polygonFence('block', BLOCK) },
      { seq: 2, at: IN_BLOCK, expect: ['enter block', 'offer campaign-1 block'] },
    ],
  },
];

describe('polygon fences', () => {
  for (const scenario of SCENARIOS) it(scenario.name, () => runScenario(scenario));

  it('applies a new polygon to the phones already inside', () => {
    const engine = new ProximityEngine();
    engine.process({ deviceId: 'phone-1', seq: 1, lat: IN_BLOCK[0], lon: IN_BLOCK[1], accuracyM: 10, ts: 1_000 });
    engine.process({ deviceId: 'phone-2', seq: 1, lat: IN_HOLE[0], lon: IN_HOLE[1], accuracyM: 10, ts: 1_000 });

    const events = engine.upsertFence(polygonFence('block', BLOCK), 2_000);
    expect(events.map((event) => `${event.type} ${event.deviceId}`)).toEqual(['enter phone-1', 'offer phone-1']);
  });

  it('lists polygons in the cell index, and large ones in the R-tree', () => {
    const engine = new ProximityEngine();
    engine.upsertFence(polygonFence('block', BLOCK));
    expect(engine.indexStats().treeItems).toBe(0);
    expect(engine.indexStats().cellEntries).toBeGreaterThan(0);

    engine.upsertFence(polygonFence('city', { type: 'Polygon', coordinates: [square(37.75, -122.45, 0.1)] }));
    expect(engine.indexStats().treeItems).toBe(1);

    engine.removeFence('block');
    engine.removeFence('city');
    expect(engine.indexStats()).toEqual({ cells: 0, cellEntries: 0, treeItems: 0, gridSquares: 0 });
  });

  it('rejects an invalid polygon, naming the position', () => {
    const engine = new ProximityEngine();
    const open = { type: 'Polygon', coordinates: [square(0, 0, 1).slice(0, 4)] } as GeoJsonPolygon;
    expect(() => engine.upsertFence(polygonFence('bad', open))).toThrow(/invalid fence\.geometry\.coordinates\[0\]/);

    const outOfRange = { type: 'Polygon', coordinates: [[[0, 0], [1, 0], [1, 95], [0, 0]]] } as GeoJsonPolygon;
    expect(() => engine.upsertFence(polygonFence('bad', outOfRange))).toThrow(/invalid fence\.geometry\.coordinates\[0\]\[2\]/);

    const aroundPole = { type: 'Polygon', coordinates: [[[0, 89.5], [120, 89.5], [-120, 89.5], [0, 89.5]]] } as GeoJsonPolygon;
    expect(() => engine.upsertFence(polygonFence('bad', aroundPole))).toThrow('does not enclose a pole');
    expect(engine.fenceCount).toBe(0);
  });

  it('keeps its own copy of the geometry', () => {
    const engine = new ProximityEngine();
    const geometry = structuredClone(BLOCK);
    engine.upsertFence(polygonFence('block', geometry));
    geometry.coordinates[0]![0]![0] = 0;

    const [kept] = engine.fencesNear(IN_BLOCK[0], IN_BLOCK[1]) as PolygonFence[];
    expect(kept?.geometry).toEqual(BLOCK);
  });
});
