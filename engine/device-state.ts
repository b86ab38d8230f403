import type { CellDisk } from './cell-geometry.js';
import type { FenceRecord } from './fence-record.js';

/** Shared by every device that is inside no fence, so such a device costs no array. */
const NO_FENCES: FenceRecord[] = [];

/** Shared by every device without offers. */
const NO_CAMPAIGNS: ReadonlySet<string> = new Set();

/** The engine's state of one device between pings. */
export class DeviceState {
  /** Seq of the last accepted ping, or -Infinity before the first. */
  lastSeq = -Infinity;
  /** Ts of the last accepted ping, or -Infinity before the first. */
  lastTs = -Infinity;
  /** Fences the device was inside at its last accepted ping. */
  inside: FenceRecord[] = NO_FENCES;
  /** H3 cell of the last accepted ping, or '' before the first. */
  cell = '';
  /** Inner disk of `cell`, filled in once the device has stayed in `cell` for two pings. */
  cellDisk: CellDisk | undefined = undefined;
  /**
   * Campaigns whose offer this device already had. Kept per device rather than per
   * campaign because the lookup key is then the campaign id string of a fence record,
   * the same string object on every ping, which a Set matches without comparing characters.
   */
  offeredCampaigns: ReadonlySet<string> = NO_CAMPAIGNS;

  /**
   * Checks whether a ping moves the device forward. A seq at or below the last
   * accepted seq is a duplicate, and a ts before the last accepted ts is out of order.
   */
  accepts(seq: number, ts: number): boolean {
    return seq > this.lastSeq && ts >= this.lastTs;
  }

  markOffered(campaignId: string): void {
    if (this.offeredCampaigns === NO_CAMPAIGNS) this.offeredCampaigns = new Set([campaignId]);
    else (this.offeredCampaigns as Set<string>).add(campaignId);
  }

  /** Replaces the inside set with `fences`, reusing this device's array. */
  setInside(fences: readonly FenceRecord[]): void {
    if (fences.length === 0) {
      this.inside = NO_FENCES;
      return;
    }

    if (this.inside === NO_FENCES) this.inside = [];
    this.inside.length = 0;
    for (let i = 0; i < fences.length; i++) this.inside.push(fences[i] as FenceRecord);
  }
}
