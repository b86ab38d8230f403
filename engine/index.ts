export { ProximityEngine } from './proximity-engine.js';
export { distanceM, EARTH_RADIUS_M } from './geo.js';
export type { FenceIndexStats } from './fence-index.js';
export { offerIdFor } from './offer-id.js';
export type {
  CircleFence,
  DeviceCheckpoint,
  EngineEvent,
  EnginePing,
  EnterEvent,
  ExitEvent,
  OfferDecision,
  ProximityEngineOptions,
} from './types.js';
