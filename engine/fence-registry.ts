import type { FenceIndex } from './fence-index.js';
import { FenceRecord } from './fence-record.js';
import type { CircleFence } from './types.js';

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
  upsert(fence: Readonly<CircleFence>): void {
    let record = this.records.get(fence.id);
    if (record === undefined) {
      record = new FenceRecord(fence);
      this.records.set(fence.id, record);
    } else {
      this.index.remove(record);
      this.unlinkOwners(record);
      record.setFence(fence);
    }

    this.index.insert(record);
    this.linkOwners(record);
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

  /** Moves every fence of a truck to a new centre and returns how many moved. */
  moveTruck(truckId: string, lat: number, lon: number): number {
    const records = this.byTruck.get(truckId);
    if (records === undefined) return 0;

    for (const record of records) {
      this.index.remove(record);
      record.setFence(Object.freeze({ ...record.fence, lat, lon }));
      this.index.insert(record);
    }
    return records.size;
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
