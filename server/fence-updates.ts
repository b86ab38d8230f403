import type { Fence } from '../engine/index.js';

/** Records on the `fences` topic, keyed by campaign or truck id; every engine instance applies all of them. */
export type FenceUpdate =
  | { type: 'upsert'; fence: Fence }
  /** `at`: when the truck moved, in ms since the epoch (missing in records written before it existed). */
  | { type: 'truck-moved'; truckId: string; lat: number; lon: number; at?: number }
  | { type: 'campaign-removed'; campaignId: string };
