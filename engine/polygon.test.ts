import { cellToBoundary, cellToLatLng, latLngToCell } from 'h3-js';
import { describe, expect, it } from 'vitest';

import { CloudburstError } from '../common/errors.js';
import { seededRandom } from '../common/seeded-random.js';
import { DEG_TO_RAD, destinationPoint, distanceM, EARTH_RADIUS_M, type BBox } from './geo.js';
import { cellCircumradiusM } from './polygon-cells.js';
import { preparePolygon, type PreparedPolygon } from './polygon.js';
import type { GeoJsonMultiPolygon, GeoJsonPolygon, Position } from './types.js';

const RAD_TO_DEG = 180 / Math.PI;

/** Returns a closed ring around the lon/lat rectangle, counter-clockwise. */
function rectangle(west: number, south: number, east: number, north: number): Position[] {
  return [
    [west, south],
    [east, south],
    [east, north],
    [west, north],
    [west, south],
  ];
}

function polygon(...rings: Position[][]): GeoJsonPolygon {
  return { type: 'Polygon', coordinates: rings };
}

/** Returns `count` points evenly spaced along the great-circle arc from `a` to `b`, ends included, as [lat, lon]. */
function arcPoints(a: Position, b: Position, count: number): Array<[number, number]> {
  const va = unitVector(a[1], a[0]);
  const vb = unitVector(b[1], b[0]);
  const angle = Math.acos(Math.min(1, va[0] * vb[0] + va[1] * vb[1] + va[2] * vb[2]));
  const points: Array<[number, number]> = [];
  for (let k = 0; k < count; k++) {
    const t = k / (count - 1);
    const wa = Math.sin((1 - t) * angle) / Math.sin(angle);
    const wb = Math.sin(t * angle) / Math.sin(angle);
    const x = wa * va[0] + wb * vb[0];
    const y = wa * va[1] + wb * vb[1];
    const z = wa * va[2] + wb * vb[2];
    points.push([Math.atan2(z, Math.hypot(x, y)) * RAD_TO_DEG, Math.atan2(y, x) * RAD_TO_DEG]);
  }
  return points;
}

function unitVector(lat: number, lon: number): [number, number, number] {
  const cosLat = Math.cos(lat * DEG_TO_RAD);
  return [cosLat * Math.cos(lon * DEG_TO_RAD), cosLat * Math.sin(lon * DEG_TO_RAD), Math.sin(lat * DEG_TO_RAD)];
}

/** Returns `count` points drawn uniformly from the boxes (weighted by their size in degrees) that `contains` accepts. */
function pointsInside(prepared: PreparedPolygon, count: number, seed: number): Array<[number, number]> {
  const next = seededRandom(seed);
  const sizes = prepared.boxes.map((box) => (box.maxX - box.minX) * (box.maxY - box.minY));
  const total = sizes.reduce((a, b) => a + b, 0);
  const points: Array<[number, number]> = [];

  for (let attempt = 0; points.length < count && attempt < count * 50; attempt++) {
    let pick = next() * total;
    let box = prepared.boxes[0] as BBox;
    for (let i = 0; i < sizes.length; i++) {
      box = prepared.boxes[i] as BBox;
      if (pick < (sizes[i] as number)) break;
      pick -= sizes[i] as number;
    }
    const lat = box.minY + next() * (box.maxY - box.minY);
    const lon = box.minX + next() * (box.maxX - box.minX);
    if (prepared.contains(lat, lon)) points.push([lat, lon]);
  }
  expect(points.length).toBe(count);
  return points;
}

/** Returns every point of `arcPoints` along each edge of every ring. */
function boundaryPoints(rings: Position[][], perEdge: number): Array<[number, number]> {
  const points: Array<[number, number]> = [];
  for (const ring of rings) {
    for (let i = 0; i + 1 < ring.length; i++) points.push(...arcPoints(ring[i] as Position, ring[i + 1] as Position, perEdge));
  }
  return points;
}

function expectInvalid(geometry: unknown, field: string, message: string): void {
  let caught: unknown;
  try {
    preparePolygon('area', geometry);
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(CloudburstError);
  const error = caught as CloudburstError;
  expect(error.code).toBe('invalid_input');
  expect(error.field).toBe(field);
  expect(error.message).toBe(message);
}

const SQUARE = rectangle(0, 0, 1, 1);

describe('preparePolygon validation', () => {
  const cases: Array<{ name: string; geometry: unknown; field: string; message: string }> = [
    {
      name: 'not an object',
      geometry: null,
      field: 'area',
      message: 'invalid area: null (expected a GeoJSON Polygon or MultiPolygon object)',
    },
    {
      name: 'wrong type',
      geometry: { type: 'Point', coordinates: [0, 0] },
      field: 'area.type',
      message: 'invalid area.type: "Point" (expected "Polygon" or "MultiPolygon")',
    },
    {
      name: 'no rings',
      geometry: { type: 'Polygon', coordinates: [] },
      field: 'area.coordinates',
      message: 'invalid area.coordinates: [] (expected a non-empty array of linear rings: the outer ring, then the holes)',
    },
    {
      name: 'no polygons in a multipolygon',
      geometry: { type: 'MultiPolygon', coordinates: 'none' },
      field: 'area.coordinates',
      message: 'invalid area.coordinates: "none" (expected a non-empty array of polygons, each an array of rings)',
    },
    {
      name: 'ring of 3 positions',
      geometry: polygon([
        [0, 0],
        [1, 0],
        [0, 0],
      ]),
      field: 'area.coordinates[0]',
      message: 'invalid area.coordinates[0]: [[0,0],[1,0],[0,0]] (expected a closed ring, an array of at least 4 positions)',
    },
    {
      name: 'position not an array',
      geometry: { type: 'Polygon', coordinates: [[[0, 0], [1, 0], { lon: 1, lat: 1 }, [0, 0]]] },
      field: 'area.coordinates[0][2]',
      message:
        'invalid area.coordinates[0][2]: {"lon":1,"lat":1} (expected a position [longitude, latitude] or [longitude, latitude, altitude])',
    },
    {
      name: 'longitude as a string',
      geometry: { type: 'Polygon', coordinates: [[[0, 0], ['1', 0], [1, 1], [0, 0]]] },
      field: 'area.coordinates[0][1][0]',
      message: 'invalid area.coordinates[0][1][0]: "1" (expected a longitude in degrees, a number in [-180, 180])',
    },
    {
      name: 'non-finite longitude',
      geometry: polygon([
        [0, 0],
        [Number.NaN, 0],
        [1, 1],
        [0, 0],
      ]),
      field: 'area.coordinates[0][1][0]',
      message: 'invalid area.coordinates[0][1][0]: NaN (expected a longitude in degrees, a number in [-180, 180])',
    },
    {
      name: 'latitude out of range',
      geometry: polygon([
        [0, 0],
        [1, 91],
        [1, 1],
        [0, 0],
      ]),
      field: 'area.coordinates[0][1][1]',
      message: 'invalid area.coordinates[0][1][1]: 91 (expected a latitude in degrees, a number in [-90, 90])',
    },
    {
      name: 'infinite latitude',
      geometry: polygon([
        [0, 0],
        [1, Number.POSITIVE_INFINITY],
        [1, 1],
        [0, 0],
      ]),
      field: 'area.coordinates[0][1][1]',
      message: 'invalid area.coordinates[0][1][1]: Infinity (expected a latitude in degrees, a number in [-90, 90])',
    },
    {
      name: 'altitude not a number',
      geometry: { type: 'Polygon', coordinates: [[[0, 0, 'high'], [1, 0], [1, 1], [0, 0]]] },
      field: 'area.coordinates[0][0][2]',
      message: 'invalid area.coordinates[0][0][2]: "high" (expected an altitude, a finite number, which is ignored)',
    },
    {
      name: 'ring not closed',
      geometry: polygon([
        [0, 0],
        [1, 0],
        [1, 1],
        [0, 1],
      ]),
      field: 'area.coordinates[0][3]',
      message: 'invalid area.coordinates[0][3]: [0,1] (expected [0,0], the first position repeated to close the ring)',
    },
    {
      name: 'two distinct positions',
      geometry: polygon([
        [0, 0],
        [1, 0],
        [1, 0],
        [1, 0],
        [0, 0],
      ]),
      field: 'area.coordinates[0]',
      message:
        'invalid area.coordinates[0]: [[0,0],[1,0],[1,0],[1,0],[0,0]] (expected a ring enclosing a non-zero area, with at least 3 distinct positions)',
    },
    {
      name: 'a ring going back and forth',
      geometry: polygon([
        [0, 0],
        [1, 0],
        [0, 0],
        [1, 0],
        [0, 0],
      ]),
      field: 'area.coordinates[0]',
      message: 'invalid area.coordinates[0]: [[0,0],[1,0],[0,0],[1,0],[0,0]] (expected a ring enclosing a non-zero area of at least 1 m²)',
    },
    {
      name: 'positions on one great circle',
      geometry: polygon([
        [0, 0],
        [1, 0],
        [2, 0],
        [0, 0],
      ]),
      field: 'area.coordinates[0]',
      message: 'invalid area.coordinates[0]: [[0,0],[1,0],[2,0],[0,0]] (expected a ring enclosing a non-zero area of at least 1 m²)',
    },
    {
      name: 'crossing edges',
      geometry: polygon([
        [0, 0],
        [2, 2],
        [2, 0],
        [0, 1],
        [0, 0],
      ]),
      field: 'area.coordinates[0][0]',
      message:
        'invalid area.coordinates[0][0]: [0,0] (expected a ring whose edges do not cross or touch, ' +
        'but the edge from area.coordinates[0][0] meets the edge from area.coordinates[0][2])',
    },
    {
      name: 'vertex on another edge',
      geometry: polygon([
        [0, 0],
        [4, 0],
        [4, 4],
        [2, 0],
        [0, 4],
        [0, 0],
      ]),
      field: 'area.coordinates[0][0]',
      message:
        'invalid area.coordinates[0][0]: [0,0] (expected a ring whose edges do not cross or touch, ' +
        'but the edge from area.coordinates[0][0] meets the edge from area.coordinates[0][2])',
    },
    {
      name: 'edge folding back',
      geometry: polygon([
        [0, 0],
        [2, 0],
        [1, 0],
        [1, 1],
        [0, 0],
      ]),
      field: 'area.coordinates[0][0]',
      message:
        'invalid area.coordinates[0][0]: [0,0] (expected a ring whose edges do not cross or touch, ' +
        'but the edge from area.coordinates[0][0] meets the edge from area.coordinates[0][1])',
    },
    {
      name: 'hole outside the outer ring',
      geometry: polygon(SQUARE, rectangle(2, 2, 3, 3)),
      field: 'area.coordinates[1]',
      message:
        'invalid area.coordinates[1]: [[2,2],[3,2],[3,3],[2,3],[2,2]] (expected a hole inside the outer ring area.coordinates[0])',
    },
    {
      name: 'hole crossing the outer ring',
      geometry: polygon(SQUARE, rectangle(0.5, 0.5, 1.5, 0.6)),
      field: 'area.coordinates[1][0]',
      message:
        'invalid area.coordinates[1][0]: [0.5,0.5] (expected a hole that does not cross or touch another ring, ' +
        'but the edge from area.coordinates[1][0] meets the edge from area.coordinates[0][1])',
    },
    {
      name: 'holes crossing each other',
      geometry: polygon(SQUARE, rectangle(0.2, 0.2, 0.6, 0.6), rectangle(0.4, 0.4, 0.8, 0.8)),
      field: 'area.coordinates[2][0]',
      message:
        'invalid area.coordinates[2][0]: [0.4,0.4] (expected a hole that does not cross or touch another ring, ' +
        'but the edge from area.coordinates[2][0] meets the edge from area.coordinates[1][1])',
    },
    {
      name: 'second polygon of a multipolygon',
      geometry: { type: 'MultiPolygon', coordinates: [[SQUARE], [[[5, 5], [6, 5], [6, 6], [5, 5.5]]]] },
      field: 'area.coordinates[1][0][3]',
      message: 'invalid area.coordinates[1][0][3]: [5,5.5] (expected [5,5], the first position repeated to close the ring)',
    },
    {
      name: 'ring around the north pole',
      geometry: polygon([
        [0, 80],
        [90, 80],
        [180, 80],
        [-90, 80],
        [0, 80],
      ]),
      field: 'area.coordinates[0]',
      message:
        'invalid area.coordinates[0]: [[0,80],[90,80],[180,80],[-90,80],[0,80]] ' +
        '(expected a ring that does not enclose a pole, because rings around a pole are not supported)',
    },
    {
      name: 'edge through a pole',
      geometry: polygon([
        [0, 80],
        [180, 80],
        [180, 70],
        [0, 70],
        [0, 80],
      ]),
      field: 'area.coordinates[0][1]',
      message:
        'invalid area.coordinates[0][1]: [180,80] (expected a position less than 180° of longitude from the previous position [0,80], ' +
        'because an edge spanning 180° runs through a pole)',
    },
    {
      name: 'vertex at a pole',
      geometry: polygon([
        [0, 80],
        [90, 80],
        [0, 90],
        [0, 80],
      ]),
      field: 'area.coordinates[0][2][1]',
      message: 'invalid area.coordinates[0][2][1]: 90 (expected a latitude in (-90, 90): rings that touch a pole are not supported)',
    },
  ];

  for (const { name, geometry, field, message } of cases) {
    it(`rejects ${name}`, () => {
      expectInvalid(geometry, field, message);
    });
  }

  it('rejects more than 10,000 positions', () => {
    const ring = arcPoints([0, 0], [1, 0], 5_000).map(([lat, lon]) => [lon, lat] as Position);
    const back = arcPoints([1, 1], [0, 1], 5_000).map(([lat, lon]) => [lon, lat] as Position);
    const positions = [...ring, ...back.slice(0, 4_999), [0, 0] as Position];
    expect(positions).toHaveLength(10_000);
    expect(() => preparePolygon('area', polygon(positions))).not.toThrow();

    positions.splice(1, 0, [0.00001, 0]);
    expectInvalid(
      polygon(positions),
      'area.coordinates',
      'invalid area.coordinates: "10001 or more positions" (expected at most 10000 positions in all rings together)',
    );
  });

  it('accepts consecutive duplicates and altitudes', () => {
    const prepared = preparePolygon('area', {
      type: 'Polygon',
      coordinates: [
        [
          [0, 0, 12],
          [0, 0, 12],
          [1, 0],
          [1, 1],
          [1, 1],
          [0, 1],
          [0, 0],
          [0, 0],
        ],
      ],
    });
    expect(prepared.contains(0.5, 0.5)).toBe(true);
    expect(prepared.contains(1.5, 0.5)).toBe(false);
  });
});

describe('PreparedPolygon.contains', () => {
  it('classifies points in a square', () => {
    const square = preparePolygon('area', polygon(rectangle(-122.42, 37.77, -122.41, 37.78)));

    expect(square.contains(37.775, -122.415)).toBe(true);
    expect(square.contains(37.765, -122.415)).toBe(false);
    expect(square.contains(37.775, -122.405)).toBe(false);
    expect(square.contains(-37.775, 57.585)).toBe(false);
    expect(square.contains(square.labelPoint.lat, square.labelPoint.lon)).toBe(true);
    expect(square.boxes).toHaveLength(1);
  });

  it('counts the boundary as inside', () => {
    const square = preparePolygon('area', polygon(rectangle(-122.42, 37.77, -122.41, 37.78)));

    // Vertices, a point on a meridian edge, and points on the great-circle top and bottom edges.
    expect(square.contains(37.77, -122.42)).toBe(true);
    expect(square.contains(37.78, -122.41)).toBe(true);
    expect(square.contains(37.775, -122.41)).toBe(true);
    for (const [lat, lon] of boundaryPoints([rectangle(-122.42, 37.77, -122.41, 37.78)], 9)) {
      expect(square.contains(lat, lon), `${lat},${lon}`).toBe(true);
      expect(square.distanceOutsideM(lat, lon)).toBe(0);
    }

    // A point 1 cm east of the east edge is outside.
    expect(square.contains(37.775, -122.41 + 0.01 / (111_195 * Math.cos(37.775 * DEG_TO_RAD)))).toBe(false);
  });

  it('follows great-circle edges, not parallels', () => {
    // The top edge, from (11, 60) to (10, 60), bulges about 105 m north of latitude 60 at its middle.
    const square = preparePolygon('area', polygon(rectangle(10, 59, 11, 60)));
    const topPeak = Math.atan(Math.tan(60 * DEG_TO_RAD) / Math.cos(0.5 * DEG_TO_RAD)) * RAD_TO_DEG;
    const bottomPeak = Math.atan(Math.tan(59 * DEG_TO_RAD) / Math.cos(0.5 * DEG_TO_RAD)) * RAD_TO_DEG;

    expect(square.contains(60.0005, 10.5)).toBe(true);
    expect(square.contains(topPeak + 0.0001, 10.5)).toBe(false);
    expect(square.contains(bottomPeak - 0.0001, 10.5)).toBe(false);
    expect(square.contains(bottomPeak + 0.0001, 10.5)).toBe(true);
    expect(square.boxes[0]!.maxY).toBeGreaterThanOrEqual(topPeak);
  });

  it('excludes points in a hole', () => {
    const withHole = preparePolygon('area', polygon(SQUARE, rectangle(0.4, 0.4, 0.6, 0.6)));

    expect(withHole.contains(0.2, 0.2)).toBe(true);
    expect(withHole.contains(0.5, 0.5)).toBe(false);
    expect(withHole.contains(0.45, 0.55)).toBe(false);
    expect(withHole.contains(0.4, 0.5)).toBe(true);
    expect(withHole.contains(0.6, 0.6)).toBe(true);
    expect(withHole.contains(withHole.labelPoint.lat, withHole.labelPoint.lon)).toBe(true);
  });

  it('reports the area less the holes', () => {
    const shellM2 = preparePolygon('area', polygon(SQUARE)).areaM2;
    const holeM2 = preparePolygon('area', polygon(rectangle(0.4, 0.4, 0.6, 0.6))).areaM2;
    const withHole = preparePolygon('area', polygon(SQUARE, rectangle(0.4, 0.4, 0.6, 0.6)));

    // One degree square at the equator: about (R π / 180)² = 12,364 km², within 0.1 %.
    expect(Math.abs(shellM2 / (EARTH_RADIUS_M * DEG_TO_RAD) ** 2 - 1)).toBeLessThan(1e-3);
    expect(withHole.areaM2).toBeCloseTo(shellM2 - holeM2, 0);
  });

  it('finds points in each part', () => {
    const geometry: GeoJsonMultiPolygon = {
      type: 'MultiPolygon',
      coordinates: [[rectangle(-122.42, 37.77, -122.41, 37.78), rectangle(-122.418, 37.772, -122.412, 37.778)], [rectangle(-122.4, 37.79, -122.39, 37.8)]],
    };
    const multi = preparePolygon('area', geometry);

    expect(multi.contains(37.771, -122.419)).toBe(true);
    expect(multi.contains(37.775, -122.415)).toBe(false);
    expect(multi.contains(37.795, -122.395)).toBe(true);
    expect(multi.contains(37.785, -122.405)).toBe(false);
    expect(multi.boxes).toEqual([{ minX: expect.closeTo(-122.42, 6), minY: expect.closeTo(37.77, 6), maxX: expect.closeTo(-122.39, 6), maxY: expect.closeTo(37.8, 5) }]);
  });

  it('crosses the antimeridian', () => {
    const ring = rectangle(179, -1, -179, 1);
    const crossing = preparePolygon('area', polygon(ring));

    for (const lon of [179.5, 180, -180, -179.5]) expect(crossing.contains(0, lon), `lon ${lon}`).toBe(true);
    for (const lon of [178.9, -178.9, 0]) expect(crossing.contains(0, lon), `lon ${lon}`).toBe(false);
    expect(crossing.contains(crossing.labelPoint.lat, crossing.labelPoint.lon)).toBe(true);

    expect(crossing.boxes).toHaveLength(2);
    expect(crossing.boxes[0]).toMatchObject({ minX: expect.closeTo(179, 6), maxX: 180 });
    expect(crossing.boxes[1]).toMatchObject({ minX: -180, maxX: expect.closeTo(-179, 6) });
    expect(crossing.distanceOutsideM(0, 178)).toBeCloseTo(EARTH_RADIUS_M * DEG_TO_RAD, 3);
    expect(crossing.distanceOutsideM(0, -178)).toBeCloseTo(EARTH_RADIUS_M * DEG_TO_RAD, 3);
  });

  it('closes a ring across ±180 spellings', () => {
    const ring: Position[] = [
      [180, -1],
      [-179, -1],
      [-179, 1],
      [-180, 1],
      [-180, -1],
    ];
    const spelled = preparePolygon('area', polygon(ring));

    expect(spelled.contains(0, -179.5)).toBe(true);
    expect(spelled.contains(0, 180)).toBe(true);
    expect(spelled.contains(0, 179.5)).toBe(false);
  });

  it('works near the north pole', () => {
    const ring = rectangle(0, 89, 90, 89.9);
    const polar = preparePolygon('area', polygon(ring));

    // Both long edges bulge poleward: the bottom one reaches 89.29° at lon 45, the top one 89.93°.
    const bottomPeak = Math.atan(Math.tan(89 * DEG_TO_RAD) / Math.cos(45 * DEG_TO_RAD)) * RAD_TO_DEG;
    const topPeak = Math.atan(Math.tan(89.9 * DEG_TO_RAD) / Math.cos(45 * DEG_TO_RAD)) * RAD_TO_DEG;
    expect(polar.contains(bottomPeak + 0.01, 45)).toBe(true);
    expect(polar.contains(bottomPeak - 0.01, 45)).toBe(false);
    expect(polar.contains(topPeak - 0.001, 45)).toBe(true);
    expect(polar.contains(topPeak + 0.001, 45)).toBe(false);
    expect(polar.contains(90, 0)).toBe(false);
    expect(polar.contains(89.5, 135)).toBe(false);
    expect(polar.contains(polar.labelPoint.lat, polar.labelPoint.lon)).toBe(true);

    expect(polar.boxes).toHaveLength(1);
    expect(polar.boxes[0]!.maxY).toBeGreaterThanOrEqual(topPeak);
    expect(polar.distanceOutsideM(90, 0)).toBeCloseTo((90 - topPeak) * DEG_TO_RAD * EARTH_RADIUS_M, 3);
  });

  it('works near the south pole', () => {
    // The ring also crosses the antimeridian.
    const polar = preparePolygon('area', polygon(rectangle(170, -89.5, -170, -88)));

    expect(polar.contains(-89, 180)).toBe(true);
    expect(polar.contains(-89, -175)).toBe(true);
    expect(polar.contains(-89, 0)).toBe(false);
    expect(polar.contains(-90, 0)).toBe(false);
    expect(polar.boxes).toHaveLength(2);
    expect(polar.contains(polar.labelPoint.lat, polar.labelPoint.lon)).toBe(true);
  });

  it('agrees after splitting edges finely', () => {
    // Every edge of the square split into 500 pieces along its own great circle: the same
    // polygon, but with 2,000 vertices, so the chunk pre-filters decide most results.
    const corners = rectangle(-122.5, 37.7, -122.35, 37.82);
    const dense: Position[] = [];
    for (let i = 0; i < 4; i++) {
      for (const [lat, lon] of arcPoints(corners[i]!, corners[i + 1]!, 501).slice(0, 500)) dense.push([lon, lat]);
    }
    dense.push(dense[0]!);
    const simple = preparePolygon('area', polygon(corners));
    const split = preparePolygon('area', polygon(dense));
    const next = seededRandom(3);

    for (let i = 0; i < 4_000; i++) {
      const lat = 37.68 + next() * 0.16;
      const lon = -122.52 + next() * 0.19;
      const boundaryM = simple.boundaryDistanceM(lat, lon);
      expect(split.boundaryDistanceM(lat, lon)).toBeCloseTo(boundaryM, 6);
      if (boundaryM > 0.001) expect(split.contains(lat, lon), `${lat},${lon}`).toBe(simple.contains(lat, lon));
    }
  });
});

describe('PreparedPolygon.distanceOutsideM', () => {
  const square = preparePolygon('area', polygon(SQUARE, rectangle(0.4, 0.4, 0.6, 0.6)));

  it('matches closed-form distances', () => {
    const cases: Array<{ name: string; lat: number; lon: number; expected: number }> = [
      { name: 'inside', lat: 0.2, lon: 0.2, expected: 0 },
      { name: 'south of the equator edge', lat: -0.3, lon: 0.5, expected: 0.3 * DEG_TO_RAD * EARTH_RADIUS_M },
      {
        name: 'east of the meridian edge',
        lat: 0.5,
        lon: 1.5,
        expected: Math.asin(Math.cos(0.5 * DEG_TO_RAD) * Math.sin(0.5 * DEG_TO_RAD)) * EARTH_RADIUS_M,
      },
      { name: 'beyond a corner', lat: -1, lon: -1, expected: distanceM(-1, -1, 0, 0) },
      {
        name: 'in the hole, nearest its west edge',
        lat: 0.5,
        lon: 0.45,
        expected: Math.asin(Math.cos(0.5 * DEG_TO_RAD) * Math.sin(0.05 * DEG_TO_RAD)) * EARTH_RADIUS_M,
      },
    ];

    for (const { name, lat, lon, expected } of cases) {
      expect(square.distanceOutsideM(lat, lon), name).toBeCloseTo(expected, 4);
    }
  });

  it('agrees with a densely sampled boundary', () => {
    const ring: Position[] = [
      [-122.45, 37.75],
      [-122.38, 37.74],
      [-122.39, 37.8],
      [-122.42, 37.77],
      [-122.46, 37.79],
      [-122.45, 37.75],
    ];
    const concave = preparePolygon('area', polygon(ring));
    const samples = boundaryPoints([ring], 2_000);
    const next = seededRandom(5);
    let outside = 0;

    for (let i = 0; i < 300; i++) {
      const lat = 37.7 + next() * 0.15;
      const lon = -122.5 + next() * 0.17;
      if (concave.contains(lat, lon)) continue;
      outside++;
      const sampledM = Math.min(...samples.map(([sampleLat, sampleLon]) => distanceM(lat, lon, sampleLat, sampleLon)));
      // Samples are at most 4 m apart, so the nearest one is at most 2 m farther than the boundary.
      const exactM = concave.distanceOutsideM(lat, lon);
      expect(exactM).toBeLessThanOrEqual(sampledM + 1e-6);
      expect(exactM).toBeGreaterThan(sampledM - 2);
    }
    expect(outside).toBeGreaterThan(100);
  });
});

describe('PreparedPolygon.coverCells', () => {
  const shapes: Array<{ name: string; rings: Position[][][]; resolution: number }> = [
    {
      name: 'San Francisco with a hole',
      rings: [[rectangle(-122.43, 37.76, -122.4, 37.79), rectangle(-122.42, 37.77, -122.41, 37.78)]],
      resolution: 9,
    },
    {
      name: 'multipolygon',
      rings: [[rectangle(-122.43, 37.76, -122.42, 37.77)], [rectangle(-122.4, 37.78, -122.39, 37.79)]],
      resolution: 10,
    },
    { name: 'antimeridian', rings: [[rectangle(179.9, -0.1, -179.9, 0.1)]], resolution: 8 },
    { name: 'near the north pole', rings: [[rectangle(0, 89.7, 60, 89.9)]], resolution: 7 },
  ];

  for (const { name, rings, resolution } of shapes) {
    it(`covers every inside point (${name})`, () => {
      const geometry: GeoJsonMultiPolygon = { type: 'MultiPolygon', coordinates: rings };
      const prepared = preparePolygon('area', geometry);
      const { inner, boundary } = prepared.coverCells(resolution);
      const cover = new Set([...inner, ...boundary]);
      expect(cover.size).toBe(inner.length + boundary.length);
      expect(inner.length).toBeGreaterThan(0);

      const points = [...pointsInside(prepared, 3_000, 21), ...boundaryPoints(rings.flat(), 50)];
      for (const [lat, lon] of points) {
        expect(cover.has(latLngToCell(lat, lon, resolution)), `${lat},${lon}`).toBe(true);
      }
    });

    it(`keeps inner cells wholly inside (${name})`, () => {
      const geometry: GeoJsonMultiPolygon = { type: 'MultiPolygon', coordinates: rings };
      const prepared = preparePolygon('area', geometry);
      const { inner } = prepared.coverCells(resolution);
      const next = seededRandom(9);

      for (const cell of inner.filter((_, i) => i % Math.ceil(inner.length / 150) === 0)) {
        for (const [lat, lon] of cellToBoundary(cell)) expect(prepared.contains(lat, lon), `${cell} vertex`).toBe(true);

        const [centreLat, centreLon] = cellToLatLng(cell);
        const radiusM = cellCircumradiusM(cell, centreLat, centreLon);
        for (let i = 0; i < 20; i++) {
          const [lat, lon] = destinationPoint(centreLat, centreLon, next() * 360, radiusM * Math.sqrt(next()));
          if (latLngToCell(lat, lon, resolution) !== cell) continue;
          expect(prepared.contains(lat, lon), `${cell} point ${lat},${lon}`).toBe(true);
        }
      }
    });
  }

  it("puts a tiny polygon's cell in boundary", () => {
    const tiny = preparePolygon('area', polygon(rectangle(-122.4191, 37.7749, -122.419, 37.775)));
    const { inner, boundary } = tiny.coverCells(7);

    expect(inner).toEqual([]);
    expect(boundary).toContain(latLngToCell(37.77495, -122.41905, 7));
  });

  it('rejects a resolution out of range', () => {
    const square = preparePolygon('area', polygon(SQUARE));
    expect(() => square.coverCells(16)).toThrow('invalid resolution: 16 (expected an H3 resolution, an integer in [0, 15])');
    expect(() => square.coverCells(8.5)).toThrow('invalid resolution: 8.5');
  });
});
