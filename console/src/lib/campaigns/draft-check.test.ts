import { describe, expect, it } from 'vitest';
import { checkDraft } from './draft-check.js';
import { emptyDraft, newSegment, type CampaignDraft } from './draft.js';

function validDraft(): CampaignDraft {
  const draft = emptyDraft(new Date(2026, 11, 4, 10).getTime());
  draft.name = 'Lunch';
  return draft;
}

describe('checkDraft', () => {
  it('accepts a complete draft', () => {
    expect(checkDraft(validDraft())).toEqual([]);
  });

  it('requires a name, a window and a radius', () => {
    const draft = validDraft();
    draft.name = '  ';
    draft.window = { start: '', end: '' };
    draft.radiusM = null;
    expect(checkDraft(draft).map((problem) => problem.field)).toEqual(['name', 'window.start', 'window.end', 'radiusM']);
  });

  it('requires reach and conversions once a goal is started', () => {
    const draft = validDraft();
    draft.goal.revenue = 100;
    draft.goal.currency = 'us';
    expect(checkDraft(draft)).toEqual([
      { field: 'goal.reach', key: 'campaigns.check.required' },
      { field: 'goal.convert', key: 'campaigns.check.required' },
      { field: 'goal.currency', key: 'campaigns.check.currency' },
    ]);
  });

  it('requires a truck when not all trucks are chosen', () => {
    const draft = validDraft();
    draft.allTrucks = false;
    expect(checkDraft(draft)).toEqual([{ field: 'truckIds', key: 'campaigns.check.trucks' }]);
  });

  it('requires the value of each benefit kind', () => {
    const draft = validDraft();
    draft.benefit.percent = null;
    expect(checkDraft(draft).map((problem) => problem.field)).toEqual(['benefit.value']);
    draft.benefit.kind = 'free_item';
    expect(checkDraft(draft).map((problem) => problem.field)).toEqual(['benefit.item']);
    draft.benefit.kind = 'amount';
    draft.benefit.currency = '';
    expect(checkDraft(draft).map((problem) => problem.field)).toEqual(['benefit.value', 'benefit.currency']);
  });

  it('requires both ends of a validity window', () => {
    const draft = validDraft();
    draft.benefit.limitValidity = true;
    draft.benefit.validStart = '2026-12-04T11:00';
    expect(checkDraft(draft)).toEqual([{ field: 'benefit.valid.end', key: 'campaigns.check.required' }]);
  });

  it('names an unnamed and a repeated segment by index', () => {
    const draft = validDraft();
    draft.segments.push(newSegment('facebook', 'Fans'), newSegment('facebook', ' Fans'), newSegment('twitter', 'Fans'), newSegment('twitter'));
    expect(checkDraft(draft)).toEqual([
      { field: 'segments.1.name', key: 'campaigns.check.duplicateName' },
      { field: 'segments.3.name', key: 'campaigns.check.required' },
    ]);
  });

  it('requires a channel', () => {
    const draft = validDraft();
    draft.channels = [];
    expect(checkDraft(draft)).toEqual([{ field: 'channels', key: 'campaigns.check.channels' }]);
  });
});
