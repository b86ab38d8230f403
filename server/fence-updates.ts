import type { CircleFence } from '../engine/index.js';

/** Records on the `fences` topic, keyed by campaign or truck id; every engine instance applies all of them. */
export type FenceUpdate =
  | { type: 'upsert'; fence: CircleFence }
  | { type: 'truck-moved'; truckId: string; lat: number; lon: number }
  | { type: 'campaign-removed'; campaignId: string };
