/**
 * Public types of the proximity engine. Coordinates are WGS84 degrees, distances
 * are metres and times are milliseconds since the epoch.
 */

/** A circular geofence around one truck for one campaign. */
export interface CircleFence {
  id: string;
  campaignId: string;
  truckId: string;
  lat: number;
  lon: number;
  radiusM: number;
  /** Start of the active window, inclusive. */
  activeFrom: number;
  /** End of the active window, exclusive. */
  activeUntil: number;
}

/** One location fix of one device. */
export interface EnginePing {
  deviceId: string;
  /** Per-device sequence number. A ping with seq <= the last accepted seq is a duplicate. */
  seq: number;
  lat: number;
  lon: number;
  /** Horizontal accuracy radius in metres. This version does not use it in the inside test. */
  accuracyM: number;
  /** Fix time. */
  ts: number;
}

interface FenceTransition {
  deviceId: string;
  fenceId: string;
  campaignId: string;
  truckId: string;
  /** The ping object passed to `process`, not a copy. */
  ping: EnginePing;
  /** Great-circle distance from the ping to the fence centre. */
  distanceM: number;
}

/** The device is inside the fence now and was not inside at its previous accepted ping. */
export interface EnterEvent extends FenceTransition {
  type: 'enter';
}

/** The device was inside the fence at its previous accepted ping and is outside now. */
export interface ExitEvent extends FenceTransition {
  type: 'exit';
}

/** The single offer of a campaign to a device. */
export interface OfferDecision {
  type: 'offer';
  /** Derived from the campaign id and the device id only, so a replay produces the same id. */
  offerId: string;
  campaignId: string;
  deviceId: string;
  truckId: string;
  fenceId: string;
  /** The ping object passed to `process`, not a copy. */
  ping: EnginePing;
  distanceM: number;
}

export type EngineEvent = EnterEvent | ExitEvent | OfferDecision;

export interface ProximityEngineOptions {
  /** H3 resolution of the cell index, an integer in [0, 15]. Default 9. */
  h3Resolution?: number;
  /**
   * Fences with a radius above this many metres go to the R-tree instead of the
   * cell index. Default: 10 average H3 edge lengths at `h3Resolution` (about 2 km at 9).
   * At most 100 edge lengths, which bounds the cells listed per fence.
   */
  largeFenceRadiusM?: number;
}

/** The last accepted ping of a device, as kept in the store. */
export interface DeviceCheckpoint {
  lastSeq: number;
  lastTs: number;
}
