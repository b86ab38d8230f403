import type { Bus } from '../bus/types.js';
import type { LiveFence } from '../common/protocol.js';
import type { CircleFence } from '../engine/index.js';
import type { SandboxProvider } from '../payments/sandbox.js';
import type { PaymentProvider } from '../payments/types.js';
import type { Db } from '../store/types.js';
import type { LiveFeed } from './live-feed.js';

/** Services of the running process that the HTTP routes use. */
export interface ServerServices {
  db: Db;
  bus: Bus;
  live: LiveFeed;
  adminToken: string;
  tileUrl?: string;
  tileAttribution?: string;
  /** True once the store is migrated and every consumer runs; false again while stopping. */
  isReady(): boolean;
  stats(): Record<string, unknown>;
  /** Maximum pings one replay request may read. */
  replayMaxPings: number;
  /**
   * Resolves true once this process's engine contains every listed fence, or false after
   * `timeoutMs`. Lets an API call return when its change is live here.
   */
  waitForFences(fenceIds: readonly string[], timeoutMs: number): Promise<boolean>;
  /** Resolves true once this process's engine contains none of the listed fences, or false after `timeoutMs`. */
  waitForFencesRemoved(fenceIds: readonly string[], timeoutMs: number): Promise<boolean>;
  toLiveFence(fence: CircleFence): LiveFence;
  /** Card payments of orders; `tokenizeCard` only on the sandbox provider. Without it the payment routes return 404. */
  payments?: PaymentProvider & Partial<Pick<SandboxProvider, 'tokenizeCard'>>;
}

export function toLiveFence(fence: CircleFence): LiveFence {
  return {
    id: fence.id,
    campaignId: fence.campaignId,
    truckId: fence.truckId,
    lat: fence.lat,
    lon: fence.lon,
    radiusM: fence.radiusM,
    activeFrom: new Date(fence.activeFrom).toISOString(),
    activeUntil: new Date(fence.activeUntil).toISOString(),
  };
}
