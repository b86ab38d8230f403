import { latLngToCell } from 'h3-js';
import RBush from 'rbush';

import { coverCircleSplit, type CellCover } from './cell-geometry.js';
import { CoverageGrid } from './coverage-grid.js';
import type { FenceRecord, TreeItem } from './fence-record.js';

/** The small fences listed under one H3 cell. */
export interface CellFences {
  /** Fences that contain the whole cell: a point in the cell is inside them. */
  inner: FenceRecord[];
  /** Fences whose boundary crosses the cell: a point in the cell needs the exact test. */
  boundary: FenceRecord[];
}

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
 * Candidate lookup for fences. A fence up to `largeFenceRadiusM` in size is listed
 * under every H3 cell it can touch, as inner where it contains the whole cell, so a
 * point's candidates are the fences of its one cell and the inner ones need no exact
 * test. A coverage grid in front of the cells shows cheaply when no small fence is
 * near, so the caller can skip computing the cell. A larger fence would need too many
 * cells and goes to an R-tree of longitude/latitude boxes instead, whose candidates
 * all need the exact test.
 */
export class FenceIndex {
  readonly resolution: number;
  readonly largeFenceRadiusM: number;

  private readonly cellFences = new Map<string, CellFences>();
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
    if (record.sizeM() > this.largeFenceRadiusM) {
      record.treeItems = record.boxes().map((box) => ({ ...box, record }));
      for (const item of record.treeItems) this.tree.insert(item);
      this.treeItemCount += record.treeItems.length;
      return;
    }

    record.gridBoxes = record.boxes();
    record.gridTracked = this.grid.add(record.gridBoxes);

    const cover = this.coverOf(record);
    record.cells = [...cover.inner, ...cover.boundary];
    for (const cell of cover.inner) this.fencesOf(cell).inner.push(record);
    for (const cell of cover.boundary) this.fencesOf(cell).boundary.push(record);
  }

  /** Removes every entry of the record, leaving it unindexed. */
  remove(record: FenceRecord): void {
    for (const cell of record.cells) {
      const fences = this.cellFences.get(cell);
      if (fences === undefined) continue;

      removeRecord(fences.inner, record);
      removeRecord(fences.boundary, record);
      if (fences.inner.length === 0 && fences.boundary.length === 0) this.cellFences.delete(cell);
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

  /** Returns the small fences listed under `cell`, an H3 cell at `resolution`, or undefined when none. */
  cellCandidates(cell: string): CellFences | undefined {
    return this.cellFences.get(cell);
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
    if (this.maySmallFenceContain(lat, lon)) {
      const fences = this.cellFences.get(latLngToCell(lat, lon, this.resolution));
      if (fences !== undefined) out.push(...fences.inner, ...fences.boundary);
    }
    this.collectLargeCandidates(lat, lon, out);
  }

  stats(): FenceIndexStats {
    let cellEntries = 0;
    for (const fences of this.cellFences.values()) cellEntries += fences.inner.length + fences.boundary.length;
    return {
      cells: this.cellFences.size,
      cellEntries,
      treeItems: this.treeItemCount,
      gridSquares: this.grid.markedSquares,
    };
  }

  /** Returns the fences listed under one cell, for tests and diagnostics. */
  fencesInCell(cell: string): readonly FenceRecord[] {
    const fences = this.cellFences.get(cell);
    return fences === undefined ? [] : [...fences.inner, ...fences.boundary];
  }

  private coverOf(record: FenceRecord): CellCover {
    if (record.polygon !== undefined) return record.polygon.coverCells(this.resolution);
    const fence = record.fence as { lat: number; lon: number };
    return coverCircleSplit(fence.lat, fence.lon, record.radiusM, this.resolution);
  }

  private fencesOf(cell: string): CellFences {
    let fences = this.cellFences.get(cell);
    if (fences === undefined) {
      fences = { inner: [], boundary: [] };
      this.cellFences.set(cell, fences);
    }
    return fences;
  }
}

/** Swap-removes `record` from `list`: candidate order within a cell carries no meaning. */
function removeRecord(list: FenceRecord[], record: FenceRecord): void {
  const position = list.indexOf(record);
  if (position === -1) return;

  const last = list.pop() as FenceRecord;
  if (position < list.length) list[position] = last;
}
