import { describe, expect, it } from 'vitest';
import { boundsOf, circleRing, destinationPoint, distanceM, gridLines, gridStep, type Bounds, type Position } from './geo.js';

const sanFrancisco: Position = [-122.42, 37.77];

describe('destinationPoint', () => {
  it('moves north along the meridian', () => {
    const [lon, lat] = destinationPoint([0, 0], 111_195, 0);
    expect(lon).toBeCloseTo(0, 9);
    expect(lat).toBeCloseTo(1, 3);
  });

  it('lands at the requested distance', () => {
    expect(distanceM(sanFrancisco, destinationPoint(sanFrancisco, 250, 37))).toBeCloseTo(250, 6);
  });
});

describe('circleRing', () => {
  const ring = circleRing(sanFrancisco, 400, 64);

  it('has 64 vertices plus the closing one', () => {
    expect(ring).toHaveLength(65);
    expect(ring[64]).toEqual(ring[0]);
  });

  it('keeps every vertex at the radius', () => {
    for (const vertex of ring) expect(distanceM(sanFrancisco, vertex)).toBeCloseTo(400, 6);
  });

  it('starts due north', () => {
    expect(ring[0]![0]).toBeCloseTo(sanFrancisco[0], 9);
    expect(ring[0]![1]).toBeGreaterThan(sanFrancisco[1]);
  });

  it('stays continuous across the antimeridian', () => {
    const longitudes = circleRing([179.999, 0], 1000, 64).map(([lon]) => lon);
    expect(Math.max(...longitudes) - Math.min(...longitudes)).toBeLessThan(1);
  });
});

describe('boundsOf', () => {
  it('returns null for no positions', () => {
    expect(boundsOf([])).toBeNull();
  });

  it('returns the enclosing box', () => {
    const positions: Position[] = [
      [-122.4, 37.78],
      [-122.45, 37.76],
      [-122.41, 37.8],
    ];
    expect(boundsOf(positions)).toEqual([
      [-122.45, 37.76],
      [-122.4, 37.8],
    ]);
  });
});

describe('grid', () => {
  const city: Bounds = [
    [-122.5, 37.7],
    [-122.35, 37.82],
  ];

  it('picks a step with at least 6 lines across', () => {
    expect(gridStep(city)).toBe(0.02);
  });

  it('covers the bounds with a margin', () => {
    const lines = gridLines(city, 0.02);
    const meridians = lines.filter(([a, b]) => a![0] === b![0]).map(([a]) => a![0]);
    const parallels = lines.filter(([a, b]) => a![1] === b![1]).map(([a]) => a![1]);
    expect(Math.min(...meridians)).toBeLessThan(city[0][0]);
    expect(Math.max(...meridians)).toBeGreaterThan(city[1][0]);
    expect(Math.min(...parallels)).toBeLessThan(city[0][1]);
    expect(Math.max(...parallels)).toBeGreaterThan(city[1][1]);
  });

  it('clamps latitudes to the Web Mercator limit', () => {
    const world: Bounds = [
      [-180, -90],
      [180, 90],
    ];
    const latitudes = gridLines(world, gridStep(world)).flatMap((line) => line.map(([, lat]) => lat));
    expect(Math.max(...latitudes.map(Math.abs))).toBeLessThanOrEqual(85);
  });
});
