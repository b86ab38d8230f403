import type { WirePing } from '../common/protocol.js';

interface BufferedPing {
  ping: WirePing;
  /** True once the ping was handed to a socket on any connection. */
  everSent: boolean;
}

/** Seqs of pings that a welcome moved above the server's lastSeq. */
export interface Renumbering {
  /** Amount added to each moved seq. */
  offset: number;
  /** New seq of the first moved ping. */
  fromSeq: number;
  /** New seq of the last moved ping. */
  toSeq: number;
}

/**
 * The ordered buffer of unacknowledged pings and the device's seq counter.
 *
 * Seqs start above `initialLastSeq` and never repeat within one buffer. A ping
 * stays buffered until an ack or a welcome covers its seq, or until `maxBuffered`
 * newer pings push it out. `unsentIndex` splits the buffer: pings before it were
 * sent on the current connection, pings after it are waiting to be sent.
 */
export class PingBuffer {
  private entries: BufferedPing[] = [];
  private unsentIndex = 0;
  private highestSeq: number;

  constructor(
    private readonly maxBuffered: number,
    initialLastSeq = 0,
  ) {
    this.highestSeq = initialLastSeq;
  }

  /** Highest seq assigned so far. */
  get lastSeq(): number {
    return this.highestSeq;
  }

  get size(): number {
    return this.entries.length;
  }

  get unsentCount(): number {
    return this.entries.length - this.unsentIndex;
  }

  /** Assigns the next seq to the fix and buffers it. Returns the seq and the oldest ping if it was dropped to make room. */
  add(fix: Omit<WirePing, 'seq'>): { seq: number; dropped?: WirePing } {
    const seq = this.highestSeq + 1;
    this.highestSeq = seq;
    this.entries.push({ ping: { seq, ...fix }, everSent: false });

    if (this.entries.length <= this.maxBuffered) return { seq };
    const dropped = this.entries.shift()!;
    if (this.unsentIndex > 0) this.unsentIndex -= 1;
    return { seq, dropped: dropped.ping };
  }

  /** Removes up to `max` pings from the unsent part, marks them sent and returns them in seq order. */
  takeUnsent(max: number): WirePing[] {
    const batch = this.entries.slice(this.unsentIndex, this.unsentIndex + max);
    for (const entry of batch) entry.everSent = true;
    this.unsentIndex += batch.length;
    return batch.map((entry) => entry.ping);
  }

  /** Drops every sent ping with a seq at or below `seq`. Returns how many it dropped. */
  acknowledge(seq: number): number {
    let count = 0;
    while (count < this.unsentIndex && this.entries[count]!.ping.seq <= seq) count += 1;
    this.entries.splice(0, count);
    this.unsentIndex -= count;
    return count;
  }

  /**
   * Aligns the buffer with a welcome's `serverLastSeq` and marks every ping unsent,
   * so the new connection resends them in order.
   *
   * A ping that was sent before and has a seq at or below `serverLastSeq` reached
   * the server, so it is dropped. A ping that was never sent cannot have reached
   * the server, so a seq at or below `serverLastSeq` means that numbering collided
   * with an earlier client of the same device, which happens for a new instance
   * with an old token. Such pings, and every ping after them, are shifted by one
   * offset so that they sit above `serverLastSeq` in the same order.
   */
  reconcile(serverLastSeq: number): { dropped: number; renumbering?: Renumbering } {
    let dropped = 0;
    while (dropped < this.entries.length && this.entries[dropped]!.everSent && this.entries[dropped]!.ping.seq <= serverLastSeq) dropped += 1;
    this.entries.splice(0, dropped);
    this.unsentIndex = 0;

    let renumbering: Renumbering | undefined;
    const first = this.entries[0];
    if (first && !first.everSent && first.ping.seq <= serverLastSeq) {
      // Sending goes in seq order, so every entry after a never-sent one is never-sent too.
      const offset = serverLastSeq + 1 - first.ping.seq;
      for (const entry of this.entries) entry.ping.seq += offset;
      renumbering = { offset, fromSeq: this.entries[0]!.ping.seq, toSeq: this.entries[this.entries.length - 1]!.ping.seq };
    }

    const lastBuffered = this.entries[this.entries.length - 1]?.ping.seq ?? 0;
    this.highestSeq = Math.max(this.highestSeq, serverLastSeq, lastBuffered);
    return renumbering ? { dropped, renumbering } : { dropped };
  }
}
