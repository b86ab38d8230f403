import { latLngToCell } from 'h3-js';
import RBush from 'rbush';

import { coverCircle } from './cell-geometry.js';
import { CoverageGrid } from './coverage-grid.js';
import type { FenceRecord, TreeItem } from './fence-record.js';
import { circleBoxes } from './geo.js';

/**
 * Slack in metres added to a fence's radius before computing its boxes, so
 * rounding in the box arithmetic cannot cut off a point on the circle.
 */
const BOX_SLACK_M = 1;

export interface FenceIndexStats {
  /** Cells with at least one fence. */
  cells: number;
  /** Sum over cells of the fences listed under each. */
  cellEntries: number;
  /** R-tree entries (a fence crossing the antimeridian has two). */
  treeItems: number;
  /** Coverage-grid squares touched by a small fence. */
  gridSquares: number;
}

/**
 * Candidate lookup for circle fences. A fence up to `largeFenceRadiusM` is listed
 * under every H3 cell its circle can touch, so a point's candidates are the fences
 * of its one cell. A coverage grid in front of the cells shows cheaply when no
 * small fence is near, so the caller can skip computing the cell. A larger fence
 * would need too many cells and goes to an R-tree of longitude/latitude boxes
 * instead. Candidates are a superset: the caller applies the exact distance test.
 */
export class FenceIndex {
  readonly resolution: number;
  readonly largeFenceRadiusM: number;

  private readonly cellFences = new Map<string, FenceRecord[]>();
  private readonly grid = new CoverageGrid();
  private readonly tree = new RBush<TreeItem>();
  private treeItemCount = 0;
  /** Reused query box, so a point query allocates no box. */
  private readonly pointBox = { minX: 0, minY: 0, maxX: 0, maxY: 0 };

  constructor(resolution: number, largeFenceRadiusM: number) {
    this.resolution = resolution;
    this.largeFenceRadiusM = largeFenceRadiusM;
  }

  /** Lists the record under its cover cells or boxes. The record must not be indexed yet. */
  insert(record: FenceRecord): void {
    const { lat, lon, radiusM } = record.fence;

    if (radiusM > this.largeFenceRadiusM) {
      record.treeItems = circleBoxes(lat, lon, radiusM + BOX_SLACK_M).map((box) => ({ ...box, record }));
      for (const item of record.treeItems) this.tree.insert(item);
      this.treeItemCount += record.treeItems.length;
      return;
    }

    record.gridBoxes = circleBoxes(lat, lon, radiusM + BOX_SLACK_M);
    record.gridTracked = this.grid.add(record.gridBoxes);

    record.cells = coverCircle(lat, lon, radiusM, this.resolution);
    for (const cell of record.cells) {
      const fences = this.cellFences.get(cell);
      if (fences === undefined) this.cellFences.set(cell, [record]);
      else fences.push(record);
    }
  }

  /** Removes every entry of the record, leaving it unindexed. */
  remove(record: FenceRecord): void {
    for (const cell of record.cells) {
      const fences = this.cellFences.get(cell);
      if (fences === undefined) continue;

      const position = fences.indexOf(record);
      if (position === -1) continue;

      // Swap-remove: candidate order within a cell carries no meaning.
      const last = fences.pop() as FenceRecord;
      if (position < fences.length) fences[position] = last;
      if (fences.length === 0) this.cellFences.delete(cell);
    }
    record.cells = [];

    if (record.gridBoxes.length > 0) this.grid.remove(record.gridBoxes, record.gridTracked);
    record.gridBoxes = [];

    for (const item of record.treeItems) this.tree.remove(item);
    this.treeItemCount -= record.treeItems.length;
    record.treeItems = [];
  }

  /** Checks whether a fence up to `largeFenceRadiusM` may contain the point. False means none does. */
  maySmallFenceContain(lat: number, lon: number): boolean {
    return this.grid.mayContain(lat, lon);
  }

  /** Appends to `out` the small fences listed under `cell`, an H3 cell at `resolution`. */
  collectCellCandidates(cell: string, out: FenceRecord[]): void {
    const fences = this.cellFences.get(cell);
    if (fences === undefined) return;

    for (let i = 0; i < fences.length; i++) out.push(fences[i] as FenceRecord);
  }

  /** Appends to `out` the large fences whose box contains the point. */
  collectLargeCandidates(lat: number, lon: number, out: FenceRecord[]): void {
    if (this.treeItemCount === 0) return;

    const box = this.pointBox;
    box.minX = lon;
    box.maxX = lon;
    box.minY = lat;
    box.maxY = lat;

    // The two boxes of a fence split at the antimeridian are [west, 180] and
    // [-180, east] with east < west, so a point matches at most one of them.
    for (const item of this.tree.search(box)) out.push(item.record);
  }

  /** Appends to `out` each fence that may contain the point, once. */
  collectCandidates(lat: number, lon: number, out: FenceRecord[]): void {
    if (this.maySmallFenceContain(lat, lon)) this.collectCellCandidates(latLngToCell(lat, lon, this.resolution), out);
    this.collectLargeCandidates(lat, lon, out);
  }

  stats(): FenceIndexStats {
    let cellEntries = 0;
    for (const fences of this.cellFences.values()) cellEntries += fences.length;
    return {
      cells: this.cellFences.size,
      cellEntries,
      treeItems: this.treeItemCount,
      gridSquares: this.grid.markedSquares,
    };
  }

  /** Returns the fences listed under one cell, for tests and diagnostics. */
  fencesInCell(cell: string): readonly FenceRecord[] {
    return this.cellFences.get(cell) ?? [];
  }
}
