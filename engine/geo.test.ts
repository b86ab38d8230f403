import { greatCircleDistance, UNITS } from 'h3-js';
import { describe, expect, it } from 'vitest';

import { circleBoxes, destinationPoint, distanceM, EARTH_RADIUS_M } from './geo.js';

describe('distanceM', () => {
  it('matches closed-form arcs on the sphere', () => {
    const cases: Array<{ name: string; from: [number, number]; to: [number, number]; expected: number }> = [
      { name: 'one degree of latitude', from: [0, 0], to: [1, 0], expected: (EARTH_RADIUS_M * Math.PI) / 180 },
      { name: 'one degree of longitude at the equator', from: [0, 10], to: [0, 11], expected: (EARTH_RADIUS_M * Math.PI) / 180 },
      { name: 'quarter circle along the equator', from: [0, 0], to: [0, 90], expected: (EARTH_RADIUS_M * Math.PI) / 2 },
      { name: 'equator to pole', from: [0, 37], to: [90, 0], expected: (EARTH_RADIUS_M * Math.PI) / 2 },
      { name: 'across the antimeridian', from: [0, 179.5], to: [0, -179.5], expected: (EARTH_RADIUS_M * Math.PI) / 180 },
      { name: 'same point', from: [37.7749, -122.4194], to: [37.7749, -122.4194], expected: 0 },
    ];

    for (const { name, from, to, expected } of cases) {
      expect(distanceM(from[0], from[1], to[0], to[1]), name).toBeCloseTo(expected, 6);
    }
  });

  it('stays within 1 m at the antipode', () => {
    // asin is flat near π/2, so haversine loses about 0.2 m there.
    expect(Math.abs(distanceM(10, 20, -10, -160) - EARTH_RADIUS_M * Math.PI)).toBeLessThan(1);
  });

  it('agrees with the H3 great-circle distance', () => {
    // H3 uses its own sphere, so compare angles: the haversine result divided by our radius.
    const pairs: Array<[number, number, number, number]> = [
      [37.7749, -122.4194, 34.0522, -118.2437], // San Francisco to Los Angeles
      [51.5074, -0.1278, 40.7128, -74.006], // London to New York
      [-33.8688, 151.2093, 35.6762, 139.6503], // Sydney to Tokyo
      [89.9, 0, 89.9, 180],
    ];

    for (const [lat1, lon1, lat2, lon2] of pairs) {
      const radians = greatCircleDistance([lat1, lon1], [lat2, lon2], UNITS.rads);
      expect(distanceM(lat1, lon1, lat2, lon2) / EARTH_RADIUS_M).toBeCloseTo(radians, 12);
    }
  });

  it('returns about 559 km from San Francisco to Los Angeles', () => {
    expect(distanceM(37.7749, -122.4194, 34.0522, -118.2437) / 1000).toBeCloseTo(559.1, 1);
  });

  it('is symmetric bit for bit', () => {
    const a: [number, number] = [37.80588535, -122.41594524];
    const b: [number, number] = [37.7218897, -122.49252124];
    expect(distanceM(a[0], a[1], b[0], b[1])).toBe(distanceM(b[0], b[1], a[0], a[1]));
  });
});

describe('destinationPoint', () => {
  it('lands at the requested distance and wraps the longitude', () => {
    for (const [lat, lon, bearing, metres] of [
      [37.7749, -122.4194, 45, 250],
      [0, 179.999, 90, 1_000],
      [89.999, 0, 0, 500],
    ] as const) {
      const [lat2, lon2] = destinationPoint(lat, lon, bearing, metres);
      expect(lon2).toBeGreaterThanOrEqual(-180);
      expect(lon2).toBeLessThanOrEqual(180);
      expect(distanceM(lat, lon, lat2, lon2)).toBeCloseTo(metres, 3);
    }
  });
});

describe('circleBoxes', () => {
  it('returns one box that contains points on the circle', () => {
    const boxes = circleBoxes(37.7749, -122.4194, 5_000);
    expect(boxes).toHaveLength(1);

    const box = boxes[0]!;
    for (let bearing = 0; bearing < 360; bearing += 5) {
      const [lat, lon] = destinationPoint(37.7749, -122.4194, bearing, 4_999.999);
      expect(lat).toBeGreaterThanOrEqual(box.minY);
      expect(lat).toBeLessThanOrEqual(box.maxY);
      expect(lon).toBeGreaterThanOrEqual(box.minX);
      expect(lon).toBeLessThanOrEqual(box.maxX);
    }
  });

  it('splits a circle that crosses the antimeridian', () => {
    const boxes = circleBoxes(0, 179.999, 5_000);
    expect(boxes).toHaveLength(2);
    expect(boxes[0]!.maxX).toBe(180);
    expect(boxes[1]!.minX).toBe(-180);
    expect(boxes[1]!.maxX).toBeLessThan(-179.9);
  });

  it('spans every longitude when the circle contains a pole', () => {
    const boxes = circleBoxes(89.99, 10, 5_000);
    expect(boxes).toEqual([{ minX: -180, minY: expect.any(Number), maxX: 180, maxY: 90 }]);
    expect(boxes[0]!.minY).toBeCloseTo(89.99 - (5_000 / EARTH_RADIUS_M) * (180 / Math.PI), 9);
  });
});
