import type { EngineEvent, EnginePing, OfferDecision } from '../engine/index.js';
import type { Truck } from './repos/trucks.js';
import { instantToLocal } from './time-zone.js';

/** Counts of one replay. */
export interface ReplayTotals {
  /** Pings fed to the engine, duplicates and out-of-order pings included. */
  pingsRead: number;
  devicesSeen: number;
  /** Devices that got the campaign's offer. */
  devicesReached: number;
  enters: number;
  dwells: number;
  exits: number;
  /** Devices whose state in a fence was dropped because they were silent too long. */
  unknowns: number;
  /** Pings that implied a speed above a fence's limit and so drove no transition of it. */
  flaggedPings: number;
}

/** A device that the replayed campaign reached. */
export interface ReachedDevice {
  deviceId: string;
  /** Fix time of the ping that led to the offer, ISO 8601 in UTC. */
  offeredAt: string;
  /** The same instant as a wall-clock time in the truck's time zone, e.g. `2026-12-04T11:05:12`. */
  offeredAtLocal: string;
  truckId: string;
  truckName: string;
  fenceId: string;
  /** Distance from the ping to the truck, in metres. */
  distanceM: number;
  ping: { seq: number; ts: number; lat: number; lon: number };
}

/** Devices reached near one truck. */
export interface TruckReach {
  truckId: string;
  name: string;
  reached: number;
}

/** Offers per time bucket over the replay range, empty buckets included. */
export interface OfferHistogram {
  bucketMinutes: number;
  buckets: Array<{ start: string; offers: number }>;
}

/**
 * Collects the events of a replay, ping by ping, and builds the parts of its report.
 * Keeps one offer per device, so memory grows with the devices reached.
 */
export class ReplayTally {
  private pingsRead = 0;
  private readonly devicesSeen = new Set<string>();
  private readonly offers = new Map<string, OfferDecision>();
  private enters = 0;
  private dwells = 0;
  private exits = 0;
  private unknowns = 0;
  private flaggedPings = 0;

  /** Records one ping and the events the engine returned for it. */
  record(ping: EnginePing, events: readonly EngineEvent[]): void {
    this.pingsRead++;
    this.devicesSeen.add(ping.deviceId);

    let flagged = false;
    for (const event of events) {
      switch (event.type) {
        case 'enter':
          this.enters++;
          break;
        case 'dwell':
          this.dwells++;
          break;
        case 'exit':
          this.exits++;
          break;
        case 'unknown':
          this.unknowns++;
          break;
        case 'flagged':
          flagged = true;
          break;
        case 'offer':
          if (!this.offers.has(event.deviceId)) this.offers.set(event.deviceId, event);
          break;
      }
    }
    if (flagged) this.flaggedPings++;
  }

  totals(): ReplayTotals {
    return {
      pingsRead: this.pingsRead,
      devicesSeen: this.devicesSeen.size,
      devicesReached: this.offers.size,
      enters: this.enters,
      dwells: this.dwells,
      exits: this.exits,
      unknowns: this.unknowns,
      flaggedPings: this.flaggedPings,
    };
  }

  /** Returns the devices reached per truck, every truck included, most reached first. */
  truckReach(trucks: Truck[]): TruckReach[] {
    const counts = new Map<string, number>();
    for (const offer of this.offers.values()) counts.set(offer.truckId, (counts.get(offer.truckId) ?? 0) + 1);

    return trucks
      .map((truck) => ({ truckId: truck.id, name: truck.name, reached: counts.get(truck.id) ?? 0 }))
      .sort((a, b) => b.reached - a.reached || a.name.localeCompare(b.name) || a.truckId.localeCompare(b.truckId));
  }

  /** Counts offers per bucket of `bucketMinutes` from `from` (inclusive) to `to` (exclusive), in ms since the epoch. */
  histogram(from: number, to: number, bucketMinutes: number): OfferHistogram {
    const bucketMs = bucketMinutes * 60_000;
    const counts = new Array<number>(Math.ceil((to - from) / bucketMs)).fill(0);
    for (const offer of this.offers.values()) {
      const index = Math.floor((offer.ping.ts - from) / bucketMs);
      if (index >= 0 && index < counts.length) counts[index]!++;
    }
    return {
      bucketMinutes,
      buckets: counts.map((offers, index) => ({ start: new Date(from + index * bucketMs).toISOString(), offers })),
    };
  }

  /** Returns the first `limit` devices reached, in the order of their offers (by fix time). */
  reached(trucks: Truck[], limit: number): ReachedDevice[] {
    const truckById = new Map(trucks.map((truck) => [truck.id, truck]));
    const listed: ReachedDevice[] = [];
    for (const offer of this.offers.values()) {
      if (listed.length >= limit) break;
      // Every fence of a replay is built from one of `trucks`.
      const truck = truckById.get(offer.truckId)!;
      const { seq, ts, lat, lon } = offer.ping;
      listed.push({
        deviceId: offer.deviceId,
        offeredAt: new Date(ts).toISOString(),
        offeredAtLocal: instantToLocal(ts, truck.timeZone),
        truckId: offer.truckId,
        truckName: truck.name,
        fenceId: offer.fenceId,
        distanceM: offer.distanceM,
        ping: { seq, ts, lat, lon },
      });
    }
    return listed;
  }
}
