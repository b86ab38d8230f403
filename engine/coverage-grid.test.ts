import { describe, expect, it } from 'vitest';

import { CoverageGrid } from './coverage-grid.js';
import { circleBoxes } from './geo.js';

describe('CoverageGrid', () => {
  it('returns maybe inside a box and no far away', () => {
    const grid = new CoverageGrid();
    expect(grid.add(circleBoxes(37.7749, -122.4194, 300))).toBe(true);

    expect(grid.mayContain(37.7749, -122.4194)).toBe(true);
    expect(grid.mayContain(37.7766, -122.4194)).toBe(true);
    expect(grid.mayContain(37.9, -122.4194)).toBe(false);
    expect(grid.mayContain(-37.7749, 122.4194)).toBe(false);
  });

  it('unmarks only squares no other fence needs', () => {
    const grid = new CoverageGrid();
    const first = circleBoxes(37.7749, -122.4194, 300);
    const second = circleBoxes(37.7751, -122.4194, 300);
    grid.add(first);
    grid.add(second);

    grid.remove(first, true);
    expect(grid.mayContain(37.7749, -122.4194)).toBe(true);

    grid.remove(second, true);
    expect(grid.mayContain(37.7749, -122.4194)).toBe(false);
    expect(grid.markedSquares).toBe(0);
  });

  it('covers both sides of the antimeridian and the edge longitudes', () => {
    const grid = new CoverageGrid();
    grid.add(circleBoxes(0, 179.999, 500));

    expect(grid.mayContain(0, 180)).toBe(true);
    expect(grid.mayContain(0, -180)).toBe(true);
    expect(grid.mayContain(0, -179.998)).toBe(true);
    expect(grid.mayContain(0, -179.9)).toBe(false);
  });

  it('covers latitude 90 for a fence at the pole', () => {
    const grid = new CoverageGrid();
    const tracked = grid.add([{ minX: 10, minY: 89.995, maxX: 10.001, maxY: 90 }]);

    expect(tracked).toBe(true);
    expect(grid.mayContain(90, 10)).toBe(true);
  });

  it('returns maybe everywhere with a too-wide fence', () => {
    const grid = new CoverageGrid();
    const polar = circleBoxes(89.999, 0, 500);

    expect(grid.add(polar)).toBe(false);
    expect(grid.mayContain(-45, 100)).toBe(true);

    grid.remove(polar, false);
    expect(grid.mayContain(-45, 100)).toBe(false);
  });
});
