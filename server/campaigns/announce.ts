import { Topics } from '../../bus/types.js';
import type { Logger } from '../../common/logger.js';
import type { FenceUpdate } from '../fence-updates.js';
import type { ServerServices } from '../services.js';
import type { CampaignChange } from './service.js';

/** How long a change waits for this process's engine to apply its fences. */
const FENCE_APPLY_TIMEOUT_MS = 5_000;

/**
 * Returns a function that tells every engine and console what a campaign change did
 * to its fences, and resolves once this process's engine holds the new ones, so pings
 * sent right after an API reply meet them.
 */
export function campaignAnnouncer(services: Pick<ServerServices, 'bus' | 'live' | 'waitForFences' | 'waitForFencesRemoved' | 'toLiveFence'>, logger: Logger) {
  const { bus, live } = services;
  return async function announce(change: CampaignChange): Promise<void> {
    const { campaign, fences, removedFenceIds } = change;
    if (removedFenceIds.length > 0) {
      await bus.produce<FenceUpdate>(Topics.fences, [{ key: campaign.id, value: { type: 'campaign-removed', campaignId: campaign.id } }]);
      for (const fenceId of removedFenceIds) live.publish({ type: 'fence-removed', fenceId });
      if (!(await services.waitForFencesRemoved(removedFenceIds, FENCE_APPLY_TIMEOUT_MS))) {
        logger.warn({ campaignId: campaign.id, fences: removedFenceIds.length }, 'the engine still contains the removed fences after the wait; replying anyway');
      }
    }
    if (fences.length === 0) return;
    await bus.produce<FenceUpdate>(
      Topics.fences,
      fences.map((fence) => ({ key: fence.campaignId, value: { type: 'upsert', fence } })),
    );
    for (const fence of fences) live.publish({ type: 'fence', fence: services.toLiveFence(fence) });
    const fenceIds = fences.map((fence) => fence.id);
    if (!(await services.waitForFences(fenceIds, FENCE_APPLY_TIMEOUT_MS))) {
      logger.warn({ campaignId: campaign.id, fences: fenceIds.length }, 'the engine has not applied the new fences yet; replying anyway');
    }
  };
}
