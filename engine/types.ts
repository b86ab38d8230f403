/**
 * Public types of the proximity engine. Coordinates are WGS84 degrees, distances
 * are metres and times are milliseconds since the epoch.
 */

/**
 * Rules that decide when a device's pings turn into transitions of a fence. Each is a
 * campaign setting; `DEFAULT_FENCE_RULES` lists the values used when one is not given.
 */
export interface FenceRules {
  /** A device inside for at least this long gets a dwell event, at its first ping past it. */
  dwellMs: number;
  /** Whether the offer comes at entry or at dwell. */
  offerOn: 'enter' | 'dwell';
  /** A device inside exits only once it is more than this far outside the fence. */
  exitMarginM: number;
  /** A device silent for longer than this loses its state for the fence (an unknown event). */
  staleAfterMs: number;
  /** Pings whose accuracy radius is larger than this neither enter nor exit the fence. */
  maxAccuracyM: number;
  /** A ping implying a speed above this since the previous ping is flagged and drives no transition. */
  maxSpeedMps: number;
}

/** Fields every fence has, whatever its shape. */
interface FenceCommon {
  id: string;
  campaignId: string;
  truckId: string;
  /** Start of the active window, inclusive. */
  activeFrom: number;
  /** End of the active window, exclusive. */
  activeUntil: number;
  /** Transition rules. Missing fields take their value from `DEFAULT_FENCE_RULES`. */
  rules?: Partial<FenceRules>;
}

/** A circle around a point, fixed there or following its truck. */
export interface CircleFence extends FenceCommon {
  shape?: 'circle';
  lat: number;
  lon: number;
  radiusM: number;
  /** Whether `moveTruck` moves this circle with its truck. Default true. */
  followsTruck?: boolean;
}

/** A GeoJSON position: [longitude, latitude] in degrees. */
export type Position = [number, number];

export interface GeoJsonPolygon {
  type: 'Polygon';
  /** The outer ring, then the holes. Each ring is closed: its last position repeats its first. */
  coordinates: Position[][];
}

export interface GeoJsonMultiPolygon {
  type: 'MultiPolygon';
  coordinates: Position[][][];
}

/**
 * A polygon or multipolygon with holes, fixed in place. Edges are great-circle arcs,
 * as in PostGIS geography, so an edge from 179° to -179° crosses the antimeridian.
 */
export interface PolygonFence extends FenceCommon {
  shape: 'polygon';
  geometry: GeoJsonPolygon | GeoJsonMultiPolygon;
}

export type Fence = CircleFence | PolygonFence;

/** One location fix of one device. */
export interface EnginePing {
  deviceId: string;
  /** Per-device sequence number. A ping with seq <= the last accepted seq is a duplicate. */
  seq: number;
  lat: number;
  lon: number;
  /** Horizontal accuracy radius in metres. */
  accuracyM: number;
  /** Fix time. */
  ts: number;
}

interface FenceTransition {
  deviceId: string;
  fenceId: string;
  campaignId: string;
  truckId: string;
  /**
   * The ping that caused the transition, as passed to `process`. For events caused by
   * a truck move or by `expireStale`, the device's last accepted ping as the engine kept it.
   */
  ping: EnginePing;
  /** Distance from the ping to a circle's centre, or from outside a polygon to its boundary (0 inside). */
  distanceM: number;
}

/** The device is inside the fence now and was not inside before. */
export interface EnterEvent extends FenceTransition {
  type: 'enter';
}

/** The device has been inside the fence for at least the dwell time. */
export interface DwellEvent extends FenceTransition {
  type: 'dwell';
  /** Time of the enter this dwell follows. */
  enteredAt: number;
}

/** The device was inside the fence and is now beyond the exit margin. */
export interface ExitEvent extends FenceTransition {
  type: 'exit';
}

/** The device was inside the fence, but its last ping is too old to say where it is now. */
export interface UnknownEvent extends FenceTransition {
  type: 'unknown';
  /** Time of the device's last accepted ping. */
  lastSeenAt: number;
}

/** A ping implied a speed above a fence's limit, so it drove no transition of that fence. */
export interface FlaggedEvent {
  type: 'flagged';
  reason: 'speed';
  deviceId: string;
  ping: EnginePing;
  /** Speed from the previous accepted ping, in metres per second. */
  speedMps: number;
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
  /** The ping that led to the offer (see `FenceTransition.ping`). */
  ping: EnginePing;
  distanceM: number;
}

export type FenceEvent = EnterEvent | DwellEvent | ExitEvent | UnknownEvent;

export type EngineEvent = FenceEvent | FlaggedEvent | OfferDecision;

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
