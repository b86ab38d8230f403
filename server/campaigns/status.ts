import { CloudburstError } from '../../common/errors.js';

export type CampaignStatus = 'draft' | 'scheduled' | 'active' | 'ended';

/**
 * The moves a campaign can make. A draft is edited freely and holds no fences; once
 * scheduled its fences and sends exist and it turns active when its window opens;
 * ended is final. Unscheduling returns it to draft, removing fences and queued sends.
 */
const TRANSITIONS: Record<CampaignStatus, readonly CampaignStatus[]> = {
  draft: ['scheduled', 'active', 'ended'],
  scheduled: ['draft', 'active', 'ended'],
  active: ['ended'],
  ended: [],
};

export function canTransition(from: CampaignStatus, to: CampaignStatus): boolean {
  return TRANSITIONS[from].includes(to);
}

/** Throws a `conflict` error naming both states and the moves allowed from `from`. */
export function assertTransition(campaignId: string, from: CampaignStatus, to: CampaignStatus): void {
  if (canTransition(from, to)) return;
  const allowed = TRANSITIONS[from];
  const hint = allowed.length > 0 ? `from ${from} a campaign can become ${allowed.join(', ')}` : `${from} is final`;
  throw new CloudburstError('conflict', `campaign ${campaignId} cannot go from ${from} to ${to}: ${hint}`, {
    field: 'status',
    value: to,
    context: { campaignId, from, to },
  });
}

/** Campaigns that have fences in the engine. */
export function holdsFences(status: CampaignStatus): boolean {
  return status === 'scheduled' || status === 'active';
}
