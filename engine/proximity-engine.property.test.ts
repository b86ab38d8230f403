import { cellToLatLng, getPentagons } from 'h3-js';
import { describe, expect, it } from 'vitest';

import { destinationPoint, distanceM } from './geo.js';
import { ProximityEngine, type CircleFence, type EngineEvent, type ProximityEngineOptions } from './index.js';
import { seededRandom } from '../common/seeded-random.js';


const [pentagonLat, pentagonLon] = cellToLatLng(getPentagons(9)[3]!);

const REGIONS: Array<{ name: string; lat: number; lon: number }> = [
  { name: 'San Francisco', lat: 37.7749, lon: -122.4194 },
  { name: 'antimeridian', lat: -17.7, lon: 179.995 },
  { name: 'north pole', lat: 89.98, lon: 30 },
  { name: 'H3 pentagon', lat: pentagonLat, lon: pentagonLon },
];

const CONFIGURATIONS: Array<{ name: string; options: ProximityEngineOptions }> = [
  { name: 'defaults', options: {} },
  { name: 'R-tree above 600 m', options: { largeFenceRadiusM: 600 } },
];

const REGION_RADIUS_M = 3_000;
const FENCES = 120;
const TRUCKS = 40;

interface World {
  next: () => number;
  engine: ProximityEngine;
  fences: Map<string, CircleFence>;
  centre: [number, number];
  /** Walking devices: position, inside set built from events, and last seq. */
  devices: Array<{ id: string; at: [number, number]; last: [number, number] | undefined; inside: Set<string>; seq: number }>;
}

const DEVICES = 12;

function randomPoint(world: World, maxDistanceM: number): [number, number] {
  return destinationPoint(world.centre[0], world.centre[1], world.next() * 360, maxDistanceM * Math.sqrt(world.next()));
}

function randomRadius(next: () => number): number {
  // Mostly food-truck sizes, a few above the default large-fence threshold (about 2 km).
  return next() < 0.1 ? 1_500 + next() * 2_500 : 10 + next() * 700;
}

function buildWorld(seed: number, centre: [number, number], options: ProximityEngineOptions): World {
  const next = seededRandom(seed);
  const world: World = { next, engine: new ProximityEngine(options), fences: new Map(), centre, devices: [] };

  for (let i = 0; i < FENCES; i++) {
    const [lat, lon] = randomPoint(world, REGION_RADIUS_M);
    const fence: CircleFence = {
      id: `fence-${i}`,
      campaignId: `campaign-${i % 7}`,
      truckId: `truck-${i % TRUCKS}`,
      lat,
      lon,
      radiusM: randomRadius(next),
      activeFrom: 0,
      activeUntil: 1e15,
      // Plain inside/outside transitions, which brute force can check.
      rules: { dwellMs: Infinity, exitMarginM: 0, maxSpeedMps: Infinity },
    };
    world.engine.upsertFence(fence);
    world.fences.set(fence.id, fence);
  }

  for (let d = 0; d < DEVICES; d++) {
    world.devices.push({ id: `device-${d}`, at: randomPoint(world, REGION_RADIUS_M), last: undefined, inside: new Set(), seq: 0 });
  }
  return world;
}

/**
 * Moves, resizes and removes fences, keeping the brute-force list in step. A move
 * gives its enters and exits at once, so each device's inside set built from events
 * must match brute force at its last position right after the moves.
 */
function mutate(world: World): void {
  const now = Math.max(...world.devices.map((device) => device.seq)) * 1000;
  for (let t = 0; t < TRUCKS / 4; t++) {
    const truckId = `truck-${Math.floor(world.next() * TRUCKS)}`;
    const [lat, lon] = randomPoint(world, REGION_RADIUS_M);
    applyEvents(world, world.engine.moveTruck(truckId, lat, lon, now));

    for (const [id, fence] of world.fences) {
      if (fence.truckId === truckId) world.fences.set(id, { ...fence, lat, lon });
    }
  }
  for (const device of world.devices) {
    if (device.last === undefined) continue;
    expect([...device.inside].sort(), `${device.id} after the moves`).toEqual(bruteForceIds(world, ...device.last));
  }

  for (const fence of [...world.fences.values()]) {
    const roll = world.next();
    if (roll < 0.1) {
      expect(world.engine.removeFence(fence.id)).toBe(true);
      world.fences.delete(fence.id);
    } else if (roll < 0.2) {
      const resized = { ...fence, radiusM: randomRadius(world.next) };
      world.engine.upsertFence(resized);
      world.fences.set(fence.id, resized);
    }
  }
}

function bruteForceIds(world: World, lat: number, lon: number): string[] {
  return [...world.fences.values()]
    .filter((fence) => distanceM(lat, lon, fence.lat, fence.lon) <= fence.radiusM)
    .map((fence) => fence.id)
    .sort();
}

/** Points spread over the region, half of them within 5 % of some fence's boundary. */
function samplePoints(world: World, count: number): Array<[number, number]> {
  const fences = [...world.fences.values()];
  const points: Array<[number, number]> = [];
  for (let i = 0; i < count; i++) {
    if (i % 2 === 0) {
      points.push(randomPoint(world, REGION_RADIUS_M * 1.5));
      continue;
    }
    const fence = fences[Math.floor(world.next() * fences.length)]!;
    points.push(destinationPoint(fence.lat, fence.lon, world.next() * 360, fence.radiusM * (0.95 + world.next() * 0.1)));
  }
  return points;
}

function checkFencesNear(world: World): void {
  for (const [lat, lon] of samplePoints(world, 1_500)) {
    const ids = world.engine.fencesNear(lat, lon).map((fence) => fence.id);
    expect(ids, `point ${lat},${lon}`).toEqual(bruteForceIds(world, lat, lon));
  }
}

/**
 * Walks devices in small steps (so they often stay in one H3 cell) and checks that
 * the inside set built from enter and exit events equals the brute-force result.
 * A removed fence leaves the set without an exit event.
 */
function checkDeviceWalks(world: World, steps: number): void {
  for (let step = 0; step < steps; step++) {
    for (const device of world.devices) {
      const [lat, lon] = device.at;
      device.seq++;
      const events = world.engine.process({ deviceId: device.id, seq: device.seq, lat, lon, accuracyM: 5, ts: device.seq * 1000 });

      for (const id of device.inside) if (!world.fences.has(id)) device.inside.delete(id);
      applyEvents(world, events);
      device.last = [lat, lon];
      expect([...device.inside].sort(), `${device.id} seq ${device.seq} at ${lat},${lon}`).toEqual(bruteForceIds(world, lat, lon));

      const stride = world.next() < 0.2 ? 300 : 25;
      device.at = destinationPoint(lat, lon, world.next() * 360, world.next() * stride);
    }
  }
}

/** Applies enter and exit events to the devices' inside sets. */
function applyEvents(world: World, events: readonly EngineEvent[]): void {
  for (const event of events) {
    if (event.type !== 'enter' && event.type !== 'exit') continue;
    const device = world.devices.find((candidate) => candidate.id === event.deviceId)!;
    if (event.type === 'enter') device.inside.add(event.fenceId);
    else device.inside.delete(event.fenceId);
  }
}

describe('ProximityEngine against brute force', () => {
  for (const region of REGIONS) {
    for (const configuration of CONFIGURATIONS) {
      it(`matches haversine near ${region.name} (${configuration.name})`, () => {
        const world = buildWorld(region.name.length * 101 + 7, [region.lat, region.lon], configuration.options);

        checkFencesNear(world);
        checkDeviceWalks(world, 150);

        mutate(world);
        checkFencesNear(world);
        checkDeviceWalks(world, 150);
      });
    }
  }
});
