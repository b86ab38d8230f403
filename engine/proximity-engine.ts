import { getHexagonEdgeLengthAvg, UNITS } from 'h3-js';

import { invalidInput } from '../common/errors.js';
import { CellLocator } from './cell-locator.js';
import { DeviceState } from './device-state.js';
import { FenceIndex, type FenceIndexStats } from './fence-index.js';
import type { FenceRecord } from './fence-record.js';
import { FenceRegistry } from './fence-registry.js';
import { assertLatitude, assertLongitude, DEG_TO_RAD, distanceM, EARTH_RADIUS_M, haversineM } from './geo.js';
import { offerIdFor } from './offer-id.js';
import { chooseOfferFences, compareStrings, type EnteredFence } from './offer-rules.js';
import type {
  CircleFence,
  DeviceCheckpoint,
  EngineEvent,
  EnginePing,
  EnterEvent,
  ExitEvent,
  OfferDecision,
  ProximityEngineOptions,
} from './types.js';
import {
  assertCampaignId,
  assertId,
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
 * Returned when a ping changes nothing, so the common case allocates no array.
 * Frozen: callers must not modify the array that `process` returns.
 */
const NO_EVENTS: EngineEvent[] = Object.freeze([]) as unknown as EngineEvent[];

/**
 * Decides, ping by ping, which devices enter circle fences around food trucks
 * and which of those entries become campaign offers. Pure and synchronous: time
 * comes only from ping timestamps, and the only errors are thrown for invalid input.
 */
export class ProximityEngine {
  private readonly index: FenceIndex;
  private readonly locator: CellLocator;
  private readonly fences: FenceRegistry;
  // NOTE: device state is never evicted. It takes about 200 bytes per device (measured
  // with 15-character ids), so 1M devices hold about 200 MB until the process restarts.
  private readonly devices = new Map<string, DeviceState>();

  // Scratch arrays reused by every `process` call.
  private readonly candidates: FenceRecord[] = [];
  private readonly insideNow: FenceRecord[] = [];
  private readonly insideDistances: number[] = [];
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

  /** Adds a fence, or replaces the fence with the same id (devices inside it stay inside). */
  upsertFence(fence: CircleFence): void {
    this.fences.upsert(validateFence(fence));
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
   * Moves every fence of a truck to a new centre and returns how many moved.
   * NOTE: devices are not indexed yet, so a device that the moved fence now covers
   * gets its enter event on its next ping, not at the move.
   */
  moveTruck(truckId: string, lat: number, lon: number): number {
    assertId('truckId', truckId);
    assertLatitude('lat', lat);
    assertLongitude('lon', lon);
    return this.fences.moveTruck(truckId, lat, lon);
  }

  /**
   * Records that a device already has the offer of a campaign, e.g. when rebuilding
   * from the store. The device then counts in `deviceCount` even before its first ping.
   */
  markOffered(campaignId: string, deviceId: string): void {
    assertCampaignId('campaignId', campaignId);
    assertId('deviceId', deviceId);

    this.deviceFor(deviceId).markOffered(campaignId);
  }

  /**
   * Sets the last accepted seq and ts of a device, e.g. when rebuilding from the
   * store after a restart. The device's inside set is kept, and is empty for a
   * device the engine has not seen, so its next ping inside a fence is an enter.
   */
  restoreDevice(deviceId: string, state: DeviceCheckpoint): void {
    assertId('deviceId', deviceId);
    validateCheckpoint(state);

    const device = this.deviceFor(deviceId);
    device.lastSeq = state.lastSeq;
    device.lastTs = state.lastTs;
  }

  /**
   * Rebuilds a device from the last ping processed before a restart: its checkpoint
   * and the fences that ping was inside, so the device's next ping stays or exits
   * rather than entering again. Returns no events and decides no offers, because that
   * ping's decisions were made before the restart; offers already made come back with
   * `markOffered`. A ping at or before the device's current state is ignored.
   */
  restorePosition(ping: EnginePing): void {
    validatePing(ping);

    const device = this.deviceFor(ping.deviceId);
    if (!device.accepts(ping.seq, ping.ts)) return;
    device.lastSeq = ping.seq;
    device.lastTs = ping.ts;

    this.findInside(device, ping);
    device.setInside(this.insideNow);
  }

  /** Returns the ids of the fences a device was inside at its last accepted ping, sorted. */
  insideFences(deviceId: string): string[] {
    assertId('deviceId', deviceId);
    const device = this.devices.get(deviceId);
    if (device === undefined) return [];
    return device.inside
      .filter((record) => !record.removed)
      .map((record) => record.fence.id)
      .sort(compareStrings);
  }

  /**
   * Applies one ping and returns its events: exits, then enters (each by fence id),
   * then offers (by campaign id). A duplicate or out-of-order ping returns no events
   * and changes nothing. The returned array must not be modified, because the
   * common no-event result is one shared frozen array.
   */
  process(ping: EnginePing): EngineEvent[] {
    validatePing(ping);

    const device = this.devices.get(ping.deviceId) ?? this.deviceFor(ping.deviceId);
    if (!device.accepts(ping.seq, ping.ts)) return NO_EVENTS;
    device.lastSeq = ping.seq;
    device.lastTs = ping.ts;

    const stamp = this.findInside(device, ping);
    if (this.insideNow.length === 0 && device.inside.length === 0) return NO_EVENTS;

    return this.applyTransitions(device, ping, stamp);
  }

  /** Returns the fences whose circle contains the point, by fence id. */
  fencesNear(lat: number, lon: number): CircleFence[] {
    assertLatitude('lat', lat);
    assertLongitude('lon', lon);

    const latRad = lat * DEG_TO_RAD;
    const lonRad = lon * DEG_TO_RAD;
    const cosLat = Math.cos(latRad);
    const candidates: FenceRecord[] = [];
    this.index.collectCandidates(lat, lon, candidates);

    return candidates
      .filter((record) => haversineM(latRad, lonRad, cosLat, record.latRad, record.lonRad, record.cosLat) <= record.radiusM)
      .map((record) => record.fence)
      .sort((a, b) => compareStrings(a.id, b.id));
  }

  /**
   * Fills `insideNow` / `insideDistances` with the fences containing the ping,
   * marks them with a fresh stamp and returns the stamp.
   */
  private findInside(device: DeviceState, ping: EnginePing): number {
    const latRad = ping.lat * DEG_TO_RAD;
    const lonRad = ping.lon * DEG_TO_RAD;
    const cosLat = Math.cos(latRad);
    const candidates = this.candidates;
    candidates.length = 0;

    if (this.index.maySmallFenceContain(ping.lat, ping.lon)) {
      const cell = this.locator.locate(device, ping.lat, ping.lon, latRad, lonRad, cosLat);
      this.index.collectCellCandidates(cell, candidates);
    }
    this.index.collectLargeCandidates(ping.lat, ping.lon, candidates);

    const stamp = ++this.stamp;
    const insideNow = this.insideNow;
    const distances = this.insideDistances;
    insideNow.length = 0;
    distances.length = 0;

    for (let i = 0; i < candidates.length; i++) {
      const record = candidates[i] as FenceRecord;
      const radiusM = record.radiusM;

      // Cheap rejection: the distance is at least the latitude difference along a meridian.
      // The factor keeps a point exactly on the boundary from being lost to rounding.
      if (Math.abs(latRad - record.latRad) * EARTH_RADIUS_M > radiusM * LATITUDE_TEST_SLACK) continue;

      const d = haversineM(latRad, lonRad, cosLat, record.latRad, record.lonRad, record.cosLat);
      if (d > radiusM) continue;

      record.insideStamp = stamp;
      insideNow.push(record);
      distances.push(d);
    }

    return stamp;
  }

  /** Compares the device's previous inside set with `insideNow`, updates it, and builds the events. */
  private applyTransitions(device: DeviceState, ping: EnginePing, stamp: number): EngineEvent[] {
    const previous = device.inside;
    for (let i = 0; i < previous.length; i++) (previous[i] as FenceRecord).wasInsideStamp = stamp;

    // A removed fence leaves the set without an exit event, because there is no fence to exit any more.
    let exits: ExitEvent[] | undefined;
    for (let i = 0; i < previous.length; i++) {
      const record = previous[i] as FenceRecord;
      if (record.insideStamp === stamp || record.removed) continue;

      exits ??= [];
      exits.push(exitEvent(record, ping, distanceM(ping.lat, ping.lon, record.fence.lat, record.fence.lon)));
    }

    let entered: EnteredFence[] | undefined;
    for (let i = 0; i < this.insideNow.length; i++) {
      const record = this.insideNow[i] as FenceRecord;
      if (record.wasInsideStamp === stamp) continue;

      entered ??= [];
      entered.push({ record, distanceM: this.insideDistances[i] as number });
    }

    // Offers come from every fence the device is inside, not only from fences it just
    // entered, so a phone already near a truck when the campaign window opens gets its
    // offer with its first ping inside the window.
    let offerable: EnteredFence[] | undefined;
    for (let i = 0; i < this.insideNow.length; i++) {
      const record = this.insideNow[i] as FenceRecord;
      if (device.offeredCampaigns.has(record.fence.campaignId) || !record.isActiveAt(ping.ts)) continue;

      offerable ??= [];
      offerable.push({ record, distanceM: this.insideDistances[i] as number });
    }

    device.setInside(this.insideNow);
    if (exits === undefined && entered === undefined && offerable === undefined) return NO_EVENTS;

    const events: EngineEvent[] = [];
    if (exits !== undefined) {
      exits.sort((a, b) => compareStrings(a.fenceId, b.fenceId));
      events.push(...exits);
    }
    if (entered !== undefined) {
      entered.sort((a, b) => compareStrings(a.record.fence.id, b.record.fence.id));
      for (const { record, distanceM } of entered) events.push(enterEvent(record, ping, distanceM));
    }
    if (offerable !== undefined) this.addOffers(device, offerable, ping, events);
    return events;
  }

  private addOffers(device: DeviceState, inside: readonly EnteredFence[], ping: EnginePing, events: EngineEvent[]): void {
    const deviceId = ping.deviceId;
    const chosen = chooseOfferFences(inside, ping.ts, device.offeredCampaigns);

    for (const { record, distanceM } of chosen) {
      const { id: fenceId, campaignId, truckId } = record.fence;
      device.markOffered(campaignId);

      const offer: OfferDecision = {
        type: 'offer',
        offerId: offerIdFor(campaignId, deviceId),
        campaignId,
        deviceId,
        truckId,
        fenceId,
        ping,
        distanceM,
      };
      events.push(offer);
    }
  }

  private deviceFor(deviceId: string): DeviceState {
    let device = this.devices.get(deviceId);
    if (device === undefined) {
      device = new DeviceState();
      this.devices.set(deviceId, device);
    }
    return device;
  }
}

function enterEvent(record: FenceRecord, ping: EnginePing, distanceM: number): EnterEvent {
  const { id: fenceId, campaignId, truckId } = record.fence;
  return { type: 'enter', deviceId: ping.deviceId, fenceId, campaignId, truckId, ping, distanceM };
}

function exitEvent(record: FenceRecord, ping: EnginePing, distanceM: number): ExitEvent {
  const { id: fenceId, campaignId, truckId } = record.fence;
  return { type: 'exit', deviceId: ping.deviceId, fenceId, campaignId, truckId, ping, distanceM };
}
