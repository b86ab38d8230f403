import type { MessageKey } from '../messages/index.js';
import { benefitNeedsCurrency, type CampaignDraft } from './draft.js';

/** A problem the editor finds before sending, named by the field path the server would use. */
export interface DraftProblem {
  field: string;
  key: MessageKey;
}

const CURRENCY_CODE = /^[A-Z]{3}$/;

/**
 * Finds what is missing from a draft before it is sent: required fields left empty and
 * segment names used twice. Ranges and formats are left to the server, which names the
 * field it rejects.
 */
export function checkDraft(draft: CampaignDraft): DraftProblem[] {
  const problems: DraftProblem[] = [];
  const require = (field: string, present: boolean) => {
    if (!present) problems.push({ field, key: 'campaigns.check.required' });
  };

  // goal
  require('name', draft.name.trim() !== '');
  const { goal } = draft;
  if (goal.reach !== null || goal.convert !== null || goal.revenue !== null) {
    require('goal.reach', goal.reach !== null);
    require('goal.convert', goal.convert !== null);
    if (goal.revenue !== null && !CURRENCY_CODE.test(goal.currency.trim().toUpperCase())) {
      problems.push({ field: 'goal.currency', key: 'campaigns.check.currency' });
    }
  }

  // target market
  if (!draft.allTrucks && draft.truckIds.length === 0) problems.push({ field: 'truckIds', key: 'campaigns.check.trucks' });
  require('window.start', draft.window.start !== '');
  require('window.end', draft.window.end !== '');
  require('radiusM', draft.radiusM !== null);
  const seen = new Set<string>();
  draft.segments.forEach((segment, index) => {
    const name = segment.name.trim();
    require(`segments.${index}.name`, name !== '');
    const key = `${segment.source}/${name}`;
    if (name !== '' && seen.has(key)) problems.push({ field: `segments.${index}.name`, key: 'campaigns.check.duplicateName' });
    seen.add(key);
  });

  // benefit
  const { benefit } = draft;
  if (benefit.kind === 'percent') require('benefit.value', benefit.percent !== null);
  if (benefit.kind === 'amount') require('benefit.value', benefit.amount !== null);
  if (benefit.kind === 'free_item') require('benefit.item', benefit.item.trim() !== '');
  if (benefitNeedsCurrency(benefit) && !CURRENCY_CODE.test(benefit.currency.trim().toUpperCase())) {
    problems.push({ field: 'benefit.currency', key: 'campaigns.check.currency' });
  }
  if (benefit.limitValidity) {
    require('benefit.valid.start', benefit.validStart !== '');
    require('benefit.valid.end', benefit.validEnd !== '');
  }

  // channels
  if (draft.channels.length === 0) problems.push({ field: 'channels', key: 'campaigns.check.channels' });
  return problems;
}
