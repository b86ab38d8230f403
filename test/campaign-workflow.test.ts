/**
 * The night-before workflow end to end, on the selected back end: a campaign with the
 * four segment sources is prepared (imports on the format samples and on a list of our
 * own, and a customer who signs up at the truck before the send time), scheduled, and
 * its messages go out through stand-ins of Twilio, X, the Graph API and an SMTP server
 * on loopback. The stand-ins record what they received, so the test checks exactly
 * what was sent, and that nothing was sent twice.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { silentLogger } from '../common/logger.js';
import type { DeviceMessage, OfferPayload } from '../common/protocol.js';
import { formatValidUntil } from '../messages/valid-until.js';
import { CloudburstDevice } from '../sdk/index.js';
import { openStore } from '../store/open-store.js';
import { startCloudburst, type RunningCloudburst } from '../server/app-server.js';
import type { ChannelSettings } from '../server/sends/channel-config.js';
import { DEFAULT_RATES } from '../server/sends/channel-config.js';
import { touchMessengerWindow } from '../server/repos/contacts.js';
import { translate } from '../server/signup/i18n.js';
import { instantToLocal, localToInstant } from '../server/time-zone.js';
import { backendOptions, type BackendOptions } from './backend.js';
import { adminRequest, TEST_ADMIN_TOKEN } from './helpers.js';
import { startGraphStandIn, type GraphStandIn } from './stand-ins/graph-api.js';
import { startSmtpStandIn, type SmtpStandIn } from './stand-ins/smtp.js';
import { startTwilioStandIn, type TwilioStandIn } from './stand-ins/twilio-api.js';
import { startXStandIn, type XStandIn } from './stand-ins/x-api.js';

const ZONE = 'America/Los_Angeles';
const SAMPLES = path.resolve(import.meta.dirname, '../../shared/data/format_samples');
const TWILIO_FROM = '+14155550100';
const X_TOKEN = 'x-user-token';
const PAGE_TOKEN = 'page-token';
const APP_SECRET = 'app-secret';

/** Polls `read` until `done` holds, or fails naming what it waited for. */
async function waitFor<T>(what: string, read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: last value ${JSON.stringify(value).slice(0, 2000)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

interface Providers {
  twilio: TwilioStandIn;
  x: XStandIn;
  graph: GraphStandIn;
  smtp: SmtpStandIn;
}

function channelSettings(providers: Providers): ChannelSettings {
  return {
    twilio: { accountSid: providers.twilio.accountSid, authToken: providers.twilio.authToken, from: TWILIO_FROM, apiBaseUrl: providers.twilio.url },
    x: { accessToken: X_TOKEN, accountId: '42', apiBaseUrl: providers.x.url },
    messenger: { pageAccessToken: PAGE_TOKEN, pageId: '777', appSecret: APP_SECRET, apiBaseUrl: providers.graph.url },
    smtp: { url: providers.smtp.url, from: 'offers@taco.example' },
    // Faster than the Twilio stand-in allows, so its 429s are exercised.
    rates: { ...DEFAULT_RATES, sms: 20, x: 20, email: 20 },
    publicUrl: '',
  };
}

async function start(dataDir: string, backend: BackendOptions, channels?: ChannelSettings): Promise<RunningCloudburst> {
  return startCloudburst({
    dataDir,
    port: 0,
    host: '127.0.0.1',
    adminToken: TEST_ADMIN_TOKEN,
    logger: silentLogger(),
    sendTickMs: 50,
    ...backend,
    ...(channels ? { channels } : {}),
  });
}

async function importFile(url: string, segmentId: string, body: string | Uint8Array, query: string) {
  const response = await fetch(`${url}/v1/admin/segments/${segmentId}/imports?${query}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}` },
    body: typeof body === 'string' ? body : new Blob([new Uint8Array(body)]),
  });
  return { status: response.status, body: (await response.json()) as Record<string, any> };
}

/** A window from a minute ago for two hours, in the truck's zone. */
function currentWindow() {
  const now = Date.now();
  return { start: instantToLocal(now - 60_000, ZONE), end: instantToLocal(now + 2 * 3_600_000, ZONE) };
}

const samplesPresent = existsSync(SAMPLES);

/** A customer at the truck's window, as she fills in the point-of-sale segment's sign-up page. */
const SIGNUP = { firstName: 'Rosa', email: 'Rosa@Example.com', phone: '(415) 555-2680', consent: { sms: true, email: true } };
const SIGNUP_PHONE = '+14155552680';
const SIGNUP_EMAIL = 'rosa@example.com';

/** Posts a sign-up as the page's script does, as JSON, and returns status and parsed reply. */
async function postSignup(url: string, body: unknown) {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: response.status, body: (await response.json()) as Record<string, any> };
}

describe.skipIf(!samplesPresent)('campaign workflow with every provider (format samples from ../shared/data)', () => {
  let providers: Providers;
  let server: RunningCloudburst;
  let dataDir: string;
  let campaignId: string;
  let segments: Record<string, string>;
  let truckId: string;
  /** Send time of the scheduled messages, as an ISO instant like the sends list's `sendAt`. */
  let sendAtIso: string;
  /** End of the campaign window, which every message's `{{validUntil}}` shows. */
  let offerEnd: number;

  beforeAll(async () => {
    providers = {
      twilio: await startTwilioStandIn(),
      x: await startXStandIn({ accessToken: X_TOKEN }),
      graph: await startGraphStandIn({ pageAccessToken: PAGE_TOKEN, appSecret: APP_SECRET }),
      smtp: await startSmtpStandIn({ user: 'mailer', pass: 'secret' }),
    };
    dataDir = await mkdtemp(path.join(tmpdir(), 'cloudburst-workflow-'));
    server = await start(dataDir, await backendOptions(), channelSettings(providers));
  });

  afterAll(async () => {
    await server?.stop();
    await Promise.all(Object.values(providers ?? {}).map((provider) => provider.close()));
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  async function listSends(query = ''): Promise<Array<Record<string, any>>> {
    return (await adminRequest(server.url, 'GET', `/v1/admin/campaigns/${campaignId}/sends?limit=1000${query}`)).body.sends;
  }

  it('prepares a draft with the four segment sources', async () => {
    const truck = await adminRequest(server.url, 'POST', '/v1/admin/trucks', { name: 'Taco Cloud', lat: 37.7793, lon: -122.4193 });
    expect(truck.status).toBe(201);
    truckId = truck.body.truck.id;
    const rules = await adminRequest(server.url, 'PUT', '/v1/admin/settings/messaging', { quietHours: null, frequencyCap: { max: 3, perHours: 24 } });
    expect(rules.status).toBe(200);

    const window = currentWindow();
    offerEnd = localToInstant('window.end', window.end, ZONE);
    // An hour into the window, so a customer can still sign up at the truck before the messages go out.
    const sendAt = instantToLocal(Date.now() + 3_600_000, ZONE);
    sendAtIso = new Date(localToInstant('sendAt', sendAt, ZONE)).toISOString();
    const created = await adminRequest(server.url, 'POST', '/v1/admin/campaigns', {
      name: 'Friday lunch burst',
      status: 'draft',
      truckIds: [truck.body.truck.id],
      window,
      sendAt,
      radiusM: 200,
      benefit: { kind: 'percent', value: 20, minSpendMinor: 800, currency: 'USD' },
      goal: { reach: 500, convert: 60, revenueMinor: 90_000, currency: 'USD' },
      channels: ['push', 'sms', 'x', 'messenger', 'email'],
      segments: [
        {
          source: 'facebook',
          name: 'Page likers',
          templates: {
            sms: { body: 'Hi {{firstName|there}}! {{benefit}} at {{truck}} with {{code}} until {{validUntil}} 🌮' },
            messenger: { body: 'Hi {{firstName|there}}, {{benefit}} today: {{code}}' },
            email: { subject: '{{benefit}} at {{truck}}', body: 'Hi {{firstName|there}},\nshow {{code}} at the window. Order: {{orderLink}}' },
          },
        },
        {
          source: 'twitter',
          name: 'Followers',
          codeMode: 'shared',
          templates: { x_post: { body: 'Lunch rush at {{truck}}: {{benefit}} with {{code}}' }, x_dm: { body: 'Thanks for following! {{code}}' } },
        },
        {
          source: 'point_of_sale',
          name: 'Window sign-ups',
          codeMode: 'shared',
          code: 'WRAP-7788',
          templates: {
            sms: { body: 'Welcome {{firstName|friend}}! {{benefit}} at {{truck}} with {{code}}' },
            email: { subject: 'Your {{truck}} code: {{code}}', body: 'Hi {{firstName|there}},\nshow {{code}} at the window for {{benefit}} until {{validUntil}}.' },
          },
        },
      ],
      nearbyTemplates: { push: { subject: '{{truck}} is near', body: '{{benefit}}: {{code}}' } },
    });
    expect(created.body.error).toBeUndefined();
    expect(created.status).toBe(201);
    expect(created.body.campaign.status).toBe('draft');
    expect(created.body.fences).toBe(0);
    campaignId = created.body.campaign.id;
    segments = Object.fromEntries(created.body.campaign.segments.map((segment: { source: string; id: string }) => [segment.source, segment.id]));
    expect(Object.keys(segments).sort()).toEqual(['facebook', 'nearby', 'point_of_sale', 'twitter']);
  });

  it('imports the Meta, Square and X samples and reports every row', async () => {
    const meta = await importFile(server.url, segments.facebook!, await readFile(path.join(SAMPLES, 'meta_lead_ads_export.sample.csv')), 'format=auto&consent=email&fileName=leads.csv');
    expect(meta.status).toBe(201);
    expect(meta.body.import.summary).toMatchObject({ format: 'meta-leads', rowsRead: 3, contacts: 3, added: 3, errors: 0, warnings: 3 });
    const metaIssues = await adminRequest(server.url, 'GET', `/v1/admin/imports/${meta.body.import.id}/issues`);
    expect(metaIssues.body.issues.map((issue: { line: number; severity: string; field: string }) => [issue.line, issue.severity, issue.field])).toEqual([
      [2, 'warning', 'phone_number'],
      [3, 'warning', 'phone_number'],
      [4, 'warning', 'phone_number'],
    ]);

    const square = await importFile(server.url, segments.point_of_sale!, await readFile(path.join(SAMPLES, 'square_customers_export.sample.csv')), 'format=square');
    expect(square.body.import.summary).toMatchObject({ format: 'square', rowsRead: 2, contacts: 2, added: 2 });

    const followers = await importFile(server.url, segments.twitter!, await readFile(path.join(SAMPLES, 'twitter_archive_follower.sample.js')), 'consent=x');
    expect(followers.body.import.summary).toMatchObject({ format: 'x-followers', rowsRead: 3, contacts: 3, added: 3 });
  });

  it('imports a list with real numbers, consent columns and bad rows, keeping the good ones', async () => {
    const csv = [
      'first_name,email,phone,messenger_psid,sms_consent,messenger_consent,locale',
      'Ana,ana@example.com,(415) 555-2671,1001,yes,yes,',
      'Bo,bo@example.com,415-555-2672,1002,yes,yes,zh-CN',
      'Cy,cy@example.com,4155552673,,no,,',
      'Di,,4.15555E+09,,yes,,',
      'Ed,ANA@example.com,,,,,',
      'Fay,,,,yes,,',
      'Gus,gus@example.com,+1 415 555 2674,,yes,,',
    ].join('\r\n');
    const result = await importFile(server.url, segments.facebook!, csv, 'format=csv&fileName=list.csv&consent=email');
    expect(result.status).toBe(201);
    expect(result.body.import.summary).toMatchObject({ rowsRead: 7, contacts: 4, duplicates: 1, rowsRejected: 2, added: 4 });
    const issues = (await adminRequest(server.url, 'GET', `/v1/admin/imports/${result.body.import.id}/issues`)).body.issues as Array<Record<string, any>>;
    const onLine = (line: number) => issues.filter((issue) => issue.line === line);
    expect(onLine(5).some((issue) => issue.severity === 'error' && /scientific notation/.test(issue.reason))).toBe(true);
    expect(onLine(6).map((issue) => issue.severity)).toEqual(['duplicate']);
    expect(onLine(7).map((issue) => issue.severity)).toEqual(['error']);
    expect(issues.every((issue) => [5, 6, 7].includes(issue.line))).toBe(true);

    // Ana wrote to the page yesterday, so Messenger may answer within its 24-hour window; Bo never did.
    const members = await adminRequest(server.url, 'GET', `/v1/admin/segments/${segments.facebook}/members?limit=100`);
    const ana = members.body.members.find((member: { email?: string }) => member.email === 'ana@example.com');
    const bo = members.body.members.find((member: { email?: string }) => member.email === 'bo@example.com');
    expect(ana.consents.sms.granted).toBe(true);
    expect(bo.locale).toBe('zh-CN');
    await touchMessengerWindow(server.services.db, ana.id, Date.now() - 3_600_000);
  });

  it('rejects a sign-up to a draft', async () => {
    const page = await fetch(`${server.url}/join/${segments.point_of_sale}`);
    expect(page.status).toBe(410);
    await page.body?.cancel();

    const signup = await postSignup(`${server.url}/v1/signups/${segments.point_of_sale}`, SIGNUP);
    expect(signup.status).toBe(409);
    expect(signup.body.error).toEqual({
      code: 'conflict',
      message: `sign-up for segment ${segments.point_of_sale} is closed: campaign ${campaignId} is draft`,
      field: 'segmentId',
      value: segments.point_of_sale,
      text: translate('en', 'closedBody'),
    });
  });

  it('schedules and holds sends until send time', async () => {
    const scheduled = await adminRequest(server.url, 'POST', `/v1/admin/campaigns/${campaignId}/status`, { status: 'scheduled' });
    expect(scheduled.status).toBe(200);
    expect(server.services.engine.hasFence(`${campaignId}:${truckId}`)).toBe(true);
    await waitFor('the campaign to turn active', () => adminRequest(server.url, 'GET', `/v1/admin/campaigns/${campaignId}`), (r) => r.body.campaign.status === 'active');

    // 4 SMS, 2 Messenger messages and 7 emails to facebook, 1 post and 3 DMs to twitter, and the 2 Square customers' emails.
    const sends = await listSends();
    expect(sends).toHaveLength(19);
    expect(sends.filter((send) => send.status !== 'queued' || send.sendAt !== sendAtIso)).toEqual([]);
    expect(providers.twilio.messages).toEqual([]);
  });

  it('signs up a customer before send time', async () => {
    const page = await fetch(`${server.url}/join/${segments.point_of_sale}`);
    expect(page.status).toBe(200);
    const html = await page.text();
    const action = `/v1/signups/${segments.point_of_sale}?lang=en`;
    expect(html).toContain(`action="${action}"`);
    expect(html).toContain('name="consent.sms"');
    expect(html).toContain('name="consent.email"');

    const signup = await postSignup(`${server.url}${action}`, SIGNUP);
    expect(signup.status).toBe(200);
    expect(signup.body).toEqual({
      code: 'WRAP-7788',
      benefit: '20% off on $8.00 or more',
      validUntil: new Date(offerEnd).toISOString(),
      validUntilText: formatValidUntil(offerEnd, ZONE, 'en'),
    });

    // Her SMS and email wait for the send time with the campaign's other messages.
    const queued = (await listSends('&status=queued')).filter((send) => send.segmentId === segments.point_of_sale);
    const contactId = queued.find((send) => send.kind === 'sms')!.contactId;
    expect(queued.filter((send) => send.contactId === contactId).map((send) => [send.kind, send.sendAt]).sort()).toEqual([
      ['email', sendAtIso],
      ['sms', sendAtIso],
    ]);
    const contact = (await adminRequest(server.url, 'GET', `/v1/admin/contacts/${contactId}`)).body.contact;
    expect(contact).toMatchObject({ firstName: 'Rosa', email: SIGNUP_EMAIL, phone: SIGNUP_PHONE, locale: 'en' });
    expect(contact.consents.sms).toMatchObject({ granted: true, source: 'signup page Window sign-ups' });
    expect(contact.consents.email).toMatchObject({ granted: true, source: 'signup page Window sign-ups' });
  });

  it('sends every message once at send time', async () => {
    providers.twilio.setRule({ kind: 'rate-limit', perSecond: 1, retryAfterSeconds: 1 });
    providers.twilio.setRule({ kind: 'invalid-number', to: '+14155552674' });
    // The server reads the wall clock, so the test moves the send time to now rather than wait an hour.
    await server.services.db.query(`UPDATE send_jobs SET next_attempt_at = now() WHERE campaign_id = $1 AND status = 'queued'`, [campaignId]);

    const summary = await waitFor(
      'every send to finish',
      () => adminRequest(server.url, 'GET', `/v1/admin/campaigns/${campaignId}/summary`),
      (r) => !r.body.sends.queued && !r.body.sends.sending,
      60_000,
    );
    const all = await listSends();
    const find = (kind: string, recipient: string) => all.find((send) => send.kind === kind && send.recipient === recipient);
    const codeOf = (kind: string, recipient: string) => find(kind, recipient)!.code as string;
    const validUntil = (locale: string) => formatValidUntil(offerEnd, ZONE, locale);

    // SMS go to Ana and Bo (consented facebook contacts) and to Rosa (signed up), and to no one else.
    // Cy refused SMS, and Gus's number is invalid at Twilio.
    const sms = providers.twilio.messages.map((message) => message.form);
    expect(sms.map((form) => form.To).sort()).toEqual(['+14155552671', '+14155552672', SIGNUP_PHONE]);
    expect(new Set(sms.map((form) => form.To)).size).toBe(sms.length);
    const smsBody = (to: string) => sms.find((form) => form.To === to)!.Body;
    // Ana has no locale on record, so she reads the default en-US. Bo's list row gave zh-CN.
    expect(smsBody('+14155552671')).toBe(`Hi Ana! 20% off on $8.00 or more at Taco Cloud with ${codeOf('sms', '+14155552671')} until ${validUntil('en-US')} 🌮`);
    expect(smsBody('+14155552672')).toBe(`Hi Bo! 20% off on $8.00 or more at Taco Cloud with ${codeOf('sms', '+14155552672')} until ${validUntil('zh-CN')} 🌮`);
    expect(validUntil('zh-CN')).not.toBe(validUntil('en-US'));
    expect(smsBody(SIGNUP_PHONE)).toBe('Welcome Rosa! 20% off on $8.00 or more at Taco Cloud with WRAP-7788');
    for (const form of sms) {
      expect(form.From).toBe(TWILIO_FROM);
      expect(form.StatusCallback).toBe(`${server.url}/v1/webhooks/twilio/status`);
    }
    expect(providers.twilio.requests.some((request) => request.status === 429)).toBe(true);
    expect(find('sms', '+14155552673')).toMatchObject({ status: 'skipped' });
    expect(find('sms', '+14155552673')!.reason).toMatch(/opted out of sms/);
    expect(find('sms', '+14155552674')).toMatchObject({ status: 'parked' });
    expect(find('sms', '+14155552674')!.reason).toMatch(/21211/);

    // Unique codes: each facebook SMS carries its own.
    const smsCodes = [codeOf('sms', '+14155552671'), codeOf('sms', '+14155552672')];
    for (const code of smsCodes) expect(code).toMatch(/^[2-9A-HJKMNP-Z]{8}$/);
    expect(new Set(smsCodes).size).toBe(2);

    // X: one post with the shared code, a DM to each follower.
    const posts = providers.x.requests.filter((request) => request.path === '/2/tweets');
    expect(posts).toHaveLength(1);
    const followersCode = summary.body.segments.find((segment: { source: string }) => segment.source === 'twitter').sharedCode;
    expect(posts[0]!.body).toEqual({ text: `Lunch rush at Taco Cloud: 20% off on $8.00 or more with ${followersCode}` });
    const dms = providers.x.requests.filter((request) => request.path.startsWith('/2/dm_conversations/with/'));
    expect(dms.map((request) => [request.path, request.body]).sort()).toEqual([
      ['/2/dm_conversations/with/1111111111111111111/messages', { text: `Thanks for following! ${followersCode}` }],
      ['/2/dm_conversations/with/2222222222222222222/messages', { text: `Thanks for following! ${followersCode}` }],
      ['/2/dm_conversations/with/3333333333333333333/messages', { text: `Thanks for following! ${followersCode}` }],
    ]);

    // Messenger: Ana inside her window; Bo parked, the page may not write first.
    const messenger = providers.graph.requests.filter((request) => request.path.endsWith('/me/messages'));
    expect(messenger).toHaveLength(1);
    expect(messenger[0]!.body).toEqual({
      recipient: { id: '1001' },
      messaging_type: 'UPDATE',
      message: { text: `Hi Ana, 20% off on $8.00 or more today: ${codeOf('messenger', '1001')}` },
    });
    expect(find('messenger', '1002')).toMatchObject({ status: 'parked' });

    // Email: the consented addresses from the Meta sample, our list and the sign-up, once each.
    const mailTo = providers.smtp.messages.flatMap((mail) => mail.envelope.rcptTo).sort();
    expect(mailTo).toEqual(
      [
        'ana@example.com',
        'bo@example.com',
        'cy@example.com',
        'gus@example.com',
        SIGNUP_EMAIL,
        'test.person.one@example.com',
        'test.person.three@example.com',
        'test.person.two@example.com',
      ].sort(),
    );
    // The Square sample's customers gave an email address but no subscription status.
    const unsent = all.filter((send) => send.kind === 'email' && send.status !== 'sent').map((send) => [send.recipient, send.status, send.reason]);
    expect(unsent.sort()).toEqual([
      ['test.customer.one@example.com', 'skipped', 'no consent on record for email'],
      ['test.customer.two@example.com', 'skipped', 'no consent on record for email'],
    ]);

    const rosaMail = providers.smtp.messages.find((mail) => mail.envelope.rcptTo.includes(SIGNUP_EMAIL))!;
    expect(rosaMail.headers.subject).toBe('Your Taco Cloud code: WRAP-7788');
    const rosaUnsubscribe = /^<(.+)>$/.exec(rosaMail.headers['list-unsubscribe']!)![1]!;
    expect(rosaUnsubscribe.startsWith(`${server.url}/unsubscribe/`)).toBe(true);
    // SMTP carries text with CRLF line ends.
    expect(rosaMail.text!.replaceAll('\r\n', '\n')).toBe(
      `Hi Rosa,\nshow WRAP-7788 at the window for 20% off on $8.00 or more until ${validUntil('en')}.\n\n--\nUnsubscribe: ${rosaUnsubscribe}`,
    );
    // The sign-up's SMS and email are the point-of-sale segment's only messages that went out.
    const signupSends = all.filter((send) => send.segmentId === segments.point_of_sale && send.status === 'sent');
    expect(signupSends.map((send) => [send.kind, send.recipient, send.code]).sort()).toEqual([
      ['email', SIGNUP_EMAIL, 'WRAP-7788'],
      ['sms', SIGNUP_PHONE, 'WRAP-7788'],
    ]);

    const anaMail = providers.smtp.messages.find((mail) => mail.envelope.rcptTo.includes('ana@example.com'))!;
    expect(anaMail.headers.subject).toBe('20% off on $8.00 or more at Taco Cloud');
    expect(anaMail.headers['list-unsubscribe-post']).toBe('List-Unsubscribe=One-Click');
    const unsubscribe = /^<(.+)>$/.exec(anaMail.headers['list-unsubscribe']!)![1]!;
    expect(unsubscribe.startsWith(`${server.url}/unsubscribe/`)).toBe(true);
    expect(anaMail.text).toContain(`Unsubscribe: ${unsubscribe}`);
    // A scanner's GET changes nothing; the one-click POST unsubscribes; a forged link does nothing.
    expect((await fetch(unsubscribe)).status).toBe(200);
    const forged = unsubscribe.replace(/\/[^/]+$/, '/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA');
    expect((await fetch(forged, { method: 'POST' })).status).toBe(404);
    expect((await fetch(unsubscribe, { method: 'POST', body: 'List-Unsubscribe=One-Click' })).status).toBe(200);
    const anaId = all.find((send) => send.recipient === 'ana@example.com')!.contactId;
    const ana = await adminRequest(server.url, 'GET', `/v1/admin/contacts/${anaId}`);
    expect(ana.body.contact.consents.email).toMatchObject({ granted: false, source: 'email unsubscribe link' });
    expect(ana.body.consentHistory.filter((event: { channel: string }) => event.channel === 'email').map((event: { granted: boolean }) => event.granted)).toEqual([true, false]);

    expect(summary.body.reached).toBe(all.filter((send) => ['sent', 'delivered'].includes(send.status) && send.contactId).reduce((set, send) => set.add(send.contactId), new Set()).size);
    expect(server.services.scheduler.stats.sent).toBe(all.filter((send) => send.status === 'sent').length);
  });

  it('takes a STOP and records delivery reports from Twilio', async () => {
    const stop = await providers.twilio.sendInbound(`${server.url}/v1/webhooks/twilio/inbound`, '+14155552672', TWILIO_FROM, 'STOP');
    expect(stop.status).toBe(200);
    const members = await adminRequest(server.url, 'GET', `/v1/admin/segments/${segments.facebook}/members?limit=100`);
    const bo = members.body.members.find((member: { email?: string }) => member.email === 'bo@example.com');
    expect(bo.consents.sms).toMatchObject({ granted: false });

    const sid = providers.twilio.messages.find((message) => message.form.To === '+14155552671')!.sid;
    expect((await providers.twilio.sendStatusCallback(sid, 'delivered')).status).toBe(200);
    const sends = await listSends('&status=delivered');
    expect(sends.map((send) => send.recipient)).toEqual(['+14155552671']);
  });

  it('redeems an SMS code once and counts the conversion', async () => {
    const anaSms = (await listSends()).find((send) => send.kind === 'sms' && send.recipient === '+14155552671')!;
    const attempts = await Promise.all(
      Array.from({ length: 20 }, () => adminRequest(server.url, 'POST', '/v1/admin/codes/redeem', { code: anaSms.code, customer: { phone: anaSms.recipient } })),
    );
    expect(attempts.filter((attempt) => attempt.status === 200)).toHaveLength(1);
    expect(attempts.filter((attempt) => attempt.status === 409)).toHaveLength(19);
    const summary = await adminRequest(server.url, 'GET', `/v1/admin/campaigns/${campaignId}/summary`);
    expect(summary.body.converted).toBe(1);
  });

  it("pushes the nearby segment's own message with a phone's code", async () => {
    const { token } = await CloudburstDevice.register(server.url);
    const device = new CloudburstDevice({ url: server.url, token, WebSocket, flushIntervalMs: 10 });
    const offers: OfferPayload[] = [];
    device.on('offer', (offer) => offers.push(offer));
    device.connect();
    try {
      device.sendPing({ lat: 37.7793, lon: -122.4193, accuracy: 5, ts: Date.now() });
      await expect.poll(() => offers.length, { timeout: 20_000 }).toBe(1);
      expect(offers[0]!.message).toEqual({ title: 'Taco Cloud is near', body: `20% off on $8.00 or more: ${offers[0]!.code}` });
    } finally {
      device.close();
    }
  });

  it('ends the campaign: fences leave the engine', async () => {
    const ended = await adminRequest(server.url, 'POST', `/v1/admin/campaigns/${campaignId}/status`, { status: 'ended' });
    expect(ended.body.campaign.status).toBe('ended');
    expect(server.services.engine.hasFence(`${campaignId}:${truckId}`)).toBe(false);
    const again = await adminRequest(server.url, 'POST', `/v1/admin/campaigns/${campaignId}/status`, { status: 'scheduled' });
    expect(again.status).toBe(409);
    expect(again.body.error.message).toMatch(/ended is final/);
  });
});

describe('sends survive a restart and are never sent twice', () => {
  let twilio: TwilioStandIn;
  let dataDir: string;
  let backend: BackendOptions;

  beforeAll(async () => {
    twilio = await startTwilioStandIn();
    dataDir = await mkdtemp(path.join(tmpdir(), 'cloudburst-restart-'));
    backend = await backendOptions();
  });

  afterAll(async () => {
    await twilio?.close();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('sends the queued jobs after a restart, parks the one caught mid-send, and sends nothing twice', async () => {
    const settings: ChannelSettings = {
      twilio: { accountSid: twilio.accountSid, authToken: twilio.authToken, from: TWILIO_FROM, apiBaseUrl: twilio.url },
      rates: { ...DEFAULT_RATES, sms: 50 },
      publicUrl: '',
    };
    let server = await start(dataDir, backend, settings);
    // The default quiet hours would hold these sends whenever CI runs in San Francisco's evening.
    await adminRequest(server.url, 'PUT', '/v1/admin/settings/messaging', { quietHours: null, frequencyCap: null });
    const truck = await adminRequest(server.url, 'POST', '/v1/admin/trucks', { name: 'Curry Up', lat: 37.78, lon: -122.41 });
    const now = Date.now();
    const created = await adminRequest(server.url, 'POST', '/v1/admin/campaigns', {
      name: 'Restart burst',
      status: 'draft',
      truckIds: [truck.body.truck.id],
      window: currentWindow(),
      // The sends fall due a few seconds after scheduling, after the restart below.
      sendAt: instantToLocal(now + 60_000, ZONE),
      radiusM: 150,
      benefit: { kind: 'free_item', item: 'lassi' },
      channels: ['sms'],
      segments: [{ source: 'facebook', name: 'Likers', templates: { sms: { body: '{{benefit}} with {{code}}' } } }],
    });
    const segmentId = created.body.campaign.segments.find((segment: { source: string }) => segment.source === 'facebook').id;
    const rows = ['phone,sms_consent', ...Array.from({ length: 6 }, (_, i) => `+1415555268${i},yes`)].join('\n');
    expect((await importFile(server.url, segmentId, rows, 'format=csv')).status).toBe(201);
    const campaignId = created.body.campaign.id;
    expect((await adminRequest(server.url, 'POST', `/v1/admin/campaigns/${campaignId}/status`, { status: 'scheduled' })).status).toBe(200);
    const queued = (await adminRequest(server.url, 'GET', `/v1/admin/campaigns/${campaignId}/sends?status=queued`)).body.sends;
    expect(queued).toHaveLength(6);
    await server.stop();

    // A process that died mid-send left this job claimed and cleared to send: its outcome is unknown.
    const store = await openStore({ databaseUrl: backend.databaseUrl, dataDir: path.join(dataDir, 'pglite'), logger: silentLogger() });
    await store.query(`UPDATE send_jobs SET status = 'sending', attempts = 1, cleared_at = now(), lease_until = now() - interval '1 second' WHERE id = $1`, [queued[0].id]);
    // This one it had claimed but not yet cleared, so no provider saw it.
    await store.query(`UPDATE send_jobs SET status = 'sending', attempts = 1, lease_until = now() - interval '1 second' WHERE id = $1`, [queued[1].id]);
    await store.query(`UPDATE send_jobs SET next_attempt_at = now() WHERE campaign_id = $1 AND status = 'queued'`, [campaignId]);
    await store.close();
    server = await start(dataDir, backend, settings);

    const sends = await waitFor(
      'the five sendable messages after the restart',
      async () => (await adminRequest(server.url, 'GET', `/v1/admin/campaigns/${campaignId}/sends`)).body.sends as Array<Record<string, any>>,
      (list) => list.every((send) => send.status !== 'queued' && send.status !== 'sending'),
    );
    expect(sends.filter((send) => send.status === 'sent')).toHaveLength(5);
    const parked = sends.find((send) => send.id === queued[0].id)!;
    expect(parked.status).toBe('parked');
    expect(parked.reason).toMatch(/outcome unknown/);
    const parkedContact = await adminRequest(server.url, 'GET', `/v1/admin/contacts/${parked.contactId}`);
    expect(parked.recipient).toBe(parkedContact.body.contact.phone);
    expect(sends.find((send) => send.id === queued[1].id)!.status).toBe('sent');
    expect(twilio.messages).toHaveLength(5);
    expect(new Set(twilio.messages.map((message) => message.form.To)).size).toBe(5);
    expect(twilio.messages.every((message) => /^free lassi with [2-9A-Z]{8}$/.test(message.form.Body!))).toBe(true);
    await server.stop();
  });
});

describe('embedded defaults without providers', () => {
  let server: RunningCloudburst;
  let dataDir: string;

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'cloudburst-outbox-'));
    server = await start(dataDir, await backendOptions());
  });

  afterAll(async () => {
    await server?.stop();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('writes every channel to the outbox the console shows', async () => {
    const truck = await adminRequest(server.url, 'POST', '/v1/admin/trucks', { name: 'Bao Down', lat: 37.77, lon: -122.42 });
    await adminRequest(server.url, 'PUT', '/v1/admin/settings/messaging', { quietHours: null, frequencyCap: null });
    const created = await adminRequest(server.url, 'POST', '/v1/admin/campaigns', {
      name: 'Outbox burst',
      status: 'draft',
      truckIds: [truck.body.truck.id],
      window: currentWindow(),
      radiusM: 150,
      benefit: { kind: 'amount', value: 300, currency: 'USD' },
      channels: ['sms', 'email', 'x'],
      segments: [
        {
          source: 'point_of_sale',
          name: '窗口登记',
          templates: { sms: { body: '{{firstName|朋友}}，{{benefit}}：{{code}}' }, email: { subject: '{{benefit}}', body: 'Code {{code}}' }, x_post: { body: '{{benefit}} today' } },
        },
        // Ming is in this segment too, and gets one SMS from the campaign, not two.
        { source: 'facebook', name: 'Likers', templates: { sms: { body: 'Again: {{code}}' } } },
      ],
    });
    const segmentId = created.body.campaign.segments.find((segment: { source: string }) => segment.source === 'point_of_sale').id;
    const likersId = created.body.campaign.segments.find((segment: { source: string }) => segment.source === 'facebook').id;
    const list = JSON.stringify([{ firstName: '小明', phone: '+8613800138000', email: 'ming@example.cn', smsConsent: true, emailConsent: true }]);
    expect((await importFile(server.url, segmentId, list, 'format=json&defaultCountry=CN')).status).toBe(201);
    expect((await importFile(server.url, likersId, list, 'format=json&defaultCountry=CN')).status).toBe(201);
    expect((await adminRequest(server.url, 'POST', `/v1/admin/campaigns/${created.body.campaign.id}/status`, { status: 'scheduled' })).status).toBe(200);

    const outbox = await waitFor(
      'three outbox messages',
      async () => (await adminRequest(server.url, 'GET', `/v1/admin/outbox?campaignId=${created.body.campaign.id}`)).body.messages as Array<Record<string, any>>,
      (messages) => messages.length === 3,
    );
    const byChannel = Object.fromEntries(outbox.map((message) => [message.channel, message]));
    const campaign = (await adminRequest(server.url, 'GET', `/v1/admin/campaigns/${created.body.campaign.id}`)).body.campaign;
    const code = campaign.segments.find((segment: { source: string }) => segment.source === 'point_of_sale').sharedCode;
    // Whichever segment's SMS goes first is the one Ming gets.
    expect(byChannel.sms!.recipient).toBe('+8613800138000');
    expect(byChannel.sms!.body).toMatch(new RegExp(`^(小明，\\$3\\.00 off：${code}|Again: [2-9A-HJKMNP-Z]{8})$`));
    expect(byChannel.email).toMatchObject({ recipient: 'ming@example.cn', subject: '$3.00 off' });
    expect(byChannel.email!.body).toMatch(new RegExp(`^Code ${code}\n\n--\nUnsubscribe: ${server.url}/unsubscribe/[0-9a-f-]{36}/[A-Za-z0-9_-]{32}$`));
    expect(byChannel['x:post']).toMatchObject({ recipient: '', body: '$3.00 off today' });

    const sends = await waitFor(
      'the second SMS to be decided',
      async () => (await adminRequest(server.url, 'GET', `/v1/admin/campaigns/${created.body.campaign.id}/sends`)).body.sends as Array<Record<string, any>>,
      (list) => list.every((send) => send.status !== 'queued' && send.status !== 'sending'),
    );
    const sms = sends.filter((send) => send.kind === 'sms');
    expect(sms.map((send) => send.status).sort()).toEqual(['sent', 'skipped']);
    expect(sms.find((send) => send.status === 'skipped')!.reason).toMatch(/^already sent this campaign's sms to this contact/);
  });
});

describe('a sign-up at the truck before the send time', () => {
  let server: RunningCloudburst;
  let dataDir: string;

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'cloudburst-signup-push-'));
    server = await start(dataDir, await backendOptions());
  });

  afterAll(async () => {
    await server?.stop();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it("gets the campaign's push on the phone that signed up, and its SMS", async () => {
    const truck = await adminRequest(server.url, 'POST', '/v1/admin/trucks', { name: 'Wok On', lat: 37.76, lon: -122.43 });
    await adminRequest(server.url, 'PUT', '/v1/admin/settings/messaging', { quietHours: null, frequencyCap: null });
    const created = await adminRequest(server.url, 'POST', '/v1/admin/campaigns', {
      name: 'Sign-up push',
      status: 'draft',
      truckIds: [truck.body.truck.id],
      window: currentWindow(),
      // Far enough ahead that the sign-up below always comes first, however slow the machine.
      sendAt: instantToLocal(Date.now() + 3_600_000, ZONE),
      radiusM: 150,
      benefit: { kind: 'free_item', item: 'spring roll' },
      channels: ['push', 'sms'],
      segments: [
        {
          source: 'point_of_sale',
          name: 'Window',
          codeMode: 'shared',
          templates: { push: { subject: '{{truck}}', body: '{{benefit}}: {{code}}' }, sms: { body: '{{benefit}}: {{code}}' } },
        },
      ],
    });
    const campaignId = created.body.campaign.id;
    const segmentId = created.body.campaign.segments.find((segment: { source: string }) => segment.source === 'point_of_sale').id;
    expect((await adminRequest(server.url, 'POST', `/v1/admin/campaigns/${campaignId}/status`, { status: 'scheduled' })).status).toBe(200);

    const { token } = await CloudburstDevice.register(server.url);
    const device = new CloudburstDevice({ url: server.url, token, WebSocket, flushIntervalMs: 10 });
    const messages: DeviceMessage[] = [];
    device.on('message', (message) => messages.push(message));
    device.connect();
    try {
      const signup = await fetch(`${server.url}/v1/signups/${segmentId}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ firstName: 'Lin', phone: '+14155552611', consent: { sms: true }, deviceToken: token }),
      });
      expect(signup.status).toBe(200);
      const { code } = (await signup.json()) as { code: string };
      const badToken = await fetch(`${server.url}/v1/signups/${segmentId}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ phone: '+14155552612', consent: { sms: true }, deviceToken: 'not-a-token' }),
      });
      expect(badToken.status).toBe(400);
      expect(await badToken.text()).not.toContain('not-a-token');

      // The sign-up queued the phone's push and SMS for the send time; bring it forward.
      const queued = await server.services.db.query<{ kind: string }>(`SELECT kind FROM send_jobs WHERE campaign_id = $1 AND status = 'queued' ORDER BY kind`, [campaignId]);
      expect(queued.map((job) => job.kind)).toEqual(['push', 'sms']);
      await server.services.db.query(`UPDATE send_jobs SET next_attempt_at = now() WHERE campaign_id = $1 AND status = 'queued'`, [campaignId]);

      await expect.poll(() => messages.length, { timeout: 30_000 }).toBe(1);
      expect(messages[0]).toMatchObject({ campaignId, title: 'Wok On', body: `free spring roll: ${code}` });
      const outbox = await waitFor(
        'the SMS in the outbox',
        async () => (await adminRequest(server.url, 'GET', `/v1/admin/outbox?campaignId=${campaignId}`)).body.messages as Array<Record<string, any>>,
        (list) => list.length === 1,
      );
      expect(outbox[0]).toMatchObject({ channel: 'sms', recipient: '+14155552611', body: `free spring roll: ${code}` });
    } finally {
      device.close();
    }
  });
});
