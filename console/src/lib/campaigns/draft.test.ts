import { describe, expect, it } from 'vitest';
import { attachSegmentIds, emptyDraft, fromCampaign, newSegment, toDefinition, toLocalInput, type CampaignDraft } from './draft.js';
import type { Campaign, StoredTemplate } from './types.js';

const NOW = new Date(2026, 11, 4, 10, 20).getTime();

function lunchDraft(): CampaignDraft {
  const draft = emptyDraft(NOW);
  draft.name = '  Friday lunch  ';
  draft.window = { start: '2026-12-04T11:00', end: '2026-12-04T14:00' };
  draft.channels = ['push', 'sms'];
  const fans = newSegment('facebook', 'Fans');
  fans.templates.sms.body = 'Hi {{firstName|there}}';
  fans.templates.email.body = 'not a chosen channel';
  fans.templates.push.subject = 'Lunch';
  fans.templates.push.body = '{{benefit}} now';
  draft.segments.push(fans);
  return draft;
}

describe('emptyDraft', () => {
  it('starts at the next full hour for three hours', () => {
    const draft = emptyDraft(NOW);
    expect(draft.window).toEqual({ start: '2026-12-04T11:00', end: '2026-12-04T14:00' });
  });

  it('offers 10 percent on push to every truck', () => {
    const draft = emptyDraft(NOW);
    expect(toDefinition(draft).benefit).toEqual({ kind: 'percent', value: 10 });
    expect(draft.channels).toEqual(['push']);
    expect(draft.allTrucks).toBe(true);
  });
});

describe('toLocalInput', () => {
  it('formats browser-local minutes with zero padding', () => {
    expect(toLocalInput(new Date(2027, 0, 5, 7, 3, 59).getTime())).toBe('2027-01-05T07:03');
  });
});

describe('newSegment', () => {
  it('shares one code at the point of sale', () => {
    expect(newSegment('point_of_sale').codeMode).toBe('shared');
  });

  it('shares one code with X followers', () => {
    expect(newSegment('twitter').codeMode).toBe('shared');
  });

  it('gives a code per person elsewhere', () => {
    expect(newSegment('facebook').codeMode).toBe('unique');
    expect(newSegment('group').codeMode).toBe('unique');
    expect(newSegment('nearby').codeMode).toBe('unique');
  });

  it('uses a new key each time', () => {
    expect(newSegment('facebook').key).not.toBe(newSegment('facebook').key);
  });
});

describe('toDefinition', () => {
  it('sends the templates of the chosen channels only', () => {
    const definition = toDefinition(lunchDraft());
    expect(definition.segments).toEqual([
      {
        source: 'facebook',
        name: 'Fans',
        codeMode: 'unique',
        templates: { push: { subject: 'Lunch', body: '{{benefit}} now' }, sms: { body: 'Hi {{firstName|there}}' } },
      },
    ]);
  });

  it('trims the name and keeps the window', () => {
    const definition = toDefinition(lunchDraft());
    expect(definition.name).toBe('Friday lunch');
    expect(definition.window).toEqual({ start: '2026-12-04T11:00', end: '2026-12-04T14:00' });
    expect(definition.truckIds).toBe('all');
    expect(definition.status).toBe('draft');
  });

  it('leaves out empty optional fields', () => {
    const definition = toDefinition(lunchDraft());
    expect(definition.goal).toBeUndefined();
    expect(definition.timeZone).toBeUndefined();
    expect(definition.sendAt).toBeUndefined();
    expect(definition.nearbyTemplates).toBeUndefined();
  });

  it('sends the shared code only in shared mode', () => {
    const draft = lunchDraft();
    draft.segments[0]!.code = ' hungry ';
    expect(toDefinition(draft).segments[0]!.code).toBeUndefined();
    draft.segments[0]!.codeMode = 'shared';
    expect(toDefinition(draft).segments[0]!.code).toBe('hungry');
  });

  it('converts an amount off to minor units of its currency', () => {
    const draft = lunchDraft();
    draft.benefit.kind = 'amount';
    draft.benefit.amount = 4.5;
    draft.benefit.currency = 'usd';
    expect(toDefinition(draft).benefit).toEqual({ kind: 'amount', value: 450, currency: 'USD' });
    draft.benefit.currency = 'JPY';
    draft.benefit.amount = 500;
    expect(toDefinition(draft).benefit).toEqual({ kind: 'amount', value: 500, currency: 'JPY' });
  });

  it('sends a free item with a minimum spend and a validity window', () => {
    const draft = lunchDraft();
    draft.benefit = {
      ...draft.benefit,
      kind: 'free_item',
      item: ' horchata ',
      minSpend: 12,
      currency: 'USD',
      limitValidity: true,
      validStart: '2026-12-04T11:30',
      validEnd: '2026-12-04T13:00',
    };
    expect(toDefinition(draft).benefit).toEqual({
      kind: 'free_item',
      item: 'horchata',
      currency: 'USD',
      minSpendMinor: 1200,
      valid: { start: '2026-12-04T11:30', end: '2026-12-04T13:00' },
    });
  });

  it('sends a goal with its revenue in minor units', () => {
    const draft = lunchDraft();
    draft.goal = { reach: 500, convert: 40, revenue: 800, currency: 'eur' };
    expect(toDefinition(draft).goal).toEqual({ reach: 500, convert: 40, revenueMinor: 80_000, currency: 'EUR' });
  });

  it('sends chosen trucks, zone and send time', () => {
    const draft = lunchDraft();
    draft.allTrucks = false;
    draft.truckIds = ['b7d4c5a0-0000-4000-8000-000000000001'];
    draft.timeZone = 'America/Chicago';
    draft.sendAt = '2026-12-04T10:45';
    const definition = toDefinition(draft);
    expect(definition.truckIds).toEqual(['b7d4c5a0-0000-4000-8000-000000000001']);
    expect(definition.timeZone).toBe('America/Chicago');
    expect(definition.sendAt).toBe('2026-12-04T10:45');
  });

  it('sends only the push template of the nearby segment', () => {
    const draft = lunchDraft();
    draft.nearby.templates.push.body = 'Code {{code}}';
    draft.nearby.templates.sms.body = 'ignored';
    expect(toDefinition(draft).nearbyTemplates).toEqual({ push: { body: 'Code {{code}}' } });
  });
});

const CAMPAIGN: Campaign = {
  id: 'c0000000-0000-4000-8000-000000000001',
  name: 'Friday lunch',
  status: 'draft',
  window: { start: '2026-12-04T11:00:00', end: '2026-12-04T14:00' },
  radiusM: 150,
  benefit: { kind: 'amount', value: 450, currency: 'USD', description: '$4.50 off', minSpendMinor: 1000 },
  truckIds: ['b7d4c5a0-0000-4000-8000-000000000001'],
  segments: [
    { id: 's-nearby', source: 'nearby', name: 'Nearby phones', codeMode: 'unique', sharedCode: null, members: 0 },
    { id: 's-pos', source: 'point_of_sale', name: 'Counter', codeMode: 'shared', sharedCode: 'HUNGRY', members: 2 },
    { id: 's-fans', source: 'facebook', name: 'Fans', codeMode: 'unique', sharedCode: null, members: 7 },
  ],
  goal: { reach: 100, convert: 10, revenueMinor: 50_000, currency: 'USD' },
  channels: ['push', 'sms'],
  timeZone: 'America/Los_Angeles',
  sendAt: '2026-12-04T10:30:00',
  createdAt: '2026-12-01T00:00:00.000Z',
  updatedAt: '2026-12-01T00:00:00.000Z',
};

const TEMPLATES: StoredTemplate[] = [
  { segmentId: 's-nearby', kind: 'push', subject: 'Nearby', body: 'Code {{code}}', updatedAt: '' },
  { segmentId: 's-fans', kind: 'sms', subject: null, body: 'Hi {{firstName|there}}', updatedAt: '' },
];

describe('fromCampaign', () => {
  it('reads a stored campaign back into the same definition', () => {
    expect(toDefinition(fromCampaign(CAMPAIGN, TEMPLATES))).toEqual({
      name: 'Friday lunch',
      truckIds: ['b7d4c5a0-0000-4000-8000-000000000001'],
      window: { start: '2026-12-04T11:00', end: '2026-12-04T14:00' },
      radiusM: 150,
      benefit: { kind: 'amount', value: 450, currency: 'USD', minSpendMinor: 1000, description: '$4.50 off' },
      status: 'draft',
      goal: { reach: 100, convert: 10, revenueMinor: 50_000, currency: 'USD' },
      channels: ['push', 'sms'],
      timeZone: 'America/Los_Angeles',
      sendAt: '2026-12-04T10:30',
      segments: [
        { source: 'point_of_sale', name: 'Counter', codeMode: 'shared', code: 'HUNGRY' },
        { source: 'facebook', name: 'Fans', codeMode: 'unique', templates: { sms: { body: 'Hi {{firstName|there}}' } } },
      ],
      nearbyTemplates: { push: { subject: 'Nearby', body: 'Code {{code}}' } },
    });
  });

  it('keeps ids and member counts', () => {
    const draft = fromCampaign(CAMPAIGN, TEMPLATES);
    expect(draft.nearby.id).toBe('s-nearby');
    expect(draft.segments.map((segment) => [segment.id, segment.members])).toEqual([
      ['s-pos', 2],
      ['s-fans', 7],
    ]);
  });

  it('shows amounts in major units', () => {
    const draft = fromCampaign(CAMPAIGN, TEMPLATES);
    expect(draft.benefit.amount).toBe(4.5);
    expect(draft.benefit.minSpend).toBe(10);
    expect(draft.goal.revenue).toBe(500);
  });
});

describe('attachSegmentIds', () => {
  it('matches saved segments by source and trimmed name', () => {
    const draft = lunchDraft();
    draft.segments[0]!.name = ' Fans ';
    draft.segments.push(newSegment('twitter', 'Followers'));
    attachSegmentIds(draft, CAMPAIGN);
    expect(draft.nearby.id).toBe('s-nearby');
    expect(draft.segments.map((segment) => [segment.id, segment.members])).toEqual([
      ['s-fans', 7],
      [null, 0],
    ]);
  });
});
