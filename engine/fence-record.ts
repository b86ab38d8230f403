import { circleBoxes, DEG_TO_RAD, distanceM, EARTH_RADIUS_M, haversineM, type BBox } from './geo.js';
import type { PreparedPolygon } from './polygon.js';
import type { ValidFence } from './validate.js';
import type { Fence, FenceRules } from './types.js';

/**
 * Slack in metres added to a circle's radius before computing its boxes, so
 * rounding in the box arithmetic cannot cut off a point on the circle.
 */
const BOX_SLACK_M = 1;

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
  fence: Readonly<Fence>;
  /** The prepared shape of a polygon fence, undefined for a circle. */
  polygon: PreparedPolygon | undefined;
  /** Whether `moveTruck` moves this fence. */
  followsTruck = false;
  rules: Readonly<FenceRules>;

  /** Copies of fields read on every candidate test, kept here to save a memory load. */
  radiusM = 0;
  latRad = 0;
  lonRad = 0;
  cosLat = 1;
  exitMarginM = 0;
  maxAccuracyM = 0;
  maxSpeedMps = 0;

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

  constructor(valid: ValidFence) {
    this.fence = valid.fence;
    this.rules = valid.rules;
    this.set(valid);
  }

  set(valid: ValidFence): void {
    const fence = valid.fence;
    this.fence = fence;
    this.polygon = valid.polygon;
    this.rules = valid.rules;
    this.exitMarginM = valid.rules.exitMarginM;
    this.maxAccuracyM = valid.rules.maxAccuracyM;
    this.maxSpeedMps = valid.rules.maxSpeedMps;

    if (fence.shape === 'polygon') {
      this.followsTruck = false;
      return;
    }
    this.followsTruck = fence.followsTruck ?? true;
    this.radiusM = fence.radiusM;
    this.latRad = fence.lat * DEG_TO_RAD;
    this.lonRad = fence.lon * DEG_TO_RAD;
    this.cosLat = Math.cos(this.latRad);
  }

  /** Checks whether the fence is active at `ts` (activeFrom inclusive, activeUntil exclusive). */
  isActiveAt(ts: number): boolean {
    return ts >= this.fence.activeFrom && ts < this.fence.activeUntil;
  }

  /** Checks whether the point is inside the fence (on the boundary counts as inside). */
  contains(lat: number, lon: number, latRad: number, lonRad: number, cosLat: number): boolean {
    if (this.polygon !== undefined) return this.polygon.contains(lat, lon);
    return haversineM(latRad, lonRad, cosLat, this.latRad, this.lonRad, this.cosLat) <= this.radiusM;
  }

  /** Returns how far the point is outside the fence, 0 when inside. */
  outsideDistanceM(lat: number, lon: number, latRad: number, lonRad: number, cosLat: number): number {
    if (this.polygon !== undefined) return this.polygon.distanceOutsideM(lat, lon);
    return Math.max(0, haversineM(latRad, lonRad, cosLat, this.latRad, this.lonRad, this.cosLat) - this.radiusM);
  }

  /** Returns the distance reported in events: to a circle's centre, or outside a polygon's boundary. */
  eventDistanceM(lat: number, lon: number): number {
    if (this.polygon !== undefined) return this.polygon.distanceOutsideM(lat, lon);
    const fence = this.fence as { lat: number; lon: number };
    return distanceM(lat, lon, fence.lat, fence.lon);
  }

  /** Returns the longitude/latitude boxes that contain the fence. */
  boxes(): BBox[] {
    if (this.polygon !== undefined) return this.polygon.boxes;
    const fence = this.fence as { lat: number; lon: number };
    return circleBoxes(fence.lat, fence.lon, this.radiusM + BOX_SLACK_M);
  }

  /**
   * Returns the fence's size as the radius of a circle around it, which decides
   * between the cell index and the R-tree. For a polygon, an estimate: half the
   * diagonal of its boxes, with longitude degrees measured at the latitude where
   * they are widest.
   */
  sizeM(): number {
    if (this.polygon === undefined) return this.radiusM;
    let sizeM = 0;
    for (const box of this.polygon.boxes) {
      const widestCos = box.minY <= 0 && box.maxY >= 0 ? 1 : Math.cos(Math.min(Math.abs(box.minY), Math.abs(box.maxY)) * DEG_TO_RAD);
      const heightM = (box.maxY - box.minY) * DEG_TO_RAD * EARTH_RADIUS_M;
      const widthM = (box.maxX - box.minX) * DEG_TO_RAD * EARTH_RADIUS_M * widestCos;
      sizeM = Math.max(sizeM, Math.hypot(heightM, widthM) / 2);
    }
    return sizeM;
  }
}
