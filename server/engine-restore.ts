import { Topics, type Bus } from '../bus/types.js';
import type { Logger } from '../common/logger.js';
import type { LiveDevice } from '../common/protocol.js';
import type { ProximityEngine } from '../engine/index.js';
import type { Queryable } from '../store/types.js';
import { ENGINE_GROUP, toEnginePing } from './engine-runner.js';
import { listLiveFences } from './repos/fences.js';
import { listOfferedPairs } from './repos/offers.js';
import { listLastPings } from './repos/pings.js';

/**
 * How far back a restarting engine looks for device positions. A device whose last
 * recorded fix is older starts fresh, so its next ping inside a fence enters it again.
 */
export const POSITION_LOOKBACK_MS = 60 * 60_000;

export interface RestoredEngine {
  fences: number;
  offers: number;
  /** The restored devices' last positions, for the live map. */
  positions: LiveDevice[];
}

/**
 * Rebuilds the engine's state from the store before it consumes pings: live fences,
 * offers already made, and each device's last position with the fences it was inside.
 *
 * On a durable bus the engine's group resumes from its committed offsets, so the
 * positions come only from recorded pings before those offsets, and the topic replays
 * the rest. Together they rebuild every device as if the engine had not stopped. On the
 * in-process log nothing is replayed, so every recorded ping counts.
 */
export async function restoreEngine(options: {
  db: Queryable;
  bus: Bus;
  engine: ProximityEngine;
  logger: Logger;
  now?: number;
}): Promise<RestoredEngine> {
  const { db, bus, engine } = options;
  const now = options.now ?? Date.now();

  const fences = await listLiveFences(db, now);
  for (const fence of fences) engine.upsertFence(fence);
  const offered = await listOfferedPairs(db);
  for (const pair of offered) engine.markOffered(pair.campaignId, pair.deviceId);

  const handled = bus.durable ? await bus.committedOffsets(Topics.pings, ENGINE_GROUP) : undefined;
  const pings = await listLastPings(db, now - POSITION_LOOKBACK_MS, handled);
  for (const ping of pings) engine.restorePosition(toEnginePing(ping));

  const restored = {
    fences: fences.length,
    offers: offered.length,
    positions: pings.map((ping) => ({ id: ping.deviceId, lat: ping.lat, lon: ping.lon, ts: ping.ts })),
  };
  const resumeOffsets = handled === undefined ? undefined : Object.fromEntries(handled);
  options.logger
    .child({ component: 'engine-restore' })
    .info({ fences: fences.length, offers: offered.length, devices: pings.length, resumeOffsets }, 'engine state restored from the store');
  return restored;
}
