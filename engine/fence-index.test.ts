import { describe, expect, it } from 'vitest';

import { coverCircle } from './cell-geometry.js';
import { FenceIndex } from './fence-index.js';
import { FenceRecord } from './fence-record.js';
import { validateFence } from './validate.js';
import type { CircleFence } from './types.js';

const LARGE_FENCE_RADIUS_M = 2_000;

function record(overrides: Partial<CircleFence> = {}): FenceRecord {
  return new FenceRecord(validateFence({
    id: 'fence-1',
    campaignId: 'campaign-1',
    truckId: 'truck-1',
    lat: 37.7749,
    lon: -122.4194,
    radiusM: 300,
    activeFrom: 0,
    activeUntil: 1_000,
    ...overrides,
  }));
}

function candidateIds(index: FenceIndex, lat: number, lon: number): string[] {
  const out: FenceRecord[] = [];
  index.collectCandidates(lat, lon, out);
  return out.map((r) => r.fence.id).sort();
}

describe('FenceIndex', () => {
  it('lists a small fence under each cell of its cover', () => {
    const index = new FenceIndex(9, LARGE_FENCE_RADIUS_M);
    const fence = record();
    index.insert(fence);

    const cover = coverCircle(37.7749, -122.4194, 300, 9);
    expect(fence.cells).toEqual(cover);
    expect(index.stats()).toMatchObject({ cells: cover.length, cellEntries: cover.length, treeItems: 0 });
    expect(index.stats().gridSquares).toBeGreaterThan(0);
    for (const cell of cover) expect(index.fencesInCell(cell)).toEqual([fence]);
  });

  it('puts a fence above the threshold in the R-tree only', () => {
    const index = new FenceIndex(9, LARGE_FENCE_RADIUS_M);
    index.insert(record({ radiusM: 5_000 }));

    expect(index.stats()).toEqual({ cells: 0, cellEntries: 0, treeItems: 1, gridSquares: 0 });
    expect(candidateIds(index, 37.8, -122.45)).toEqual(['fence-1']);
    expect(candidateIds(index, 38.5, -122.45)).toEqual([]);
  });

  it('returns a fence split at the antimeridian once', () => {
    const index = new FenceIndex(9, LARGE_FENCE_RADIUS_M);
    index.insert(record({ lat: 0, lon: 179.99, radiusM: 5_000 }));

    expect(index.stats().treeItems).toBe(2);
    expect(candidateIds(index, 0, 180)).toEqual(['fence-1']);
    expect(candidateIds(index, 0, -180)).toEqual(['fence-1']);
    expect(candidateIds(index, 0, -179.99)).toEqual(['fence-1']);
  });

  it('leaves no entry behind after removing small and large fences', () => {
    const index = new FenceIndex(9, LARGE_FENCE_RADIUS_M);
    const small = record({ id: 'small' });
    const large = record({ id: 'large', radiusM: 5_000, lon: 179.99 });
    const neighbour = record({ id: 'neighbour', lat: 37.776 });
    index.insert(small);
    index.insert(large);
    index.insert(neighbour);

    index.remove(small);
    index.remove(large);

    expect(index.stats()).toMatchObject({ cells: neighbour.cells.length, cellEntries: neighbour.cells.length, treeItems: 0 });
    expect(small.cells).toEqual([]);
    expect(large.treeItems).toEqual([]);
    expect(candidateIds(index, 37.7749, -122.4194)).toEqual(['neighbour']);

    index.remove(neighbour);
    expect(index.stats()).toEqual({ cells: 0, cellEntries: 0, treeItems: 0, gridSquares: 0 });
  });

  it('finds a re-inserted fence only at its new place', () => {
    const index = new FenceIndex(9, LARGE_FENCE_RADIUS_M);
    const fence = record();
    index.insert(fence);
    const oldCells = fence.cells;

    index.remove(fence);
    fence.set(validateFence({ ...(fence.fence as CircleFence), lat: 37.8, lon: -122.45 }));
    index.insert(fence);

    for (const cell of oldCells) expect(index.fencesInCell(cell)).toEqual([]);
    expect(index.stats().cellEntries).toBe(fence.cells.length);
    expect(candidateIds(index, 37.7749, -122.4194)).toEqual([]);
    expect(candidateIds(index, 37.8, -122.45)).toEqual(['fence-1']);
  });
});
