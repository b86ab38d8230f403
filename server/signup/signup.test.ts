import { randomUUID } from 'node:crypto';
import { Hono } from 'hono';
import QRCode from 'qrcode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../common/logger.js';
import { formatValidUntil } from '../../messages/valid-until.js';
import type { Db, Queryable } from '../../store/types.js';
import { TEST_STORES, type TestStore } from '../../test/stores.js';
import { createCampaign, transitionCampaign } from '../campaigns/service.js';
import { getCodeInfo } from '../repos/codes.js';
import { getContact, listConsentEvents, recordConsents } from '../repos/contacts.js';
import { getSegment } from '../repos/segments.js';
import { upsertTruck } from '../repos/trucks.js';
import { signupAdminRoutes, signupRoutes, type SignupRoutesOptions } from '../routes/signup.js';
import type { ServerServices } from '../services.js';
import { raceAtContactInsert } from '../../test/race-at-insert.js';

/** The clock of every sign-up: consents are recorded at this instant. */
const AT = Date.parse('2030-05-20T17:00:00.000Z');
const WINDOW = { start: '2030-06-01T11:00', end: '2030-06-01T14:00' };
/** The window's end in America/Los_Angeles (PDT, UTC-7): when the codes stop being accepted. */
const VALID_UNTIL = '2030-06-01T21:00:00.000Z';
const PUBLIC_URL = 'https://trucks.example.com';
const SOURCE = 'signup page Window sign-ups';

interface Fixture {
  campaignId: string;
  segmentId: string;
}

function postJson(app: Hono, segmentId: string, body: unknown, query = '', env?: unknown): Promise<Response> {
  return Promise.resolve(
    app.request(`/v1/signups/${segmentId}${query}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }, env),
  );
}

function postForm(app: Hono, segmentId: string, fields: Record<string, string>, query = '?lang=en', env?: unknown): Promise<Response> {
  return Promise.resolve(
    app.request(
      `/v1/signups/${segmentId}${query}`,
      { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(fields).toString() },
      env,
    ),
  );
}

for (const [storeName, open] of TEST_STORES) {
  describe(`sign-up on ${storeName}`, () => {
    let store: TestStore;
    let db: Db;
    let truckId: string;

    async function campaignWithSignups(fields: {
      name?: string;
      codeMode?: 'shared' | 'unique';
      channels?: string[];
      status?: 'active' | 'draft';
      benefit?: Record<string, unknown>;
      truckIds?: string[];
    }): Promise<Fixture> {
      const { campaign } = await createCampaign(
        db,
        {
          name: fields.name ?? 'Lunch rush',
          truckIds: fields.truckIds ?? [truckId],
          window: WINDOW,
          radiusM: 200,
          benefit: fields.benefit ?? { kind: 'percent', value: 15 },
          channels: fields.channels ?? ['push', 'sms', 'email'],
          status: fields.status ?? 'active',
          segments: [{ source: 'point_of_sale', name: 'Window sign-ups', codeMode: fields.codeMode ?? 'shared' }],
        },
        AT,
      );
      const segment = campaign.segments.find((candidate) => candidate.source === 'point_of_sale')!;
      return { campaignId: campaign.id, segmentId: segment.id };
    }

    function buildApp(options: Partial<SignupRoutesOptions> = {}, appDb: Db = db): Hono {
      const services = { db: appDb } as unknown as ServerServices;
      const settings: SignupRoutesOptions = {
        publicUrl: () => PUBLIC_URL,
        logger: silentLogger(),
        now: () => AT,
        // High enough that only the rate-limit tests reach it.
        rateLimit: { max: 1_000 },
        ...options,
      };
      const app = new Hono();
      app.route('/', signupRoutes(services, settings));
      app.route('/v1/admin', signupAdminRoutes(services, settings));
      return app;
    }

    async function contactByEmail(email: string): Promise<string> {
      const [row] = await db.query<{ id: string }>(`SELECT id FROM contacts WHERE email = $1`, [email]);
      return row!.id;
    }

    async function contactByPhone(phone: string): Promise<string> {
      const [row] = await db.query<{ id: string }>(`SELECT id FROM contacts WHERE phone_e164 = $1`, [phone]);
      return row!.id;
    }

    async function isMember(segmentId: string, contactId: string): Promise<boolean> {
      const rows = await db.query(`SELECT 1 FROM segment_members WHERE segment_id = $1 AND contact_id = $2`, [segmentId, contactId]);
      return rows.length === 1;
    }

    beforeAll(async () => {
      store = await open();
      db = store.db;
      const { truck } = await upsertTruck(db, { name: 'Taco Uno', lat: 37.7749, lon: -122.4194, timeZone: 'America/Los_Angeles' });
      truckId = truck.id;
    });

    afterAll(async () => {
      await store?.dispose();
    });

    describe('sign-up page', () => {
      let fixture: Fixture;

      beforeAll(async () => {
        fixture = await campaignWithSignups({});
      });

      it('renders the form in English', async () => {
        const response = await buildApp().request(`/join/${fixture.segmentId}`);
        const page = await response.text();

        expect(response.status).toBe(200);
        expect(response.headers.get('content-type')).toBe('text/html; charset=UTF-8');
        expect(page).toContain('<html lang="en">');
        expect(page).toContain('<h1>Taco Uno</h1>');
        expect(page).toContain('<p class="campaign">Lunch rush</p>');
        expect(page).toContain('15% off');
        expect(page).toContain(`action="/v1/signups/${fixture.segmentId}?lang=en"`);
        expect(page).toContain(`href="/join/${fixture.segmentId}?lang=zh-CN"`);
        expect(page).toContain('<input type="checkbox" name="consent.sms" value="yes">');
        expect(page).toContain('<input type="checkbox" name="consent.email" value="yes">');
        expect(page).toContain('Reply STOP at any time to stop the texts.');
        expect(page).toContain('You can unsubscribe at any time.');
        expect(page).toContain('<option value="US" selected>United States (+1)</option>');
        expect(page).not.toContain(' checked');
      });

      it('admits only its own inline style and script', async () => {
        const response = await buildApp().request(`/join/${fixture.segmentId}`);
        const page = await response.text();
        const policy = response.headers.get('content-security-policy')!;
        const nonce = /'nonce-([^']+)'/.exec(policy)![1]!;

        expect(policy).toBe(
          `default-src 'none'; style-src 'nonce-${nonce}'; script-src 'nonce-${nonce}'; connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'`,
        );
        expect(page).toContain(`<style nonce="${nonce}">`);
        expect(page).toContain(`<script nonce="${nonce}">`);
        expect(page).not.toMatch(/<(link|img|script src)/);
      });

      it('renders in Chinese from the lang parameter', async () => {
        const response = await buildApp().request(`/join/${fixture.segmentId}?lang=zh-CN`);
        const page = await response.text();

        expect(response.status).toBe(200);
        expect(response.headers.get('content-language')).toBe('zh-CN');
        expect(page).toContain('<html lang="zh-CN">');
        expect(page).toContain('<button type="submit">领取优惠码</button>');
        expect(page).toContain('随时回复 STOP 即可停止接收短信。');
        expect(page).toContain(`action="/v1/signups/${fixture.segmentId}?lang=zh-CN"`);
        expect(page).toContain(`href="/join/${fixture.segmentId}?lang=en" lang="en" hreflang="en">English</a>`);
        expect(page).toContain('<option value="CN">中国 (+86)</option>');
      });

      it('renders in Chinese from Accept-Language', async () => {
        const response = await buildApp().request(`/join/${fixture.segmentId}`, { headers: { 'accept-language': 'zh-TW,zh;q=0.9,en;q=0.5' } });

        expect(await response.text()).toContain('<html lang="zh-CN">');
      });

      it('falls back to English for other languages', async () => {
        const french = await buildApp().request(`/join/${fixture.segmentId}`, { headers: { 'accept-language': 'fr-FR, de;q=0.9' } });
        const unknownParameter = await buildApp().request(`/join/${fixture.segmentId}?lang=klingon`, { headers: { 'accept-language': 'zh-CN' } });

        expect(await french.text()).toContain('<html lang="en">');
        // An unsupported ?lang= is ignored, so the header decides.
        expect(await unknownParameter.text()).toContain('<html lang="zh-CN">');
      });

      it('escapes a hostile campaign, truck and benefit', async () => {
        const { truck } = await upsertTruck(db, { name: 'Tacos <b>"Uno"</b>', lat: 37.78, lon: -122.41, timeZone: 'America/Los_Angeles' });
        const hostile = await campaignWithSignups({
          name: '<script>alert("x")</script> & Co',
          truckIds: [truck.id],
          benefit: { kind: 'free_item', item: 'taco', description: `<img src=x onerror='alert(1)'>` },
        });

        for (const lang of ['en', 'zh-CN']) {
          const page = await (await buildApp().request(`/join/${hostile.segmentId}?lang=${lang}`)).text();

          expect(page).toContain('<p class="campaign">&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; Co</p>');
          expect(page).toContain('<h1>Tacos &lt;b&gt;&quot;Uno&quot;&lt;/b&gt;</h1>');
          expect(page).toContain('&lt;img src=x onerror=&#39;alert(1)&#39;&gt;');
          expect(page).not.toContain('<script>alert');
          expect(page).not.toContain('<img');
          expect(page).not.toContain('<b>');
        }
      });

      it('omits consent for channels the campaign does not use', async () => {
        const smsOnly = await campaignWithSignups({ channels: ['push', 'sms'] });
        const page = await (await buildApp().request(`/join/${smsOnly.segmentId}`)).text();

        expect(page).toContain('name="consent.sms"');
        expect(page).not.toContain('name="consent.email"');
      });

      it('says sign-up is closed for an ended campaign', async () => {
        const ended = await campaignWithSignups({});
        await transitionCampaign(db, ended.campaignId, 'ended', AT);

        const response = await buildApp().request(`/join/${ended.segmentId}`);
        const page = await response.text();

        expect(response.status).toBe(410);
        expect(page).toContain('<h1>Sign-up is closed</h1>');
        expect(page).not.toContain('<form');
      });

      it('says sign-up is closed for a draft', async () => {
        const draft = await campaignWithSignups({ status: 'draft' });

        const response = await buildApp().request(`/join/${draft.segmentId}?lang=zh-CN`);

        expect(response.status).toBe(410);
        expect(await response.text()).toContain('<h1>登记已结束</h1>');
      });

      it('returns 404 for an unknown or non-sign-up segment', async () => {
        const segment = await getSegment(db, fixture.segmentId);
        const [nearby] = await db.query<{ id: string }>(`SELECT id FROM segments WHERE campaign_id = $1 AND source = 'nearby'`, [segment!.campaignId]);

        for (const id of [randomUUID(), 'not-a-uuid', nearby!.id]) {
          const response = await buildApp().request(`/join/${id}`);
          expect(response.status).toBe(404);
          expect(await response.text()).toContain('<h1>Sign-up page not found</h1>');
        }
      });
    });

    describe('sign-up post', () => {
      let shared: Fixture;
      let sharedCode: string;

      beforeAll(async () => {
        shared = await campaignWithSignups({});
        sharedCode = (await getSegment(db, shared.segmentId))!.sharedCode!;
      });

      it('signs up by email only', async () => {
        const response = await postJson(buildApp(), shared.segmentId, { firstName: 'Ann', email: ' Ann@Example.COM ' });

        expect(response.status).toBe(200);
        expect(response.headers.get('cache-control')).toBe('no-store');
        expect(await response.json()).toEqual({
          code: sharedCode,
          benefit: '15% off',
          validUntil: VALID_UNTIL,
          validUntilText: 'Sat, Jun 1, 2:00 PM PDT',
        });
        const contact = (await getContact(db, await contactByEmail('ann@example.com')))!;
        expect(contact.firstName).toBe('Ann');
        expect(contact.phone).toBeUndefined();
        expect(contact.locale).toBe('en');
        expect(contact.consents).toEqual({});
        expect(await isMember(shared.segmentId, contact.id)).toBe(true);
      });

      it('signs up by phone only', async () => {
        const response = await postJson(buildApp(), shared.segmentId, { phone: '(415) 555-0101' }, '?lang=zh-CN');
        const reply = await response.json();

        expect(response.status).toBe(200);
        expect(reply.code).toBe(sharedCode);
        expect(reply.validUntilText).toBe(formatValidUntil(Date.parse(VALID_UNTIL), 'America/Los_Angeles', 'zh-CN'));
        expect(reply.validUntilText).toContain('6月1日');
        const contact = (await getContact(db, await contactByPhone('+14155550101')))!;
        expect(contact.email).toBeUndefined();
        expect(contact.locale).toBe('zh-CN');
        expect(await isMember(shared.segmentId, contact.id)).toBe(true);
      });

      it('signs up by email and phone of another country', async () => {
        const response = await postJson(buildApp(), shared.segmentId, { email: 'bo@example.com', phone: '13912345678', country: 'CN' });

        expect(response.status).toBe(200);
        const contact = (await getContact(db, await contactByEmail('bo@example.com')))!;
        expect(contact.phone).toBe('+8613912345678');
        expect(await isMember(shared.segmentId, contact.id)).toBe(true);
      });

      it('records consent per ticked channel only', async () => {
        const response = await postJson(buildApp(), shared.segmentId, { email: 'cy@example.com', phone: '(415) 555-0102', consent: { sms: true, email: false } });

        expect(response.status).toBe(200);
        const contact = (await getContact(db, await contactByEmail('cy@example.com')))!;
        expect(contact.consents).toEqual({ sms: { granted: true, at: new Date(AT).toISOString(), source: SOURCE } });
        expect(await listConsentEvents(db, contact.id)).toEqual([{ channel: 'sms', granted: true, at: new Date(AT).toISOString(), source: SOURCE }]);
      });

      it('records email consent from a form post', async () => {
        const response = await postForm(buildApp(), shared.segmentId, { email: 'di@example.com', 'consent.email': 'yes' });

        expect(response.status).toBe(200);
        const contact = (await getContact(db, await contactByEmail('di@example.com')))!;
        expect(contact.consents).toEqual({ email: { granted: true, at: new Date(AT).toISOString(), source: SOURCE } });
      });

      it('lifts an earlier STOP only by a tick', async () => {
        const app = buildApp();
        await postJson(app, shared.segmentId, { phone: '(415) 555-0103' });
        const contactId = await contactByPhone('+14155550103');
        const stopAt = AT - 60_000;
        await recordConsents(db, [{ contactId, channel: 'sms', granted: false, at: stopAt, source: 'sms STOP' }]);

        await postJson(app, shared.segmentId, { phone: '(415) 555-0103', consent: { sms: false } });
        expect((await getContact(db, contactId))!.consents.sms).toEqual({ granted: false, at: new Date(stopAt).toISOString(), source: 'sms STOP' });

        await postJson(app, shared.segmentId, { phone: '(415) 555-0103', consent: { sms: true } });
        expect((await getContact(db, contactId))!.consents.sms).toEqual({ granted: true, at: new Date(AT).toISOString(), source: SOURCE });
        expect(await listConsentEvents(db, contactId)).toEqual([
          { channel: 'sms', granted: false, at: new Date(stopAt).toISOString(), source: 'sms STOP' },
          { channel: 'sms', granted: true, at: new Date(AT).toISOString(), source: SOURCE },
        ]);
      });

      it('grants SMS to the holder of the typed number', async () => {
        const app = buildApp();
        await postJson(app, shared.segmentId, { email: 'ed@example.com', phone: '(415) 555-0104' });
        const edId = await contactByEmail('ed@example.com');

        // Ed's record keeps its first number, so the grant for the new one goes to a contact holding it.
        await postJson(app, shared.segmentId, { email: 'ed@example.com', phone: '(415) 555-0105', consent: { sms: true } });

        const ed = (await getContact(db, edId))!;
        expect(ed.phone).toBe('+14155550104');
        expect(ed.consents).toEqual({});
        const holder = (await getContact(db, await contactByPhone('+14155550105')))!;
        expect(holder.id).not.toBe(edId);
        expect(holder.consents).toEqual({ sms: { granted: true, at: new Date(AT).toISOString(), source: SOURCE } });
      });

      it('returns the same shared code on a second sign-up', async () => {
        const app = buildApp();
        const first = await (await postJson(app, shared.segmentId, { email: 'fay@example.com' })).json();
        const second = await (await postJson(app, shared.segmentId, { email: 'FAY@example.com' })).json();

        expect(first.code).toBe(sharedCode);
        expect(second.code).toBe(sharedCode);
        const info = (await getCodeInfo(db, sharedCode))!;
        expect(info.singleUse).toBe(false);
        expect(info.validUntil).toBe(VALID_UNTIL);
        const members = await db.query(`SELECT 1 FROM segment_members m JOIN contacts c ON c.id = m.contact_id WHERE m.segment_id = $1 AND c.email = 'fay@example.com'`, [
          shared.segmentId,
        ]);
        expect(members).toHaveLength(1);
      });

      it('gives each contact its own single-use code in unique mode', async () => {
        const unique = await campaignWithSignups({ codeMode: 'unique' });
        const app = buildApp();

        const gus = await (await postJson(app, unique.segmentId, { email: 'gus@example.com' })).json();
        const hal = await (await postJson(app, unique.segmentId, { email: 'hal@example.com' })).json();
        const gusAgain = await (await postJson(app, unique.segmentId, { email: 'gus@example.com', phone: '(415) 555-0106' })).json();

        expect(gus.code).not.toBe(hal.code);
        expect(gusAgain.code).toBe(gus.code);
        expect(gus.validUntil).toBe(VALID_UNTIL);
        const gusInfo = (await getCodeInfo(db, gus.code))!;
        expect(gusInfo.singleUse).toBe(true);
        expect(gusInfo.recipient.contactId).toBe(await contactByEmail('gus@example.com'));
        expect(gusInfo.segment?.id).toBe(unique.segmentId);
        const codes = await db.query(`SELECT code FROM codes WHERE segment_id = $1`, [unique.segmentId]);
        expect(codes).toHaveLength(2);
      });

      it('merges simultaneous sign-ups into one contact', async () => {
        const unique = await campaignWithSignups({ codeMode: 'unique' });
        const racing = raceAtContactInsert(db);
        const app = buildApp({}, racing.db);
        const body = { firstName: 'Uma', email: 'uma@example.com', phone: '(415) 555-0120', consent: { sms: true, email: true } };

        const replies = await Promise.all([postJson(app, unique.segmentId, body), postJson(app, unique.segmentId, { ...body, email: 'UMA@Example.com' })]);

        expect(replies.map((reply) => reply.status)).toEqual([200, 200]);
        const [first, second] = await Promise.all(replies.map((reply) => reply.json()));
        expect(second.code).toBe(first.code);
        // On PostgreSQL the loser's transaction failed on the unique index and ran again.
        expect(racing.lostRaces()).toBe(db.kind === 'postgres' ? 1 : 0);
        const contacts = await db.query<{ id: string }>(`SELECT id FROM contacts WHERE lower(email) = 'uma@example.com' OR phone_e164 = '+14155550120'`);
        expect(contacts).toHaveLength(1);
        const contact = (await getContact(db, contacts[0]!.id))!;
        expect(contact).toMatchObject({ firstName: 'Uma', email: 'uma@example.com', phone: '+14155550120' });
        expect(contact.consents).toEqual({
          sms: { granted: true, at: new Date(AT).toISOString(), source: SOURCE },
          email: { granted: true, at: new Date(AT).toISOString(), source: SOURCE },
        });
        expect(await isMember(unique.segmentId, contact.id)).toBe(true);
        expect(await db.query(`SELECT code, contact_id FROM codes WHERE segment_id = $1`, [unique.segmentId])).toEqual([{ code: first.code, contact_id: contact.id }]);
      });

      it('merges simultaneous sign-ups by phone', async () => {
        const racing = raceAtContactInsert(db);
        const app = buildApp({}, racing.db);

        const replies = await Promise.all([
          postJson(app, shared.segmentId, { phone: '(415) 555-0121' }),
          postJson(app, shared.segmentId, { phone: '+1 415 555 0121', firstName: 'Vic' }),
        ]);

        expect(replies.map((reply) => reply.status)).toEqual([200, 200]);
        for (const reply of await Promise.all(replies.map((response) => response.json()))) expect(reply.code).toBe(sharedCode);
        expect(racing.lostRaces()).toBe(db.kind === 'postgres' ? 1 : 0);
        const contacts = await db.query<{ id: string }>(`SELECT id FROM contacts WHERE phone_e164 = '+14155550121'`);
        expect(contacts).toHaveLength(1);
        expect((await getContact(db, contacts[0]!.id))?.firstName).toBe('Vic');
        expect(await isMember(shared.segmentId, contacts[0]!.id)).toBe(true);
      });

      it('shows the code on a thank-you page after a form post', async () => {
        const response = await postForm(buildApp(), shared.segmentId, { firstName: '<i>Ivy</i>', email: 'ivy@example.com', phone: '', country: 'US' });
        const page = await response.text();

        expect(response.status).toBe(200);
        expect(response.headers.get('cache-control')).toBe('no-store');
        expect(page).toContain(`<p class="code" data-slot="code">${sharedCode}</p>`);
        expect(page).toContain('<h1 data-slot="heading">Thank you, &lt;i&gt;Ivy&lt;/i&gt;!</h1>');
        expect(page).toContain('Valid until Sat, Jun 1, 2:00 PM PDT');
        expect(page).not.toContain('<form');
      });

      it('shows the thank-you page in Chinese', async () => {
        const page = await (await postForm(buildApp(), shared.segmentId, { email: 'jo@example.com' }, '?lang=zh-CN')).text();

        expect(page).toContain('<html lang="zh-CN">');
        expect(page).toContain('<h1 data-slot="heading">谢谢！</h1>');
        expect(page).toContain(`有效期至 ${formatValidUntil(Date.parse(VALID_UNTIL), 'America/Los_Angeles', 'zh-CN')}`);
      });

      describe('invalid input', () => {
        const cases: Array<{ name: string; body: Record<string, unknown>; field: string; message: string; text: string }> = [
          {
            name: 'an invalid email',
            body: { email: 'ann@@example' },
            field: 'email',
            message: 'invalid email: email address "ann@@example" is invalid: the part before @ contains a character other than letters, digits and !#$%&\'*+-/=?^_`{|}~.',
            text: 'The email address “ann@@example” is not valid.',
          },
          {
            name: 'a short phone',
            body: { phone: '555-01' },
            field: 'phone',
            message: 'invalid phone: phone number "555-01" is too short for US',
            text: 'The phone number “555-01” is not valid. For a number from another country, start with + and the country code.',
          },
          {
            name: 'a phone in scientific notation',
            body: { phone: '1.41555E+10' },
            field: 'phone',
            message:
              'invalid phone: phone number "1.41555E+10" is in scientific notation, so a spreadsheet has already dropped some of its digits. Export the column as text and import it again',
            text: 'The phone number “1.41555E+10” is not valid. For a number from another country, start with + and the country code.',
          },
          {
            name: 'neither email nor phone',
            body: { firstName: 'Kim', email: '  ' },
            field: 'email',
            message: 'invalid email: "  " (expected an email address or a phone number: give at least one)',
            text: 'Enter an email address or a phone number.',
          },
          {
            name: 'a consent flag that is not a boolean',
            body: { email: 'kim@example.com', consent: { sms: 'yes' } },
            field: 'consent.sms',
            message: 'invalid consent.sms: "yes" (expected true or false)',
            text: 'Something went wrong. Please try again.',
          },
          {
            name: 'SMS consent without a phone',
            body: { email: 'kim@example.com', consent: { sms: true } },
            field: 'consent.sms',
            message: 'invalid consent.sms: true (expected a phone number along with SMS consent)',
            text: 'To get texts, enter your phone number.',
          },
          {
            name: 'an unknown country',
            body: { phone: '4155550107', country: 'XX' },
            field: 'country',
            message: 'invalid country: "XX" (expected an upper-case ISO 3166-1 alpha-2 code with a phone numbering plan, such as "US" or "CN")',
            text: 'Choose a country from the list.',
          },
          {
            name: 'an unknown field',
            body: { email: 'kim@example.com', birthday: '1990-01-01' },
            field: '(body)',
            message: 'invalid (body): unknown field "birthday" (check its spelling and case)',
            text: 'Something went wrong. Please try again.',
          },
        ];

        for (const testCase of cases) {
          it(`rejects ${testCase.name}`, async () => {
            const response = await postJson(buildApp(), shared.segmentId, testCase.body);
            const reply = await response.json();

            expect(response.status).toBe(400);
            expect(reply.error.code).toBe('invalid_input');
            expect(reply.error.field).toBe(testCase.field);
            expect(reply.error.message).toBe(testCase.message);
            expect(reply.error.text).toBe(testCase.text);
          });
        }

        it('stores nothing for a rejected sign-up', async () => {
          await postJson(buildApp(), shared.segmentId, { email: 'lee@example.com', phone: '1.41555E+10' });

          expect(await db.query(`SELECT 1 FROM contacts WHERE email = 'lee@example.com'`)).toHaveLength(0);
        });

        it('rejects consent for a channel the campaign does not use', async () => {
          const smsOnly = await campaignWithSignups({ channels: ['push', 'sms'] });
          const reply = await (await postJson(buildApp(), smsOnly.segmentId, { email: 'max@example.com', consent: { email: true } })).json();

          expect(reply.error.field).toBe('consent.email');
          expect(reply.error.message).toBe('invalid consent.email: true (expected no email consent, because this campaign does not send by email)');
        });

        it('translates the error text for a Chinese page', async () => {
          const reply = await (await postJson(buildApp(), shared.segmentId, { phone: '555-01', lang: 'zh-CN' })).json();

          expect(reply.error.field).toBe('phone');
          expect(reply.error.text).toBe('手机号码“555-01”无效。如为其他国家或地区的号码，请以 + 和国家代码开头。');
        });

        it('asks for an address on a form post without one', async () => {
          const response = await postForm(buildApp(), shared.segmentId, { firstName: 'Ola', email: '', phone: ' ' }, '?lang=zh-CN');
          const page = await response.text();

          expect(response.status).toBe(400);
          expect(page).toContain('<p id="signup-error" class="error" role="alert">请填写电子邮件地址或手机号码。</p>');
          expect(page).toContain('value="Ola"');
        });

        it('rejects an unreadable form body', async () => {
          const response = await buildApp().request(`/v1/signups/${shared.segmentId}`, {
            method: 'POST',
            headers: { 'content-type': 'multipart/form-data; boundary=edge' },
            body: 'not multipart at all',
          });

          expect(response.status).toBe(400);
          expect((await response.json()).error.field).toBe('(body)');
        });

        it('rejects a body over 16 KiB', async () => {
          const response = await postJson(buildApp(), shared.segmentId, { email: 'big@example.com', firstName: 'x'.repeat(20_000) });

          expect(response.status).toBe(413);
          expect((await response.json()).error.message).toBe('sign-up body exceeds 16384 bytes');
        });

        it('shows the form again after an invalid form post', async () => {
          const response = await postForm(buildApp(), shared.segmentId, { firstName: 'Ned', email: '"><script>x</script>', 'consent.email': 'yes' });
          const page = await response.text();

          expect(response.status).toBe(400);
          expect(page).toContain('<p id="signup-error" class="error" role="alert">The email address “&quot;&gt;&lt;script&gt;x&lt;/script&gt;” is not valid.</p>');
          expect(page).toContain('value="&quot;&gt;&lt;script&gt;x&lt;/script&gt;" aria-invalid="true">');
          expect(page).toContain('value="Ned"');
          expect(page).toContain('<input type="checkbox" name="consent.email" value="yes" checked>');
          expect(page).not.toContain('<script>x');
        });
      });

      describe('closed or unknown segment', () => {
        it('rejects a JSON sign-up for an ended campaign', async () => {
          const ended = await campaignWithSignups({});
          await transitionCampaign(db, ended.campaignId, 'ended', AT);

          const response = await postJson(buildApp(), ended.segmentId, { email: 'olga@example.com' });
          const reply = await response.json();

          expect(response.status).toBe(409);
          expect(reply.error.code).toBe('conflict');
          expect(reply.error.message).toBe(`sign-up for segment ${ended.segmentId} is closed: campaign ${ended.campaignId} is ended`);
          expect(reply.error.text).toBe('This offer no longer takes sign-ups. Ask at the truck for the current offers.');
          expect(await db.query(`SELECT 1 FROM contacts WHERE email = 'olga@example.com'`)).toHaveLength(0);
        });

        it('shows the closed page for a form post to a draft', async () => {
          const draft = await campaignWithSignups({ status: 'draft' });

          const response = await postForm(buildApp(), draft.segmentId, { email: 'pat@example.com' });

          expect(response.status).toBe(410);
          expect(await response.text()).toContain('<h1>Sign-up is closed</h1>');
        });

        it('returns 404 for an unknown segment', async () => {
          const id = randomUUID();
          const response = await postJson(buildApp(), id, { email: 'quinn@example.com' });
          const reply = await response.json();

          expect(response.status).toBe(404);
          expect(reply.error.message).toBe(`sign-up segment ${id} not found`);
        });
      });
    });

    describe('sign-up rate limit', () => {
      let fixture: Fixture;

      beforeAll(async () => {
        fixture = await campaignWithSignups({ codeMode: 'unique' });
      });

      const fromAddress = (remoteAddress: string) => ({ incoming: { socket: { remoteAddress } } });

      it('rejects sign-ups past the limit per address', async () => {
        const app = buildApp({ rateLimit: { max: 2, windowMs: 60_000 } });

        const first = await postJson(app, fixture.segmentId, { email: 'r1@example.com' }, '', fromAddress('203.0.113.7'));
        const second = await postJson(app, fixture.segmentId, { email: 'r2@example.com' }, '', fromAddress('203.0.113.7'));
        const third = await postJson(app, fixture.segmentId, { email: 'r3@example.com' }, '', fromAddress('203.0.113.7'));
        const otherAddress = await postJson(app, fixture.segmentId, { email: 'r4@example.com' }, '', fromAddress('198.51.100.9'));

        expect(first.status).toBe(200);
        expect(second.status).toBe(200);
        expect(third.status).toBe(429);
        expect(third.headers.get('retry-after')).toBe('60');
        const reply = await third.json();
        expect(reply.error.code).toBe('unavailable');
        expect(reply.error.retriable).toBe(true);
        expect(reply.error.text).toBe('Too many sign-ups from this network. Try again in a minute.');
        expect(await db.query(`SELECT 1 FROM contacts WHERE email = 'r3@example.com'`)).toHaveLength(0);
        expect(otherAddress.status).toBe(200);
      });

      it('counts only sign-ups that pass validation', async () => {
        const app = buildApp({ rateLimit: { max: 1, windowMs: 60_000 } });

        const invalid = await postJson(app, fixture.segmentId, { email: 'nope' }, '', fromAddress('203.0.113.8'));
        const valid = await postJson(app, fixture.segmentId, { email: 's1@example.com' }, '', fromAddress('203.0.113.8'));
        const page = await postForm(app, fixture.segmentId, { email: 's2@example.com' }, '?lang=zh-CN', fromAddress('203.0.113.8'));

        expect(invalid.status).toBe(400);
        expect(valid.status).toBe(200);
        expect(page.status).toBe(429);
        expect(page.headers.get('retry-after')).toBe('60');
        expect(await page.text()).toContain('此网络的登记次数过多，请一分钟后再试。');
      });
    });

    describe('sign-up admin routes', () => {
      let fixture: Fixture;

      beforeAll(async () => {
        fixture = await campaignWithSignups({});
      });

      it('returns the QR code of the sign-up link as SVG', async () => {
        const response = await buildApp().request(`/v1/admin/segments/${fixture.segmentId}/qr.svg`);
        const svg = await response.text();
        const url = `${PUBLIC_URL}/join/${fixture.segmentId}`;

        expect(response.status).toBe(200);
        expect(response.headers.get('content-type')).toBe('image/svg+xml; charset=utf-8');
        expect(svg).toMatch(/^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"[^>]* viewBox="0 0 (\d+) \1"/);
        expect(svg).toBe(await QRCode.toString(url, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 }));
        const size = QRCode.create(url, { errorCorrectionLevel: 'M' }).modules.size;
        expect(svg).toContain(`viewBox="0 0 ${size + 4} ${size + 4}"`);
      });

      it('returns the sign-up link', async () => {
        const app = buildApp({ publicUrl: () => `${PUBLIC_URL}/` });
        const response = await app.request(`/v1/admin/segments/${fixture.segmentId.toUpperCase()}/signup-link`);

        expect(response.status).toBe(200);
        expect(await response.json()).toEqual({ url: `${PUBLIC_URL}/join/${fixture.segmentId}` });
      });

      it('rejects a segment that takes no sign-ups', async () => {
        const [nearby] = await db.query<{ id: string }>(`SELECT id FROM segments WHERE campaign_id = $1 AND source = 'nearby'`, [fixture.campaignId]);
        const response = await buildApp().request(`/v1/admin/segments/${nearby!.id}/qr.svg`);

        expect(response.status).toBe(409);
        expect((await response.json()).error.message).toBe(`segment ${nearby!.id} is a nearby segment; only point_of_sale segments take sign-ups`);
      });

      it('returns 404 for an unknown segment and 400 for a malformed id', async () => {
        const unknown = await buildApp().request(`/v1/admin/segments/${randomUUID()}/signup-link`);
        const malformed = await buildApp().request(`/v1/admin/segments/window/signup-link`);

        expect(unknown.status).toBe(404);
        expect(malformed.status).toBe(400);
        expect((await malformed.json()).error).toEqual({
          code: 'invalid_input',
          message: 'invalid segmentId: "window" (expected a UUID)',
          field: 'segmentId',
          value: 'window',
        });
      });
    });
  });
}
