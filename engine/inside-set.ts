import type { FenceRecord } from './fence-record.js';

/**
 * The fences one device is inside, with when it entered each and whether it has
 * had its dwell event. Only devices inside some fence have one, so idle devices
 * cost nothing here.
 */
export class InsideSet {
  records: FenceRecord[] = [];
  enteredAt: number[] = [];
  dwelled: boolean[] = [];

  get size(): number {
    return this.records.length;
  }

  add(record: FenceRecord, enteredAt: number, dwelled: boolean): void {
    this.records.push(record);
    this.enteredAt.push(enteredAt);
    this.dwelled.push(dwelled);
  }

  /** Removes entry `index` by moving the last entry into its place. */
  removeAt(index: number): void {
    const last = this.records.length - 1;
    if (index < last) {
      this.records[index] = this.records[last] as FenceRecord;
      this.enteredAt[index] = this.enteredAt[last] as number;
      this.dwelled[index] = this.dwelled[last] as boolean;
    }
    this.records.pop();
    this.enteredAt.pop();
    this.dwelled.pop();
  }

  indexOf(record: FenceRecord): number {
    return this.records.indexOf(record);
  }
}
