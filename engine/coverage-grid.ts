import type { BBox } from './geo.js';
import { forEachSquare, squareCount, squareOf } from './squares.js';

/**
 * Largest number of squares one fence may mark. A box above it (a circle near a
 * pole spans every longitude) is not tracked, and the grid then returns "maybe"
 * everywhere until that fence is removed.
 */
const MAX_SQUARES_PER_FENCE = 1_024;

/**
 * A coarse longitude/latitude grid that counts, per square, the fences whose
 * bounding box overlaps it. Finding a point's square takes two divisions, against
 * about 1 µs for an H3 `latLngToCell`, so a ping in a square no fence touches skips
 * the cell lookup. It only returns "no fence here" or "maybe".
 */
export class CoverageGrid {
  private readonly counts = new Map<number, number>();
  private untracked = 0;

  /** Marks the squares under `boxes`. Returns false when the fence is too wide to track. */
  add(boxes: readonly BBox[]): boolean {
    if (squareCount(boxes) > MAX_SQUARES_PER_FENCE) {
      this.untracked++;
      return false;
    }

    forEachSquare(boxes, (square) => this.counts.set(square, (this.counts.get(square) ?? 0) + 1));
    return true;
  }

  /** Unmarks the squares of a fence. `tracked` is what `add` returned for it. */
  remove(boxes: readonly BBox[], tracked: boolean): void {
    if (!tracked) {
      this.untracked--;
      return;
    }

    forEachSquare(boxes, (square) => {
      const count = (this.counts.get(square) ?? 0) - 1;
      if (count <= 0) this.counts.delete(square);
      else this.counts.set(square, count);
    });
  }

  /** Checks whether a fence box may contain the point. False means no tracked box does. */
  mayContain(lat: number, lon: number): boolean {
    return this.untracked > 0 || this.counts.has(squareOf(lat, lon));
  }

  /** Number of squares with at least one fence, for tests and diagnostics. */
  get markedSquares(): number {
    return this.counts.size;
  }
}
