import { cellToLatLng, getHexagonEdgeLengthAvg, getPentagons, latLngToCell, UNITS } from 'h3-js';
import { describe, expect, it } from 'vitest';

import { cellDisk, coverCircle } from './cell-geometry.js';
import { destinationPoint } from './geo.js';
import { seededRandom } from '../common/seeded-random.js';


const [pentagonLat, pentagonLon] = cellToLatLng(getPentagons(9)[0]!);

const PLACES: Array<{ name: string; lat: number; lon: number }> = [
  { name: 'San Francisco', lat: 37.7749, lon: -122.4194 },
  { name: 'antimeridian', lat: 0.5, lon: 179.999 },
  { name: 'antimeridian, west side', lat: -16.5, lon: -179.999 },
  { name: 'north pole', lat: 89.999, lon: 0 },
  { name: 'south pole', lat: -89.9995, lon: 45 },
  { name: 'pentagon at resolution 9', lat: pentagonLat, lon: pentagonLon },
];

describe('coverCircle', () => {
  for (const place of PLACES) {
    it(`contains the cell of every point in the circle (${place.name})`, () => {
      const next = seededRandom(7);

      for (const radiusM of [30, 250, 1_200]) {
        const cover = new Set(coverCircle(place.lat, place.lon, radiusM, 9));

        for (let i = 0; i < 400; i++) {
          // Half the samples on the boundary itself, where a missing cell would hide.
          const distance = i % 2 === 0 ? radiusM : radiusM * Math.sqrt(next());
          const [lat, lon] = destinationPoint(place.lat, place.lon, next() * 360, distance);
          const cell = latLngToCell(lat, lon, 9);
          expect(cover.has(cell), `${radiusM} m, point ${lat},${lon} in ${cell}`).toBe(true);
        }
      }
    });
  }

  it('returns sorted cells without duplicates', () => {
    const cover = coverCircle(37.7749, -122.4194, 500, 9);
    expect(cover).toEqual([...new Set(cover)].sort());
  });

  it('stays small for a food-truck radius', () => {
    // Measured: a 500 m circle touches about 15 resolution-9 cells in San Francisco.
    const size = coverCircle(37.7749, -122.4194, 500, 9).length;
    expect(size).toBeGreaterThanOrEqual(10);
    expect(size).toBeLessThanOrEqual(25);
  });
});

describe('cellDisk', () => {
  for (const place of PLACES) {
    it(`keeps its inner disk inside the cell (${place.name})`, () => {
      const next = seededRandom(11);
      const cell = latLngToCell(place.lat, place.lon, 9);
      const disk = cellDisk(cell);

      expect(disk.innerRadiusM).toBeGreaterThan(0);
      expect(disk.innerRadiusM).toBeLessThan(getHexagonEdgeLengthAvg(9, UNITS.m));

      const [centreLat, centreLon] = cellToLatLng(cell);
      for (let i = 0; i < 500; i++) {
        const distance = i % 2 === 0 ? disk.innerRadiusM : disk.innerRadiusM * Math.sqrt(next());
        const [lat, lon] = destinationPoint(centreLat, centreLon, next() * 360, distance);
        expect(latLngToCell(lat, lon, 9), `point ${lat},${lon}`).toBe(cell);
      }
    });
  }
});
