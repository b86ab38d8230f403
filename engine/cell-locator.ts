import { latLngToCell } from 'h3-js';

import { cellDisk, type CellDisk } from './cell-geometry.js';
import type { DeviceTable } from './device-table.js';
import { haversineM } from './geo.js';

/**
 * Bound on cached cell disks. 65,536 cells at resolution 9 cover about 6,900 km²
 * (a large metro area) and take an estimated 7 MB. When the cache is full it is
 * cleared, and devices keep the disks they already hold.
 */
const MAX_CACHED_DISKS = 65_536;

/**
 * Finds the H3 cell of a device's ping. `latLngToCell` from h3-js costs about
 * 0.9 µs per call (measured with Node 20 on the 2-core development machine), most of
 * the per-ping budget. So a device that pings again near the centre of its last
 * cell reuses that cell, because a point within the cell's inner disk is in the cell.
 * The inner disk is computed only once a device pings twice in a row in one cell,
 * so fast-moving devices pay only one string comparison for the shortcut.
 */
export class CellLocator {
  readonly resolution: number;
  private readonly disks = new Map<string, CellDisk>();

  constructor(resolution: number) {
    this.resolution = resolution;
  }

  /** Returns the cell of the point and records it, with its disk when known, in the device's slot. */
  locate(devices: DeviceTable, slot: number, lat: number, lon: number, latRad: number, lonRad: number, cosLat: number): string {
    const disk = devices.cellDisks[slot];
    if (disk !== undefined && haversineM(disk.latRad, disk.lonRad, disk.cosLat, latRad, lonRad, cosLat) < disk.innerRadiusM) {
      return disk.cell;
    }

    const cell = latLngToCell(lat, lon, this.resolution);
    devices.cellDisks[slot] = cell === devices.cells[slot] ? this.diskOf(cell) : undefined;
    devices.cells[slot] = cell;
    return cell;
  }

  private diskOf(cell: string): CellDisk {
    let disk = this.disks.get(cell);
    if (disk !== undefined) return disk;

    if (this.disks.size >= MAX_CACHED_DISKS) this.disks.clear();
    disk = cellDisk(cell);
    this.disks.set(cell, disk);
    return disk;
  }
}
