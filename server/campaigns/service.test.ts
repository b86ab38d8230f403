import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CloudburstError } from '../../common/errors.js';
import type { Db } from '../../store/types.js';
import { TEST_STORES, type TestStore } from '../../test/stores.js';
import { upsertContacts } from '../repos/contacts.js';
import { listFencesOfCampaign } from '../repos/fences.js';
import { addSegmentMembers } from '../repos/segments.js';
import { upsertTruck } from '../repos/trucks.js';
import { advanceCampaignClock, createCampaign, transitionCampaign, updateCampaign } from './service.js';

const NOW = Date.parse('2026-12-05T18:00:00.000Z'); // 10:00 in Los Angeles

async function rejection(promise: Promise<unknown>): Promise<CloudburstError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof CloudburstError) return error;
    throw error;
  }
  throw new Error('expected a CloudburstError');
}

for (const [storeName, open] of TEST_STORES) {
  describe(`campaign lifecycle on ${storeName}`, () => {
    let store: TestStore;
    let db: Db;
    let truckId: string;

    beforeAll(async () => {
      store = await open();
      db = store.db;
      truckId = (await upsertTruck(db, { name: 'Taco Uno', lat: 37.7749, lon: -122.4194, timeZone: 'America/Los_Angeles' })).truck.id;
    });

    afterAll(async () => {
      await store?.dispose();
    });

    function definition(overrides: Record<string, unknown> = {}) {
      return {
        name: 'Lunch burst',
        status: 'draft',
        truckIds: [truckId],
        window: { start: '2026-12-05T11:00', end: '2026-12-05T13:00' },
        radiusM: 200,
        benefit: { kind: 'percent', value: 15 },
        channels: ['sms'],
        segments: [{ source: 'facebook', name: 'Likers', templates: { sms: { body: '{{benefit}}: {{code}}' } } }],
        ...overrides,
      };
    }

    async function jobStatuses(campaignId: string): Promise<string[]> {
      const rows = await db.query<{ status: string }>(`SELECT status FROM send_jobs WHERE campaign_id = $1 ORDER BY status`, [campaignId]);
      return rows.map((row) => row.status);
    }

    it('keeps a draft off the engine, schedules it, and takes it back', async () => {
      const { campaign, fences } = await createCampaign(db, definition(), NOW);
      expect(campaign.status).toBe('draft');
      expect(fences).toEqual([]);
      const likers = campaign.segments.find((segment) => segment.source === 'facebook')!;
      const ids = await upsertContacts(db, [{ phone: '+14155552671' }, { phone: '+14155552672' }]);
      await addSegmentMembers(db, likers.id, ids);

      const edited = await updateCampaign(db, campaign.id, definition({ radiusM: 300 }));
      expect(edited.radiusM).toBe(300);
      expect(edited.segments.find((segment) => segment.source === 'facebook')).toMatchObject({ id: likers.id, members: 2 });

      const scheduled = await transitionCampaign(db, campaign.id, 'scheduled', NOW);
      expect(scheduled.campaign.status).toBe('scheduled');
      expect(scheduled.fences.map((fence) => fence.radiusM)).toEqual([300]);
      expect(await jobStatuses(campaign.id)).toEqual(['queued', 'queued']);

      const locked = await rejection(updateCampaign(db, campaign.id, definition()));
      expect(locked.code).toBe('conflict');
      expect(locked.message).toMatch(/only a draft can be edited/);

      const back = await transitionCampaign(db, campaign.id, 'draft', NOW);
      expect(back.removedFenceIds).toEqual([`${campaign.id}:${truckId}`]);
      expect(await listFencesOfCampaign(db, campaign.id)).toEqual([]);
      expect(await jobStatuses(campaign.id)).toEqual(['cancelled', 'cancelled']);

      await transitionCampaign(db, campaign.id, 'scheduled', NOW);
      expect(await jobStatuses(campaign.id)).toEqual(['queued', 'queued']);
    });

    it('allows only the documented moves', async () => {
      const { campaign } = await createCampaign(db, definition({ name: 'Moves' }), NOW);
      await transitionCampaign(db, campaign.id, 'active', NOW);
      const backwards = await rejection(transitionCampaign(db, campaign.id, 'draft', NOW));
      expect(backwards.message).toBe(`campaign ${campaign.id} cannot go from active to draft: from active a campaign can become ended`);
      await transitionCampaign(db, campaign.id, 'ended', NOW);
      const final = await rejection(transitionCampaign(db, campaign.id, 'scheduled', NOW));
      expect(final.message).toMatch(/ended is final/);
    });

    it('refuses to schedule a window that has passed', async () => {
      const { campaign } = await createCampaign(db, definition({ name: 'Late', window: { start: '2026-12-05T08:00', end: '2026-12-05T09:30' } }), NOW);
      const error = await rejection(transitionCampaign(db, campaign.id, 'scheduled', NOW));
      expect(error).toMatchObject({ code: 'conflict', field: 'window.end' });
    });

    it('moves scheduled campaigns to active and then to ended on the clock', async () => {
      const { campaign } = await createCampaign(db, definition({ name: 'Clock', window: { start: '2026-12-05T10:30', end: '2026-12-05T11:00' } }), NOW);
      await transitionCampaign(db, campaign.id, 'scheduled', NOW);
      const mine = (changes: Awaited<ReturnType<typeof advanceCampaignClock>>) => changes.filter((change) => change.campaign.id === campaign.id);

      expect(mine(await advanceCampaignClock(db, NOW))).toEqual([]);
      const opened = mine(await advanceCampaignClock(db, Date.parse('2026-12-05T18:30:00.000Z')));
      expect(opened.map((change) => change.campaign.status)).toEqual(['active']);
      const closed = mine(await advanceCampaignClock(db, Date.parse('2026-12-05T19:00:00.000Z')));
      expect(closed.map((change) => [change.campaign.status, change.removedFenceIds.length])).toEqual([['ended', 1]]);
    });

    it('reads windows across daylight-saving changes as a calendar does', async () => {
      // 01:00-02:00 happens twice on 1 November: 00:30 to 03:00 lasts three and a half hours.
      const autumn = await createCampaign(db, definition({ name: 'Fall back', status: 'active', window: { start: '2026-11-01T00:30', end: '2026-11-01T03:00' } }), NOW);
      expect(autumn.fences.map((fence) => [new Date(fence.activeFrom).toISOString(), new Date(fence.activeUntil).toISOString()])).toEqual([
        ['2026-11-01T07:30:00.000Z', '2026-11-01T11:00:00.000Z'],
      ]);
      // 02:30 does not exist on 8 March: it reads as 03:30, the clock having jumped an hour.
      const spring = await createCampaign(db, definition({ name: 'Spring forward', status: 'active', window: { start: '2026-03-08T02:30', end: '2026-03-08T05:00' } }), NOW);
      expect(spring.fences.map((fence) => [new Date(fence.activeFrom).toISOString(), new Date(fence.activeUntil).toISOString()])).toEqual([
        ['2026-03-08T10:30:00.000Z', '2026-03-08T12:00:00.000Z'],
      ]);
    });

    it('names the field of an invalid definition', async () => {
      const badTemplate = await rejection(
        createCampaign(db, definition({ segments: [{ source: 'facebook', name: 'Likers', templates: { sms: { body: 'Hi {{fristName}}' } } }] }), NOW),
      );
      expect(badTemplate.field).toBe('segments.0.templates.sms.body');
      expect(badTemplate.message).toMatch(/line 1, column 4/);

      const noSubject = await rejection(createCampaign(db, definition({ segments: [{ source: 'twitter', name: 'F', templates: { email: { body: 'x' } } }] }), NOW));
      expect(noSubject.field).toBe('segments.0.templates.email.subject');

      const twice = await rejection(
        createCampaign(db, definition({ segments: [{ source: 'facebook', name: 'A' }, { source: 'facebook', name: 'A' }] }), NOW),
      );
      expect(twice.field).toBe('segments.1.name');

      const goal = await rejection(createCampaign(db, definition({ goal: { reach: 10, convert: 20 } }), NOW));
      expect(goal.field).toBe('goal.convert');

      const misspelt = await rejection(createCampaign(db, definition({ sendat: '2026-12-05T11:00' }), NOW));
      expect(misspelt.message).toMatch(/sendat/);

      const afterWindow = await rejection(createCampaign(db, definition({ sendAt: '2026-12-05T13:00' }), NOW));
      expect(afterWindow.field).toBe('sendAt');

      const validity = await rejection(createCampaign(db, definition({ benefit: { kind: 'percent', value: 5, valid: { start: '2026-12-06T11:00', end: '2026-12-06T12:00' } } }), NOW));
      expect(validity.field).toBe('benefit.valid');

      const publicCode = await rejection(
        createCampaign(db, definition({ channels: ['x'], segments: [{ source: 'twitter', name: 'F', codeMode: 'unique', templates: { x_post: { body: 'Use {{code}}' } } }] }), NOW),
      );
      expect(publicCode.field).toBe('segments.0.templates.x_post.body');
      const shared = await createCampaign(
        db,
        definition({ name: 'Shared post', channels: ['x'], segments: [{ source: 'twitter', name: 'F', codeMode: 'shared', templates: { x_post: { body: 'Use {{code}}' } } }] }),
        NOW,
      );
      expect(shared.campaign.status).toBe('draft');
    });

    it('rejects a misspelt or incomplete benefit by its field', async () => {
      const misspelt = await rejection(createCampaign(db, definition({ benefit: { kind: 'percent', value: 10, minSpend: 800 } }), NOW));
      expect(misspelt.message).toMatch(/minSpend/);
      const noCurrency = await rejection(createCampaign(db, definition({ benefit: { kind: 'amount', value: 300 } }), NOW));
      expect(noCurrency.field).toBe('benefit.currency');
      const fraction = await rejection(createCampaign(db, definition({ benefit: { kind: 'amount', value: 2.5, currency: 'USD' } }), NOW));
      expect(fraction.field).toBe('benefit.value');
      const spendNoCurrency = await rejection(createCampaign(db, definition({ benefit: { kind: 'percent', value: 10, minSpendMinor: 800 } }), NOW));
      expect(spendNoCurrency.field).toBe('benefit.currency');
      const badWindow = await rejection(createCampaign(db, definition({ window: { start: '2026-12-05T11:00', end: '2026-12-05T13:00', zone: 'UTC' } }), NOW));
      expect(badWindow.message).toMatch(/zone/);
    });

    it('refuses a template over its channel limit for every recipient', async () => {
      const post = (body: string) => definition({ channels: ['x'], segments: [{ source: 'twitter', name: 'F', codeMode: 'shared', templates: { x_post: { body } } }] });
      const longPost = await rejection(createCampaign(db, post(`${'a'.repeat(300)} {{code}}`), NOW));
      expect(longPost.field).toBe('segments.0.templates.x_post.body');
      expect(longPost.message).toMatch(/over the limit of 280, whatever the recipient's values/);
      // 270 characters and a code fit; a long truck name could still push one message over, which the send reports.
      const fits = await createCampaign(db, post(`${'a'.repeat(270)} {{code}}`), NOW);
      expect(fits.campaign.status).toBe('draft');

      const longSms = await rejection(createCampaign(db, definition({ segments: [{ source: 'facebook', name: 'Likers', templates: { sms: { body: 'x'.repeat(1_600) } } }] }), NOW));
      expect(longSms.field).toBe('segments.0.templates.sms.body');
      expect(longSms.message).toMatch(/parts, over the maximum/);
      expect(longSms.message).toMatch(/septets, whatever the recipient's values$/);
      expect(String(longSms.value).length).toBeLessThan(200);

      const longTitle = await rejection(createCampaign(db, definition({ channels: ['push'], segments: [], nearbyTemplates: { push: { subject: 'T'.repeat(200), body: '{{code}}' } } }), NOW));
      expect(longTitle.field).toBe('nearbyTemplates.push.subject');
    });

    it('allows a calendar week across a daylight-saving change, and no more', async () => {
      // Clocks fall back on 1 November: this local week lasts 7 days and an hour.
      const autumn = await createCampaign(db, definition({ name: 'Fall week', window: { start: '2026-10-28T11:00', end: '2026-11-04T11:00' } }), Date.parse('2026-10-01T00:00:00Z'));
      expect(autumn.campaign.status).toBe('draft');
      // Clocks spring forward on 14 March 2027: 7 days and an hour on the wall clock is only 7 days elapsed.
      const spring = await rejection(
        createCampaign(db, definition({ name: 'Spring week', window: { start: '2027-03-10T11:00', end: '2027-03-17T12:00' } }), Date.parse('2027-03-01T00:00:00Z')),
      );
      expect(spring).toMatchObject({ field: 'window.end', value: '2027-03-17T12:00' });
      expect(spring.message).toMatch(/at most 7 days/);
    });

    it('keeps chosen codes unique across segments and campaigns', async () => {
      const segment = (name: string, code: string) => ({ source: 'point_of_sale', name, codeMode: 'shared', code });
      const same = await rejection(createCampaign(db, definition({ segments: [segment('A', 'WRAP-2345'), segment('B', 'wrap-2345')] }), NOW));
      expect(same).toMatchObject({ field: 'segments.1.code' });
      expect(same.message).toMatch(/segments\.0 has it/);

      const first = await createCampaign(db, definition({ name: 'Owner', segments: [segment('A', 'BAK-2345')] }), NOW);
      await transitionCampaign(db, first.campaign.id, 'scheduled', NOW);
      const taken = await rejection(createCampaign(db, definition({ name: 'Thief', segments: [segment('B', 'BAK-2345')] }), NOW));
      expect(taken).toMatchObject({ code: 'conflict', field: 'segments.0.code' });
      // The owner may keep its own code when its draft is edited.
      await transitionCampaign(db, first.campaign.id, 'draft', NOW);
      await expect(updateCampaign(db, first.campaign.id, definition({ name: 'Owner', segments: [segment('A', 'BAK-2345')] }))).resolves.toBeDefined();
    });

    it('replaces the templates on an edit: a template left out is removed', async () => {
      const { campaign } = await createCampaign(db, definition({ name: 'Templates', channels: ['sms', 'email'] }), NOW);
      const segments = [{ source: 'facebook', name: 'Likers', templates: { email: { subject: 'Hi', body: '{{code}}' } } }];
      await updateCampaign(db, campaign.id, definition({ name: 'Templates', channels: ['sms', 'email'], segments }));
      const kinds = await db.query<{ kind: string }>(
        `SELECT t.kind FROM templates t JOIN segments s ON s.id = t.segment_id WHERE s.campaign_id = $1 ORDER BY t.kind`,
        [campaign.id],
      );
      expect(kinds.map((row) => row.kind)).toEqual(['email']);
    });
  });
}
