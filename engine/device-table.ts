import type { CellDisk } from './cell-geometry.js';
import type { InsideSet } from './inside-set.js';
import { squareOf } from './squares.js';

const INITIAL_CAPACITY = 1_024;

/**
 * The engine's state of every device, one slot per device, in columns: typed arrays
 * for numbers and plain arrays for the few references, instead of one object with
 * boxed numbers per device. bench:engine measured about 150 bytes per idle device,
 * a 36-character id included. Slots are never freed.
 */
export class DeviceTable {
  private readonly slots = new Map<string, number>();
  private capacity = INITIAL_CAPACITY;
  private count = 0;

  /** Device id of each slot. */
  ids: string[] = [];
  /** Seq and ts of the last accepted ping, -Infinity before the first. */
  lastSeq = new Float64Array(INITIAL_CAPACITY).fill(-Infinity);
  lastTs = new Float64Array(INITIAL_CAPACITY).fill(-Infinity);
  /** Position and accuracy of the last accepted ping, NaN before the first. */
  lat = new Float64Array(INITIAL_CAPACITY).fill(NaN);
  lon = new Float64Array(INITIAL_CAPACITY).fill(NaN);
  accuracyM = new Float32Array(INITIAL_CAPACITY).fill(NaN);
  /** Speed from the previous accepted ping to the last, in metres per second, 0 when unknown. */
  speedMps = new Float32Array(INITIAL_CAPACITY);
  /** Position square of the last accepted ping (see `squares.ts`), -1 before the first. */
  square = new Int32Array(INITIAL_CAPACITY).fill(-1);
  /** Index of the slot within its square's list in `bySquare`. */
  squareIndex = new Int32Array(INITIAL_CAPACITY);
  /** H3 cell of the last ping near a small fence, and its inner disk once the device stays in it. */
  cells: string[] = [];
  cellDisks: (CellDisk | undefined)[] = [];
  /** Fences the device is inside, undefined when none. */
  inside: (InsideSet | undefined)[] = [];
  /** Campaigns whose offer the device already had, undefined when none. */
  offered: (Set<string> | undefined)[] = [];

  /** Slots by position square, for finding the devices near a moved fence. */
  private readonly bySquare = new Map<number, number[]>();

  get size(): number {
    return this.count;
  }

  /** Returns the slot of a device, or -1 when the engine has not seen it. */
  find(deviceId: string): number {
    return this.slots.get(deviceId) ?? -1;
  }

  /** Returns the slot of a device, creating it when new. */
  slotFor(deviceId: string): number {
    const found = this.slots.get(deviceId);
    if (found !== undefined) return found;

    if (this.count === this.capacity) this.grow();
    const slot = this.count++;
    this.slots.set(deviceId, slot);
    this.ids.push(deviceId);
    this.cells.push('');
    this.cellDisks.push(undefined);
    this.inside.push(undefined);
    this.offered.push(undefined);
    return slot;
  }

  /** Records the position of an accepted ping and files the slot under its square. */
  setPosition(slot: number, lat: number, lon: number, accuracyM: number): void {
    this.lat[slot] = lat;
    this.lon[slot] = lon;
    this.accuracyM[slot] = accuracyM;

    const square = squareOf(lat, lon);
    const previous = this.square[slot] as number;
    if (square === previous) return;

    if (previous !== -1) this.unfile(slot, previous);
    let list = this.bySquare.get(square);
    if (list === undefined) {
      list = [];
      this.bySquare.set(square, list);
    }
    this.squareIndex[slot] = list.length;
    list.push(slot);
    this.square[slot] = square;
  }

  /** Calls `visit` with every slot filed under `square`. */
  forEachInSquare(square: number, visit: (slot: number) => void): void {
    const list = this.bySquare.get(square);
    if (list === undefined) return;
    for (let i = 0; i < list.length; i++) visit(list[i] as number);
  }

  private unfile(slot: number, square: number): void {
    const list = this.bySquare.get(square) as number[];
    const index = this.squareIndex[slot] as number;
    const last = list.pop() as number;
    if (index < list.length) {
      list[index] = last;
      this.squareIndex[last] = index;
    }
    if (list.length === 0) this.bySquare.delete(square);
  }

  private grow(): void {
    const capacity = this.capacity * 2;
    this.lastSeq = grown(this.lastSeq, new Float64Array(capacity).fill(-Infinity));
    this.lastTs = grown(this.lastTs, new Float64Array(capacity).fill(-Infinity));
    this.lat = grown(this.lat, new Float64Array(capacity).fill(NaN));
    this.lon = grown(this.lon, new Float64Array(capacity).fill(NaN));
    this.accuracyM = grown(this.accuracyM, new Float32Array(capacity).fill(NaN));
    this.speedMps = grown(this.speedMps, new Float32Array(capacity));
    this.square = grown(this.square, new Int32Array(capacity).fill(-1));
    this.squareIndex = grown(this.squareIndex, new Int32Array(capacity));
    this.capacity = capacity;
  }
}

function grown<T extends Float64Array | Float32Array | Int32Array>(old: T, next: T): T {
  next.set(old);
  return next;
}
