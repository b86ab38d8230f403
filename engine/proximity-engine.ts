import { getHexagonEdgeLengthAvg, UNITS } from 'h3-js';

import { invalidInput } from '../common/errors.js';
import { CellLocator } from './cell-locator.js';
import { DeviceTable } from './device-table.js';
import { byFenceId, dwellEvent, enterEvent, exitEvent, unknownEvent } from './events.js';
import { FenceIndex, type FenceIndexStats } from './fence-index.js';
import type { FenceRecord } from './fence-record.js';
import { FenceRegistry } from './fence-registry.js';
import { assertLatitude, assertLongitude, DEG_TO_RAD, distanceM, EARTH_RADIUS_M, haversineM } from './geo.js';
import { InsideSet } from './inside-set.js';
import { offerIdFor } from './offer-id.js';
import { chooseOfferFences, compareStrings, type EnteredFence } from './offer-rules.js';
import { forEachSquare } from './squares.js';
import type {
  DeviceCheckpoint,
  EngineEvent,
  EnginePing,
  Fence,
  FenceEvent,
  FlaggedEvent,
  OfferDecision,
  ProximityEngineOptions,
} from './types.js';
import {
  assertCampaignId,
  assertId,
  assertTimestamp,
  MAX_RADIUS_M,
  validateCheckpoint,
  validateFence,
  validatePing,
} from './validate.js';

/**
 * Default H3 resolution. Its cells have an average edge of 201 m, so a food-truck
 * fence of 100 to 500 m radius is listed under 3 to 15 cells. Resolution 8 (edge
 * 531 m) would hand each ping the fences of a cell about 7 times larger, meaning
 * more exact distance tests downtown. Resolution 10 (edge 76 m) lists a 500 m
 * fence under 67 cells instead of 15.
 */
const DEFAULT_H3_RESOLUTION = 9;

/**
 * Default large-fence threshold, in average H3 edge lengths. The cell cover of a
 * circle grows with the square of radius / edge length. At 10 edges (about 2 km at
 * resolution 9) it is about 140 cells, and each cell costs a few microseconds on
 * upsert plus one index entry. Beyond that an R-tree point query, whose cost grows
 * with log(fences), is the cheaper way to find the few city-wide fences.
 */
const LARGE_FENCE_EDGE_LENGTHS = 10;

/**
 * Upper bound on `largeFenceRadiusM`, in average H3 edge lengths. At 100 edges a
 * cover is about 12,000 cells per fence. At 1,000 edges it would be about 1.2M cells,
 * an estimated 6 s and 100 MB per fence, so a larger setting is rejected as a mistake.
 */
const MAX_LARGE_FENCE_EDGE_LENGTHS = 100;

/** Relative slack of the latitude pre-test, far above rounding error (about 1e-15). */
const LATITUDE_TEST_SLACK = 1 + 1e-9;

/**
 * Shortest interval the speed check divides by. Two fixes a few milliseconds apart
 * would otherwise turn a few metres of GPS noise into an implausible speed.
 */
const MIN_SPEED_INTERVAL_MS = 1_000;

/**
 * Returned when a ping changes nothing, so the common case allocates no array.
 * Frozen: callers must not modify the array that `process` returns.
 */
const NO_EVENTS: EngineEvent[] = Object.freeze([]) as unknown as EngineEvent[];

/**
 * Decides, ping by ping, which devices enter, dwell in and leave the geofences
 * around food trucks, and which of those become campaign offers. Pure and
 * synchronous: time comes only from ping timestamps and the callers' arguments,
 * and the only errors are thrown for invalid input.
 */
export class ProximityEngine {
  private readonly index: FenceIndex;
  private readonly locator: CellLocator;
  private readonly fences: FenceRegistry;
  // NOTE: device state is never evicted. An idle device costs its Map entry, its id and
  // the table's columns; bench:engine measures the total per device.
  private readonly devices = new DeviceTable();
  /** Slots of the devices inside at least one fence. */
  private readonly occupied = new Set<number>();

  // Scratch state reused by every `process` call.
  private readonly candidates: FenceRecord[] = [];
  private readonly insideNow: FenceRecord[] = [];
  private stamp = 0;

  constructor(options: ProximityEngineOptions = {}) {
    const resolution = options.h3Resolution ?? DEFAULT_H3_RESOLUTION;
    if (typeof resolution !== 'number' || !Number.isInteger(resolution) || resolution < 0 || resolution > 15) {
      throw invalidInput('options.h3Resolution', resolution, 'an integer in [0, 15]');
    }

    const edgeLengthM = getHexagonEdgeLengthAvg(resolution, UNITS.m);
    const maxLargeFenceRadiusM = Math.min(MAX_RADIUS_M, MAX_LARGE_FENCE_EDGE_LENGTHS * edgeLengthM);
    const largeFenceRadiusM = options.largeFenceRadiusM ?? LARGE_FENCE_EDGE_LENGTHS * edgeLengthM;
    if (typeof largeFenceRadiusM !== 'number' || !(largeFenceRadiusM >= 0 && largeFenceRadiusM <= maxLargeFenceRadiusM)) {
      throw invalidInput(
        'options.largeFenceRadiusM',
        largeFenceRadiusM,
        `metres, a number in [0, ${Math.floor(maxLargeFenceRadiusM)}] at H3 resolution ${resolution}`,
      );
    }

    this.index = new FenceIndex(resolution, largeFenceRadiusM);
    this.fences = new FenceRegistry(this.index);
    this.locator = new CellLocator(resolution);
  }

  get fenceCount(): number {
    return this.fences.size;
  }

  get deviceCount(): number {
    return this.devices.size;
  }

  /** Counts the entries of the cell index and the R-tree, for diagnostics and tests. */
  indexStats(): FenceIndexStats {
    return this.index.stats();
  }

  /**
   * Adds a fence, or replaces the fence with the same id. Without `at`, devices keep
   * their state until their next ping. With `at`, the time of the change, the fence is
   * applied to the devices' last positions at once, as `moveTruck` does. It then returns
   * the exits of devices the new shape leaves beyond its margin, followed by the enters
   * and offers of devices it now covers. So a phone standing by a truck when its
   * campaign's fence arrives gets its offer without waiting for its next ping.
   */
  upsertFence(fence: Fence, at?: number): EngineEvent[] {
    const valid = validateFence(fence);
    if (at !== undefined) assertTimestamp('at', at);

    const record = this.fences.upsert(valid);
    if (at === undefined) return NO_EVENTS;

    const exits: FenceEvent[] = [];
    const events: EngineEvent[] = [];
    this.exitLeftBehind(record, exits);
    this.enterNearby(record, at, events);
    return exits.length === 0 && events.length === 0 ? NO_EVENTS : [...byFenceId(exits), ...events];
  }

  /** Checks whether a fence with this id is in the engine. */
  hasFence(fenceId: string): boolean {
    return this.fences.get(fenceId) !== undefined;
  }

  /** Removes a fence. Returns false when no fence has this id. */
  removeFence(fenceId: string): boolean {
    assertId('fenceId', fenceId);
    return this.fences.remove(fenceId);
  }

  /** Removes every fence of a campaign and returns how many there were. Offers already made stay recorded. */
  removeCampaign(campaignId: string): number {
    assertCampaignId('campaignId', campaignId);
    return this.fences.removeCampaign(campaignId);
  }

  /**
   * Moves every circle that follows a truck to a new centre, at time `at`, and returns
   * the events that follow. First come the exits of devices the circle left behind, then
   * the enters and offers of devices whose last position the circle now covers, as if
   * each had pinged again there. Devices silent for longer than a fence's stale time are
   * left out.
   */
  moveTruck(truckId: string, lat: number, lon: number, at: number): EngineEvent[] {
    assertId('truckId', truckId);
    assertLatitude('lat', lat);
    assertLongitude('lon', lon);
    assertTimestamp('at', at);

    const moved = this.fences.moveTruck(truckId, lat, lon);
    if (moved.length === 0) return NO_EVENTS;

    const exits: FenceEvent[] = [];
    const events: EngineEvent[] = [];
    for (const record of moved) {
      this.exitLeftBehind(record, exits);
      this.enterNearby(record, at, events);
    }
    return [...byFenceId(exits), ...events];
  }

  /**
   * Records that a device already has the offer of a campaign, e.g. when rebuilding
   * from the store. The device then counts in `deviceCount` even before its first ping.
   */
  markOffered(campaignId: string, deviceId: string): void {
    assertCampaignId('campaignId', campaignId);
    assertId('deviceId', deviceId);

    this.markOfferedAt(this.devices.slotFor(deviceId), campaignId);
  }

  /**
   * Sets the last accepted seq and ts of a device, e.g. when rebuilding from the
   * store after a restart. The device's inside set is kept, and is empty for a
   * device the engine has not seen, so its next ping inside a fence is an enter.
   */
  restoreDevice(deviceId: string, state: DeviceCheckpoint): void {
    assertId('deviceId', deviceId);
    validateCheckpoint(state);

    const slot = this.devices.slotFor(deviceId);
    this.devices.lastSeq[slot] = state.lastSeq;
    this.devices.lastTs[slot] = state.lastTs;
  }

  /**
   * Rebuilds a device from the last ping processed before a restart: its checkpoint,
   * position and the fences that ping was inside, so the device's next ping stays or
   * exits rather than entering again. Returns no events and decides no offers, because
   * that ping's decisions were made before the restart; offers already made come back
   * with `markOffered`. The time of entry is taken to be this ping's, so a dwell event
   * may come again. A ping at or before the device's current state is ignored.
   */
  restorePosition(ping: EnginePing): void {
    validatePing(ping);

    const slot = this.devices.slotFor(ping.deviceId);
    if (!this.accept(slot, ping)) return;
    this.devices.speedMps[slot] = 0;

    this.findInside(slot, ping);
    let set: InsideSet | undefined;
    for (const record of this.insideNow) {
      set ??= new InsideSet();
      set.add(record, ping.ts, false);
    }
    this.setInside(slot, set);
  }

  /** Returns the ids of the fences a device is inside, sorted. */
  insideFences(deviceId: string): string[] {
    assertId('deviceId', deviceId);
    const slot = this.devices.find(deviceId);
    const set = slot === -1 ? undefined : this.devices.inside[slot];
    if (set === undefined) return [];
    return set.records
      .filter((record) => !record.removed)
      .map((record) => record.fence.id)
      .sort(compareStrings);
  }

  /**
   * Applies one ping and returns its events in this order: a flagged event when the
   * ping was too fast for some fence, then unknowns, exits, enters and dwells (each
   * kind by fence id), then offers (by campaign id). A duplicate or out-of-order ping
   * returns no events and changes nothing. The returned array must not be modified,
   * because the common no-event result is one shared frozen array.
   */
  process(ping: EnginePing): EngineEvent[] {
    validatePing(ping);

    const devices = this.devices;
    const slot = devices.slotFor(ping.deviceId);
    const previousTs = devices.lastTs[slot] as number;
    const previousLat = devices.lat[slot] as number;
    const previousLon = devices.lon[slot] as number;
    if (!this.accept(slot, ping)) return NO_EVENTS;

    // Kept for every ping, so a truck move or a new fence can tell a flagged last position.
    // A device restored from a checkpoint alone has a time but no position yet.
    const speedMps = Number.isNaN(previousLat)
      ? 0
      : distanceM(previousLat, previousLon, ping.lat, ping.lon) / (Math.max(ping.ts - previousTs, MIN_SPEED_INTERVAL_MS) / 1_000);
    devices.speedMps[slot] = speedMps;

    const stamp = this.findInside(slot, ping);
    if (this.insideNow.length === 0 && devices.inside[slot] === undefined) return NO_EVENTS;
    return this.applyTransitions(slot, ping, stamp, previousTs, speedMps);
  }

  /**
   * Turns the state of every device silent for longer than a fence's stale time into
   * unknown, and returns those unknown events. Call it now and then with the current
   * time; `process` applies the same rule to a device's next ping anyway.
   */
  expireStale(now: number): EngineEvent[] {
    assertTimestamp('now', now);

    const events: EngineEvent[] = [];
    for (const slot of this.occupied) {
      const set = this.devices.inside[slot] as InsideSet;
      const lastTs = this.devices.lastTs[slot] as number;
      let ping: EnginePing | undefined;

      for (let i = set.size - 1; i >= 0; i--) {
        const record = set.records[i] as FenceRecord;
        if (!record.removed && now - lastTs <= record.rules.staleAfterMs) continue;

        if (!record.removed) {
          ping ??= this.lastPing(slot);
          events.push(unknownEvent(record, ping, record.eventDistanceM(ping.lat, ping.lon), lastTs));
        }
        set.removeAt(i);
      }
      if (set.size === 0) this.setInside(slot, undefined);
    }
    return events;
  }

  /** Returns the fences that contain the point, by fence id. */
  fencesNear(lat: number, lon: number): Fence[] {
    assertLatitude('lat', lat);
    assertLongitude('lon', lon);

    const latRad = lat * DEG_TO_RAD;
    const lonRad = lon * DEG_TO_RAD;
    const cosLat = Math.cos(latRad);
    const candidates: FenceRecord[] = [];
    this.index.collectCandidates(lat, lon, candidates);

    return candidates
      .filter((record) => record.contains(lat, lon, latRad, lonRad, cosLat))
      .map((record) => record.fence)
      .sort((a, b) => compareStrings(a.id, b.id));
  }

  /** Checks that a ping moves its device forward and, if so, records it as the device's last. */
  private accept(slot: number, ping: EnginePing): boolean {
    const devices = this.devices;
    if (!(ping.seq > (devices.lastSeq[slot] as number) && ping.ts >= (devices.lastTs[slot] as number))) return false;

    devices.lastSeq[slot] = ping.seq;
    devices.lastTs[slot] = ping.ts;
    devices.setPosition(slot, ping.lat, ping.lon, ping.accuracyM);
    return true;
  }

  /** Fills `insideNow` with the fences containing the ping, marks them with a fresh stamp and returns the stamp. */
  private findInside(slot: number, ping: EnginePing): number {
    const lat = ping.lat;
    const lon = ping.lon;
    const latRad = lat * DEG_TO_RAD;
    const lonRad = lon * DEG_TO_RAD;
    const cosLat = Math.cos(latRad);
    const candidates = this.candidates;
    const insideNow = this.insideNow;
    const stamp = ++this.stamp;
    candidates.length = 0;
    insideNow.length = 0;

    if (this.index.maySmallFenceContain(lat, lon)) {
      const cell = this.locator.locate(this.devices, slot, lat, lon, latRad, lonRad, cosLat);
      const fences = this.index.cellCandidates(cell);
      if (fences !== undefined) {
        const inner = fences.inner;
        for (let i = 0; i < inner.length; i++) {
          const record = inner[i] as FenceRecord;
          record.insideStamp = stamp;
          insideNow.push(record);
        }
        const boundary = fences.boundary;
        for (let i = 0; i < boundary.length; i++) candidates.push(boundary[i] as FenceRecord);
      }
    }
    this.index.collectLargeCandidates(lat, lon, candidates);

    for (let i = 0; i < candidates.length; i++) {
      const record = candidates[i] as FenceRecord;
      if (record.polygon === undefined) {
        // Cheap rejection: the distance is at least the latitude difference along a meridian.
        // The factor keeps a point exactly on the boundary from being lost to rounding.
        const radiusM = record.radiusM;
        if (Math.abs(latRad - record.latRad) * EARTH_RADIUS_M > radiusM * LATITUDE_TEST_SLACK) continue;
        if (haversineM(latRad, lonRad, cosLat, record.latRad, record.lonRad, record.cosLat) > radiusM) continue;
      } else if (!record.polygon.contains(lat, lon)) {
        continue;
      }

      record.insideStamp = stamp;
      insideNow.push(record);
    }

    return stamp;
  }

  /**
   * Compares the device's inside set with `insideNow` under the fences' rules, updates
   * the set and builds the events.
   */
  private applyTransitions(slot: number, ping: EnginePing, stamp: number, previousTs: number, speedMps: number): EngineEvent[] {
    const { lat, lon } = ping;
    const latRad = lat * DEG_TO_RAD;
    const lonRad = lon * DEG_TO_RAD;
    const cosLat = Math.cos(latRad);
    let set = this.devices.inside[slot];
    let tooFast = false;
    let unknowns: FenceEvent[] | undefined;
    let exits: FenceEvent[] | undefined;
    let enters: FenceEvent[] | undefined;
    let dwells: FenceEvent[] | undefined;

    // A ping held back by a fence's accuracy or speed limit neither enters nor exits it.
    const heldBack = (record: FenceRecord): boolean => {
      if (ping.accuracyM > record.maxAccuracyM) return true;
      if (speedMps <= record.maxSpeedMps) return false;
      tooFast = true;
      return true;
    };

    if (set !== undefined) {
      // Backwards, because removeAt moves the last entry, already visited, into the gap.
      for (let i = set.size - 1; i >= 0; i--) {
        const record = set.records[i] as FenceRecord;
        if (record.removed) {
          set.removeAt(i);
          continue;
        }
        record.wasInsideStamp = stamp;

        if (ping.ts - previousTs > record.rules.staleAfterMs) {
          record.wasInsideStamp = 0;
          (unknowns ??= []).push(unknownEvent(record, ping, record.eventDistanceM(lat, lon), previousTs));
          set.removeAt(i);
          continue;
        }
        if (heldBack(record)) {
          record.insideStamp = 0;
          continue;
        }
        if (record.insideStamp !== stamp && record.outsideDistanceM(lat, lon, latRad, lonRad, cosLat) > record.exitMarginM) {
          (exits ??= []).push(exitEvent(record, ping, record.eventDistanceM(lat, lon)));
          set.removeAt(i);
          continue;
        }

        // Inside, or within the exit margin: the device stays, and may have dwelled long enough.
        // Only a ping inside the fence itself leaves insideStamp set, which offers need.
        if (!set.dwelled[i] && ping.ts - (set.enteredAt[i] as number) >= record.rules.dwellMs) {
          set.dwelled[i] = true;
          (dwells ??= []).push(dwellEvent(record, ping, record.eventDistanceM(lat, lon), set.enteredAt[i] as number));
        }
      }
    }

    const insideNow = this.insideNow;
    for (let i = 0; i < insideNow.length; i++) {
      const record = insideNow[i] as FenceRecord;
      if (record.wasInsideStamp === stamp) continue;
      if (heldBack(record)) {
        record.insideStamp = 0;
        continue;
      }

      set ??= new InsideSet();
      const dwelled = record.rules.dwellMs === 0;
      set.add(record, ping.ts, dwelled);
      const distance = record.eventDistanceM(lat, lon);
      (enters ??= []).push(enterEvent(record, ping, distance));
      if (dwelled) (dwells ??= []).push(dwellEvent(record, ping, distance, ping.ts));
    }

    this.setInside(slot, set !== undefined && set.size > 0 ? set : undefined);
    const offers = set === undefined ? undefined : this.decideOffers(slot, set, ping, stamp);
    if (!tooFast && unknowns === undefined && exits === undefined && enters === undefined && dwells === undefined && offers === undefined) {
      return NO_EVENTS;
    }

    const events: EngineEvent[] = [];
    if (tooFast) events.push(flaggedEvent(ping, speedMps));
    if (unknowns !== undefined) events.push(...byFenceId(unknowns));
    if (exits !== undefined) events.push(...byFenceId(exits));
    if (enters !== undefined) events.push(...byFenceId(enters));
    if (dwells !== undefined) events.push(...byFenceId(dwells));
    if (offers !== undefined) events.push(...offers);
    return events;
  }

  /**
   * Decides the offers of one ping: for each campaign the device has no offer of yet,
   * the nearest fence it is inside that is active now and past its `offerOn` point.
   * Offers come from every such fence, not only from fences just entered, so a phone
   * already near a truck when the campaign window opens gets its offer with its first
   * ping inside the window.
   */
  private decideOffers(slot: number, set: InsideSet, ping: EnginePing, stamp: number): OfferDecision[] | undefined {
    const offered = this.devices.offered[slot];
    let offerable: EnteredFence[] | undefined;

    for (let i = 0; i < set.size; i++) {
      const record = set.records[i] as FenceRecord;
      if (record.insideStamp !== stamp || !record.isActiveAt(ping.ts)) continue;
      if (offered !== undefined && offered.has(record.fence.campaignId)) continue;
      if (record.rules.offerOn === 'dwell' && !set.dwelled[i]) continue;

      (offerable ??= []).push({ record, distanceM: record.eventDistanceM(ping.lat, ping.lon) });
    }
    if (offerable === undefined) return undefined;

    const chosen = chooseOfferFences(offerable, ping.ts, offered ?? NO_CAMPAIGNS);
    if (chosen.length === 0) return undefined;
    return chosen.map(({ record, distanceM }) => this.offer(slot, record, ping, distanceM));
  }

  private offer(slot: number, record: FenceRecord, ping: EnginePing, distanceM: number): OfferDecision {
    const { id: fenceId, campaignId, truckId } = record.fence;
    this.markOfferedAt(slot, campaignId);
    return {
      type: 'offer',
      offerId: offerIdFor(campaignId, ping.deviceId),
      campaignId,
      deviceId: ping.deviceId,
      truckId,
      fenceId,
      ping,
      distanceM,
    };
  }

  /** Emits exits for devices inside a changed fence that its new shape leaves beyond the exit margin. */
  private exitLeftBehind(record: FenceRecord, exits: FenceEvent[]): void {
    const devices = this.devices;
    for (const slot of this.occupied) {
      const set = devices.inside[slot] as InsideSet;
      const index = set.indexOf(record);
      if (index === -1) continue;

      const lat = devices.lat[slot] as number;
      const lon = devices.lon[slot] as number;
      const latRad = lat * DEG_TO_RAD;
      if (record.outsideDistanceM(lat, lon, latRad, lon * DEG_TO_RAD, Math.cos(latRad)) <= record.exitMarginM) continue;

      const ping = this.lastPing(slot);
      exits.push(exitEvent(record, ping, record.eventDistanceM(lat, lon)));
      set.removeAt(index);
      if (set.size === 0) this.setInside(slot, undefined);
    }
  }

  /** Emits enters, dwells and offers for devices whose last position a changed fence now covers. */
  private enterNearby(record: FenceRecord, at: number, events: EngineEvent[]): void {
    const devices = this.devices;
    const nearby = new Set<number>();
    forEachSquare(record.boxes(), (square) => devices.forEachInSquare(square, (slot) => nearby.add(slot)));

    for (const slot of [...nearby].sort((a, b) => a - b)) {
      if (at - (devices.lastTs[slot] as number) > record.rules.staleAfterMs) continue;
      if ((devices.accuracyM[slot] as number) > record.maxAccuracyM) continue;
      // A last position reached by an implausible jump enters nothing here either.
      if ((devices.speedMps[slot] as number) > record.maxSpeedMps) continue;

      const lat = devices.lat[slot] as number;
      const lon = devices.lon[slot] as number;
      const latRad = lat * DEG_TO_RAD;
      if (!record.contains(lat, lon, latRad, lon * DEG_TO_RAD, Math.cos(latRad))) continue;

      let set = devices.inside[slot];
      if (set !== undefined && set.indexOf(record) !== -1) continue;
      set ??= new InsideSet();
      const dwelled = record.rules.dwellMs === 0;
      set.add(record, at, dwelled);
      this.setInside(slot, set);

      const ping = this.lastPing(slot);
      const distance = record.eventDistanceM(lat, lon);
      events.push(enterEvent(record, ping, distance));
      if (dwelled) events.push(dwellEvent(record, ping, distance, at));

      const offered = devices.offered[slot];
      const offerNow = record.rules.offerOn === 'enter' || dwelled;
      if (offerNow && record.isActiveAt(at) && !(offered !== undefined && offered.has(record.fence.campaignId))) {
        events.push(this.offer(slot, record, ping, distance));
      }
    }
  }

  /** Rebuilds the device's last accepted ping from its columns. */
  private lastPing(slot: number): EnginePing {
    const devices = this.devices;
    return {
      deviceId: devices.ids[slot] as string,
      seq: devices.lastSeq[slot] as number,
      lat: devices.lat[slot] as number,
      lon: devices.lon[slot] as number,
      accuracyM: devices.accuracyM[slot] as number,
      ts: devices.lastTs[slot] as number,
    };
  }

  private setInside(slot: number, set: InsideSet | undefined): void {
    this.devices.inside[slot] = set;
    if (set === undefined) this.occupied.delete(slot);
    else this.occupied.add(slot);
  }

  private markOfferedAt(slot: number, campaignId: string): void {
    const offered = this.devices.offered[slot];
    if (offered === undefined) this.devices.offered[slot] = new Set([campaignId]);
    else offered.add(campaignId);
  }
}

/** Shared by every device without offers. */
const NO_CAMPAIGNS: ReadonlySet<string> = new Set();

function flaggedEvent(ping: EnginePing, speedMps: number): FlaggedEvent {
  return { type: 'flagged', reason: 'speed', deviceId: ping.deviceId, ping, speedMps };
}
