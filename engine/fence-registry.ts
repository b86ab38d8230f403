import type { FenceIndex } from './fence-index.js';
import { FenceRecord } from './fence-record.js';
import type { ValidFence } from './validate.js';

/**
 * The fences by id, campaign and truck, kept in step with the spatial index.
 * Every change removes a record's index entries before it writes new ones.
 * Inputs are validated by the caller.
 */
export class FenceRegistry {
  private readonly records = new Map<string, FenceRecord>();
  private readonly byCampaign = new Map<string, Set<FenceRecord>>();
  private readonly byTruck = new Map<string, Set<FenceRecord>>();

  constructor(private readonly index: FenceIndex) {}

  get size(): number {
    return this.records.size;
  }

  /** Adds a fence, or updates the record with the same id in place. */
  upsert(valid: ValidFence): FenceRecord {
    const id = valid.fence.id;
    let record = this.records.get(id);
    if (record === undefined) {
      record = new FenceRecord(valid);
      this.records.set(id, record);
    } else {
      this.index.remove(record);
      this.unlinkOwners(record);
      record.set(valid);
    }

    this.index.insert(record);
    this.linkOwners(record);
    return record;
  }

  get(fenceId: string): FenceRecord | undefined {
    return this.records.get(fenceId);
  }

  /** Removes a fence. Returns false when no fence has this id. */
  remove(fenceId: string): boolean {
    const record = this.records.get(fenceId);
    if (record === undefined) return false;

    this.drop(record);
    return true;
  }

  /** Removes every fence of a campaign and returns how many there were. */
  removeCampaign(campaignId: string): number {
    const records = this.byCampaign.get(campaignId);
    if (records === undefined) return 0;

    const count = records.size;
    for (const record of [...records]) this.drop(record);
    return count;
  }

  /** Moves every circle of a truck that follows it to a new centre, and returns the moved records. */
  moveTruck(truckId: string, lat: number, lon: number): FenceRecord[] {
    const records = this.byTruck.get(truckId);
    if (records === undefined) return [];

    const moved: FenceRecord[] = [];
    for (const record of records) {
      if (!record.followsTruck) continue;

      this.index.remove(record);
      record.set({ fence: Object.freeze({ ...record.fence, lat, lon }), polygon: undefined, rules: record.rules });
      this.index.insert(record);
      moved.push(record);
    }
    return moved;
  }

  private drop(record: FenceRecord): void {
    this.index.remove(record);
    this.unlinkOwners(record);
    this.records.delete(record.fence.id);
    record.removed = true;
  }

  private linkOwners(record: FenceRecord): void {
    addToGroup(this.byCampaign, record.fence.campaignId, record);
    addToGroup(this.byTruck, record.fence.truckId, record);
  }

  private unlinkOwners(record: FenceRecord): void {
    removeFromGroup(this.byCampaign, record.fence.campaignId, record);
    removeFromGroup(this.byTruck, record.fence.truckId, record);
  }
}

function addToGroup(groups: Map<string, Set<FenceRecord>>, key: string, record: FenceRecord): void {
  let group = groups.get(key);
  if (group === undefined) {
    group = new Set();
    groups.set(key, group);
  }
  group.add(record);
}

function removeFromGroup(groups: Map<string, Set<FenceRecord>>, key: string, record: FenceRecord): void {
  const group = groups.get(key);
  if (group === undefined) return;

  group.delete(record);
  if (group.size === 0) groups.delete(key);
}
