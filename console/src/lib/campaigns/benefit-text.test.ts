import { describe, expect, it } from 'vitest';
import { benefitText } from './benefit-text.js';
import { emptyDraft, type CampaignDraft } from './draft.js';

function benefit(changes: Partial<CampaignDraft['benefit']>): CampaignDraft['benefit'] {
  return { ...emptyDraft(0).benefit, ...changes };
}

describe('benefitText', () => {
  it('uses the written description', () => {
    expect(benefitText(benefit({ description: '  a free horchata  ' }))).toBe('a free horchata');
  });

  it.each<[string, Partial<CampaignDraft['benefit']>, string]>([
    ['percent', { kind: 'percent', percent: 10 }, '10% off'],
    ['amount', { kind: 'amount', amount: 4.5, currency: 'usd' }, '$4.50 off'],
    ['amount in yen', { kind: 'amount', amount: 500, currency: 'JPY' }, '¥500 off'],
    ['free item', { kind: 'free_item', item: ' Horchata ' }, 'free Horchata'],
    ['minimum spend', { kind: 'percent', percent: 15, minSpend: 20, currency: 'USD' }, '15% off on $20.00 or more'],
  ])('describes a %s benefit as the server does', (_name, changes, expected) => {
    expect(benefitText(benefit(changes))).toBe(expected);
  });

  it.each<[string, Partial<CampaignDraft['benefit']>]>([
    ['percent without a value', { kind: 'percent', percent: null }],
    ['amount without a value', { kind: 'amount', amount: null }],
    ['free item without a name', { kind: 'free_item', item: '  ' }],
    ['amount in an unknown currency', { kind: 'amount', amount: 4, currency: 'ZZZ' }],
    ['minimum spend without a currency', { kind: 'percent', percent: 10, minSpend: 20, currency: 'US' }],
    ['amount too large to format', { kind: 'amount', amount: 1e20, currency: 'USD' }],
    ['minimum spend too large to format', { kind: 'percent', percent: 10, minSpend: 1e20, currency: 'USD' }],
  ])('returns null for a %s', (_name, changes) => {
    expect(benefitText(benefit(changes))).toBeNull();
  });
});
