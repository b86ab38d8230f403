export { ProximityEngine } from './proximity-engine.js';
export { distanceM, EARTH_RADIUS_M } from './geo.js';
export type { FenceIndexStats } from './fence-index.js';
export { offerIdFor } from './offer-id.js';
export { DEFAULT_FENCE_RULES, resolveRules } from './rules.js';
export type {
  CircleFence,
  DeviceCheckpoint,
  DwellEvent,
  EngineEvent,
  EnginePing,
  EnterEvent,
  ExitEvent,
  Fence,
  FenceEvent,
  FenceRules,
  FlaggedEvent,
  GeoJsonMultiPolygon,
  GeoJsonPolygon,
  OfferDecision,
  PolygonFence,
  Position,
  ProximityEngineOptions,
  UnknownEvent,
} from './types.js';
