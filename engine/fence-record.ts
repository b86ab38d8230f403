import type { BBox } from './geo.js';
import { DEG_TO_RAD } from './geo.js';
import type { CircleFence } from './types.js';

/** An R-tree entry: one box of a large fence (two boxes when it crosses the antimeridian). */
export interface TreeItem extends BBox {
  record: FenceRecord;
}

/**
 * The engine's mutable copy of one fence. Device state points at records, and
 * `upsertFence` / `moveTruck` update a record in place, so a device that was
 * inside a fence stays inside it across a radius change or a move.
 */
export class FenceRecord {
  fence: CircleFence;
  /** Copies of fence fields read on every candidate test, kept here to save a memory load. */
  radiusM = 0;
  latRad = 0;
  lonRad = 0;
  cosLat = 1;
  /** The cells this fence is listed under in the cell index, empty when it is in the R-tree. */
  cells: string[] = [];
  /** Boxes this fence marks in the coverage grid, empty when it is in the R-tree. */
  gridBoxes: BBox[] = [];
  /** Whether the coverage grid tracks `gridBoxes` (false when they span too many squares). */
  gridTracked = false;
  /** This fence's R-tree entries, empty when it is in the cell index. */
  treeItems: TreeItem[] = [];
  /** Set when the fence is removed, so device state still pointing here drops it. */
  removed = false;

  // Per-ping marks. Each `process` call takes a new stamp, so a mark equal to the
  // current stamp means "seen in this ping", with no Set per ping.
  insideStamp = 0;
  wasInsideStamp = 0;

  constructor(fence: CircleFence) {
    this.fence = fence;
    this.setFence(fence);
  }

  setFence(fence: CircleFence): void {
    this.fence = fence;
    this.radiusM = fence.radiusM;
    this.latRad = fence.lat * DEG_TO_RAD;
    this.lonRad = fence.lon * DEG_TO_RAD;
    this.cosLat = Math.cos(this.latRad);
  }

  /** Checks whether the fence is active at `ts` (activeFrom inclusive, activeUntil exclusive). */
  isActiveAt(ts: number): boolean {
    return ts >= this.fence.activeFrom && ts < this.fence.activeUntil;
  }
}
