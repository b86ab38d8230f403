import { randomBytes, randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { getRequestListener } from '@hono/node-server';
import { Hono } from 'hono';
import pino from 'pino';
import twilio from 'twilio';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { emptyReply, helpReply, TWIML_CONTENT_TYPE } from '../../channels/twilio-inbound.js';
import { createTwilioSms } from '../../channels/twilio-sms.js';
import { silentLogger, type Logger } from '../../common/logger.js';
import type { Db } from '../../store/types.js';
import { startTwilioStandIn, type TwilioStandIn } from '../../test/stand-ins/twilio-api.js';
import { TEST_STORES, type TestStore } from '../../test/stores.js';
import { getContact, findContactByPhone, listConsentEvents, recordConsents, upsertContacts } from '../repos/contacts.js';
import { getSendJob } from '../repos/send-jobs.js';
import { DEFAULT_RATES, type ChannelSettings } from '../sends/channel-config.js';
import { WEBHOOKS_MOUNT_PATH, webhookRoutes } from '../routes/webhooks.js';
import { SMS_START_SOURCE, SMS_STOP_SOURCE } from './inbound-sms.js';
import { deliveryReportOf } from './twilio-handlers.js';
import { raceAtContactInsert } from '../../test/race-at-insert.js';

const BRAND = 'Taco Cloud';
const OUR_NUMBER = '+14155550100';
const NOW = Date.parse('2026-12-04T19:30:00.000Z');
const IMPORT_AT = Date.parse('2026-12-01T10:00:00.000Z');

interface WebhookServer {
  url: string;
  close(): Promise<void>;
}

/** Serves the webhook router under its mount path on 127.0.0.1, and points `publicUrl` at it. */
async function startWebhookServer(db: Db, channels: ChannelSettings, logger: Logger): Promise<WebhookServer> {
  const app = new Hono().route(WEBHOOKS_MOUNT_PATH, webhookRoutes({ db, channels, logger, brand: () => BRAND, now: () => NOW }));
  const server = createServer(getRequestListener(app.fetch));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  channels.publicUrl = url;
  return {
    url,
    close: () => {
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function captureLogger(): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  const logger = pino({ level: 'debug' }, { write: (line: string) => void lines.push(line) });
  return { logger, lines };
}

async function postForm(url: string, params: Record<string, string>, signature: string | undefined, contentType = 'application/x-www-form-urlencoded') {
  const headers: Record<string, string> = { 'content-type': contentType };
  if (signature !== undefined) headers['x-twilio-signature'] = signature;
  const response = await fetch(url, { method: 'POST', headers, body: new URLSearchParams(params).toString() });
  return { status: response.status, contentType: response.headers.get('content-type'), body: await response.text() };
}

function inboundParams(from: string, body: string, messageSid = `SM${randomBytes(16).toString('hex')}`): Record<string, string> {
  return { AccountSid: `AC${'0'.repeat(32)}`, Body: body, From: from, MessageSid: messageSid, NumMedia: '0', SmsStatus: 'received', To: OUR_NUMBER };
}

let phoneSequence = 0;
/** Returns a phone number that no other test uses, so tests share one store without seeing each other's rows. */
function newPhone(): string {
  phoneSequence += 1;
  return `+1415555${String(2000 + phoneSequence).padStart(4, '0')}`;
}

describe('deliveryReportOf', () => {
  const messageSid = `SM${'a'.repeat(32)}`;

  it('maps final statuses', () => {
    expect(deliveryReportOf({ messageSid, status: 'delivered' })).toEqual({ delivered: true });
    expect(deliveryReportOf({ messageSid, status: 'undelivered', errorCode: 30005 })).toEqual({
      delivered: false,
      reason: 'undelivered (30005: unknown destination handset)',
    });
    expect(deliveryReportOf({ messageSid, status: 'failed' })).toEqual({ delivered: false, reason: 'failed (Twilio sent no error code)' });
  });

  it('skips statuses that are not final', () => {
    for (const status of ['queued', 'sending', 'sent', 'accepted', 'read'] as const) {
      expect(deliveryReportOf({ messageSid, status })).toBeUndefined();
    }
  });
});

for (const [storeName, open] of TEST_STORES) {
  describe(`Twilio webhooks on ${storeName}`, () => {
    let store: TestStore;
    let db: Db;
    let standIn: TwilioStandIn;
    let channels: ChannelSettings;
    let webhooks: WebhookServer;
    let logLines: string[];
    let inboundUrl: string;
    let statusUrl: string;

    async function inboundRow(messageSid: string) {
      return db.query<{ channel: string; sender: string; body: string; keyword: string | null; received_at: Date }>(
        `SELECT channel, sender, body, keyword, received_at FROM inbound_messages WHERE id = $1`,
        [messageSid],
      );
    }

    async function countInboundFrom(sender: string): Promise<number> {
      const [row] = await db.query<{ count: number | string }>(`SELECT count(*) AS count FROM inbound_messages WHERE sender = $1`, [sender]);
      return Number(row!.count);
    }

    /** Inserts a contact imported with SMS consent, as a campaign's segment would contain it. */
    async function importedContact(phone: string): Promise<string> {
      const [id] = await upsertContacts(db, [{ firstName: 'Ada', phone }]);
      await recordConsents(db, [{ contactId: id!, channel: 'sms', granted: true, at: IMPORT_AT, source: 'import' }]);
      return id!;
    }

    beforeAll(async () => {
      store = await open();
      db = store.db;
      standIn = await startTwilioStandIn();
      channels = {
        rates: DEFAULT_RATES,
        publicUrl: '',
        twilio: { accountSid: standIn.accountSid, authToken: standIn.authToken, from: OUR_NUMBER, apiBaseUrl: standIn.url },
      };
      const captured = captureLogger();
      logLines = captured.lines;
      webhooks = await startWebhookServer(db, channels, captured.logger);
      inboundUrl = `${webhooks.url}${WEBHOOKS_MOUNT_PATH}/twilio/inbound`;
      statusUrl = `${webhooks.url}${WEBHOOKS_MOUNT_PATH}/twilio/status`;
    });

    afterAll(async () => {
      await webhooks?.close();
      await standIn?.close();
      await store?.dispose();
    });

    beforeEach(() => {
      logLines.length = 0;
    });

    describe('POST /twilio/inbound', () => {
      it('records STOP as SMS opt-out', async () => {
        const phone = newPhone();
        const contactId = await importedContact(phone);

        const reply = await standIn.sendInbound(inboundUrl, phone, OUR_NUMBER, 'STOP');

        expect(reply.status).toBe(200);
        expect(reply.contentType).toBe(TWIML_CONTENT_TYPE);
        expect(reply.body).toBe(emptyReply());
        const contact = await getContact(db, contactId);
        expect(contact?.consents.sms).toEqual({ granted: false, at: new Date(NOW).toISOString(), source: SMS_STOP_SOURCE });
        expect(await listConsentEvents(db, contactId)).toEqual([
          { channel: 'sms', granted: true, at: new Date(IMPORT_AT).toISOString(), source: 'import' },
          { channel: 'sms', granted: false, at: new Date(NOW).toISOString(), source: SMS_STOP_SOURCE },
        ]);
        const rows = await inboundRow(reply.messageSid);
        expect(rows).toHaveLength(1);
        expect(rows[0]).toMatchObject({ channel: 'sms', sender: phone, body: 'STOP', keyword: 'stop' });
        expect(new Date(rows[0]!.received_at).getTime()).toBe(NOW);
      });

      it('accepts other stop words', async () => {
        const phone = newPhone();
        const contactId = await importedContact(phone);

        const reply = await standIn.sendInbound(inboundUrl, phone, OUR_NUMBER, '  unsubscribe ');

        expect(reply.status).toBe(200);
        expect((await getContact(db, contactId))?.consents.sms?.granted).toBe(false);
        expect((await inboundRow(reply.messageSid))[0]?.keyword).toBe('stop');
      });

      it('ignores a retried webhook', async () => {
        const phone = newPhone();
        const contactId = await importedContact(phone);
        const params = inboundParams(phone, 'STOP');
        const signature = standIn.sign(inboundUrl, params);

        const first = await postForm(inboundUrl, params, signature);
        const second = await postForm(inboundUrl, params, signature);

        expect(first.status).toBe(200);
        expect(second.status).toBe(200);
        expect(second.body).toBe(first.body);
        expect(await countInboundFrom(phone)).toBe(1);
        const stops = (await listConsentEvents(db, contactId)).filter((event) => event.source === SMS_STOP_SOURCE);
        expect(stops).toHaveLength(1);
      });

      it('restores consent on START after STOP', async () => {
        const phone = newPhone();
        const contactId = await importedContact(phone);

        await standIn.sendInbound(inboundUrl, phone, OUR_NUMBER, 'STOP');
        const reply = await standIn.sendInbound(inboundUrl, phone, OUR_NUMBER, 'Start');

        expect(reply.status).toBe(200);
        expect(reply.body).toBe(emptyReply());
        const contact = await getContact(db, contactId);
        expect(contact?.consents.sms).toEqual({ granted: true, at: new Date(NOW).toISOString(), source: SMS_START_SOURCE });
        expect(await listConsentEvents(db, contactId)).toEqual([
          { channel: 'sms', granted: true, at: new Date(IMPORT_AT).toISOString(), source: 'import' },
          { channel: 'sms', granted: false, at: new Date(NOW).toISOString(), source: SMS_STOP_SOURCE },
          { channel: 'sms', granted: true, at: new Date(NOW).toISOString(), source: SMS_START_SOURCE },
        ]);
        expect((await inboundRow(reply.messageSid))[0]?.keyword).toBe('start');
      });

      it('START lifts STOP, an import does not', async () => {
        const phone = newPhone();
        const contactId = await importedContact(phone);
        await standIn.sendInbound(inboundUrl, phone, OUR_NUMBER, 'STOP');

        await recordConsents(db, [{ contactId, channel: 'sms', granted: true, at: NOW + 60_000, source: 'import' }]);
        expect((await getContact(db, contactId))?.consents.sms?.granted).toBe(false);

        await standIn.sendInbound(inboundUrl, phone, OUR_NUMBER, 'UNSTOP');
        expect((await getContact(db, contactId))?.consents.sms).toEqual({ granted: true, at: new Date(NOW).toISOString(), source: SMS_START_SOURCE });
        expect((await listConsentEvents(db, contactId)).map((event) => event.source)).toEqual(['import', SMS_STOP_SOURCE, SMS_START_SOURCE]);
      });

      it('replies to HELP with brand', async () => {
        const phone = newPhone();
        const contactId = await importedContact(phone);

        const reply = await standIn.sendInbound(inboundUrl, phone, OUR_NUMBER, 'help');

        expect(reply.status).toBe(200);
        expect(reply.contentType).toBe(TWIML_CONTENT_TYPE);
        expect(reply.body).toBe(helpReply({ name: BRAND }));
        expect(reply.body).toContain('<Message>Taco Cloud: ');
        expect(reply.body).toContain('Reply STOP to unsubscribe');
        expect((await getContact(db, contactId))?.consents.sms).toEqual({ granted: true, at: new Date(IMPORT_AT).toISOString(), source: 'import' });
        expect(await listConsentEvents(db, contactId)).toEqual([{ channel: 'sms', granted: true, at: new Date(IMPORT_AT).toISOString(), source: 'import' }]);
        expect((await inboundRow(reply.messageSid))[0]).toMatchObject({ body: 'help', keyword: 'help' });
      });

      it('replies to HELP after STOP, keeps opt-out', async () => {
        const phone = newPhone();
        const contactId = await importedContact(phone);
        await standIn.sendInbound(inboundUrl, phone, OUR_NUMBER, 'STOP');

        const reply = await standIn.sendInbound(inboundUrl, phone, OUR_NUMBER, 'INFO');

        expect(reply.status).toBe(200);
        expect(reply.body).toBe(helpReply({ name: BRAND }));
        expect((await getContact(db, contactId))?.consents.sms).toEqual({ granted: false, at: new Date(NOW).toISOString(), source: SMS_STOP_SOURCE });
        expect((await listConsentEvents(db, contactId)).map((event) => event.source)).toEqual(['import', SMS_STOP_SOURCE]);
        expect((await inboundRow(reply.messageSid))[0]?.keyword).toBe('help');
      });

      it('replies to HELP from unknown number, adds no contact', async () => {
        const phone = newPhone();

        const reply = await standIn.sendInbound(inboundUrl, phone, OUR_NUMBER, 'HELP');

        expect(reply.status).toBe(200);
        expect(reply.body).toBe(helpReply({ name: BRAND }));
        expect(await findContactByPhone(db, phone)).toBeUndefined();
        expect(await countInboundFrom(phone)).toBe(1);
      });

      it('records other text, empty reply', async () => {
        const phone = newPhone();

        const reply = await standIn.sendInbound(inboundUrl, phone, OUR_NUMBER, 'stop sending me this');

        expect(reply.status).toBe(200);
        expect(reply.body).toBe(emptyReply());
        expect((await inboundRow(reply.messageSid))[0]).toMatchObject({ body: 'stop sending me this', keyword: null });
        expect(await findContactByPhone(db, phone)).toBeUndefined();
      });

      it('opts out an unknown number', async () => {
        const phone = newPhone();

        const reply = await standIn.sendInbound(inboundUrl, phone, OUR_NUMBER, 'STOP');

        expect(reply.status).toBe(200);
        const contact = await findContactByPhone(db, phone);
        expect(contact).toMatchObject({ phone, firstName: undefined, email: undefined });
        expect(contact?.consents).toEqual({ sms: { granted: false, at: new Date(NOW).toISOString(), source: SMS_STOP_SOURCE } });

        // A later import of the number must not grant SMS consent again.
        const [importedId] = await upsertContacts(db, [{ firstName: 'Grace', phone }]);
        await recordConsents(db, [{ contactId: importedId!, channel: 'sms', granted: true, at: NOW + 1000, source: 'import' }]);
        expect(importedId).toBe(contact?.id);
        expect((await getContact(db, importedId!))?.consents.sms?.granted).toBe(false);
      });

      it('records two simultaneous STOPs from a new number', async () => {
        const phone = newPhone();
        const racing = raceAtContactInsert(db);
        const server = await startWebhookServer(racing.db, { ...channels }, silentLogger());
        try {
          const url = `${server.url}${WEBHOOKS_MOUNT_PATH}/twilio/inbound`;
          const replies = await Promise.all([standIn.sendInbound(url, phone, OUR_NUMBER, 'STOP'), standIn.sendInbound(url, phone, OUR_NUMBER, 'STOPALL')]);

          expect(replies.map((reply) => reply.status)).toEqual([200, 200]);
          // On PostgreSQL the second transaction hit the unique phone index and ran again.
          expect(racing.lostRaces()).toBe(db.kind === 'postgres' ? 1 : 0);
          expect(await countInboundFrom(phone)).toBe(2);
          const contacts = await db.query<{ id: string }>(`SELECT id FROM contacts WHERE phone_e164 = $1`, [phone]);
          expect(contacts).toHaveLength(1);
          expect((await getContact(db, contacts[0]!.id))?.consents.sms?.granted).toBe(false);
        } finally {
          await server.close();
        }
      });

      it('rejects wrong signature, records nothing', async () => {
        const phone = newPhone();
        const params = inboundParams(phone, 'STOP');
        const signature = twilio.getExpectedTwilioSignature('not-the-auth-token', inboundUrl, params);

        const reply = await postForm(inboundUrl, params, signature);

        expect(reply.status).toBe(403);
        expect(JSON.parse(reply.body)).toEqual({
          error: {
            code: 'forbidden',
            field: 'X-Twilio-Signature',
            message: `invalid X-Twilio-Signature for ${inboundUrl} (expected Twilio's signature of this URL; check that PUBLIC_URL matches the webhook URL configured at Twilio)`,
          },
        });
        expect(await countInboundFrom(phone)).toBe(0);
        expect(await findContactByPhone(db, phone)).toBeUndefined();

        const rejection = logLines.map((line) => JSON.parse(line)).find((entry) => entry.msg.includes('X-Twilio-Signature does not match'));
        expect(rejection?.messageSid).toBe(params.MessageSid);
        expect(logLines.join('\n')).not.toContain(standIn.authToken);
      });

      it('rejects a missing signature', async () => {
        const phone = newPhone();

        const reply = await postForm(inboundUrl, inboundParams(phone, 'STOP'), undefined);

        expect(reply.status).toBe(403);
        expect(await countInboundFrom(phone)).toBe(0);
      });

      it('rejects a tampered body', async () => {
        const phone = newPhone();
        const contactId = await importedContact(phone);
        const params = inboundParams(phone, 'hello');
        const signature = standIn.sign(inboundUrl, params);

        const reply = await postForm(inboundUrl, { ...params, Body: 'STOP' }, signature);

        expect(reply.status).toBe(403);
        expect(await countInboundFrom(phone)).toBe(0);
        expect((await getContact(db, contactId))?.consents.sms?.granted).toBe(true);
      });

      it('rejects signature for other URL', async () => {
        const phone = newPhone();
        const params = inboundParams(phone, 'STOP');
        const signature = standIn.sign('https://cloudburst.example/v1/webhooks/twilio/inbound', params);

        const reply = await postForm(inboundUrl, params, signature);

        expect(reply.status).toBe(403);
        expect(await countInboundFrom(phone)).toBe(0);
      });

      it('accepts signed URL with query', async () => {
        const phone = newPhone();
        const url = `${inboundUrl}?truck=taco-1`;
        const params = inboundParams(phone, 'STOP');

        const reply = await postForm(url, params, standIn.sign(url, params));

        expect(reply.status).toBe(200);
        expect(await countInboundFrom(phone)).toBe(1);
      });

      it('rejects invalid signed field', async () => {
        const phone = newPhone();
        const params = inboundParams(phone, 'STOP', 'SM-not-a-sid');

        const reply = await postForm(inboundUrl, params, standIn.sign(inboundUrl, params));

        expect(reply.status).toBe(400);
        expect(JSON.parse(reply.body).error).toMatchObject({ code: 'invalid_input', field: 'MessageSid', value: 'SM-not-a-sid' });
        expect(await countInboundFrom(phone)).toBe(0);
      });

      it('rejects non-form body', async () => {
        const params = inboundParams(newPhone(), 'STOP');

        const reply = await postForm(inboundUrl, params, standIn.sign(inboundUrl, params), 'application/json');

        expect(reply.status).toBe(400);
        expect(JSON.parse(reply.body).error).toEqual({
          code: 'invalid_input',
          field: 'content-type',
          value: 'application/json',
          message: 'invalid content-type: "application/json" (expected application/x-www-form-urlencoded, as Twilio posts webhooks)',
        });
      });
    });

    describe('POST /twilio/status', () => {
      let campaignId: string;
      let segmentId: string;

      beforeAll(async () => {
        campaignId = randomUUID();
        segmentId = randomUUID();
        await db.query(
          `INSERT INTO campaigns (id, name, window_start_local, window_end_local, radius_m, benefit)
           VALUES ($1, 'Lunch rush', '2026-12-04T11:00', '2026-12-04T13:00', 300, '{"kind":"percent","value":20}')`,
          [campaignId],
        );
        await db.query(`INSERT INTO segments (id, campaign_id, source, name) VALUES ($1, $2, 'point_of_sale', 'Regulars')`, [segmentId, campaignId]);
      });

      /** Sends an SMS through the stand-in with our status URL and records its job as sent, as the scheduler does. */
      async function sentJob(): Promise<{ jobId: string; messageSid: string }> {
        const phone = newPhone();
        const [contactId] = await upsertContacts(db, [{ phone }]);

        const sms = createTwilioSms({
          accountSid: standIn.accountSid,
          authToken: standIn.authToken,
          from: OUR_NUMBER,
          apiBaseUrl: standIn.url,
          statusCallbackUrl: statusUrl,
        });
        const jobId = randomUUID();
        const outcome = await sms.send({ jobId, channel: 'sms', sender: '', to: phone, text: 'Tacos are 20% off until 12:30' });
        await sms.close?.();
        if (outcome.status !== 'sent') throw new Error(`stand-in did not accept the SMS: ${JSON.stringify(outcome)}`);

        await db.query(
          `INSERT INTO send_jobs (id, campaign_id, segment_id, contact_id, kind, send_at, status, next_attempt_at, provider, recipient, provider_message_id, sent_at)
           VALUES ($1, $2, $3, $4, 'sms', now(), 'sent', now(), 'twilio', $5, $6, now())`,
          [jobId, campaignId, segmentId, contactId, phone, outcome.providerMessageId],
        );
        return { jobId, messageSid: outcome.providerMessageId };
      }

      it('marks a delivered message', async () => {
        const { jobId, messageSid } = await sentJob();

        const reply = await standIn.sendStatusCallback(messageSid, 'delivered');

        expect(reply.status).toBe(200);
        expect(reply.body).toBe('');
        const job = await getSendJob(db, jobId);
        expect(job?.status).toBe('delivered');
        expect(job?.reason).toBeNull();
      });

      it('marks undelivered with error code', async () => {
        const { jobId, messageSid } = await sentJob();

        const reply = await standIn.sendStatusCallback(messageSid, 'undelivered', 30003);

        expect(reply.status).toBe(200);
        const job = await getSendJob(db, jobId);
        expect(job?.status).toBe('failed');
        expect(job?.reason).toBe('undelivered (30003: unreachable destination handset)');
      });

      it('links an unknown error code', async () => {
        const { jobId, messageSid } = await sentJob();

        await standIn.sendStatusCallback(messageSid, 'failed', 30099);

        const job = await getSendJob(db, jobId);
        expect(job?.status).toBe('failed');
        expect(job?.reason).toBe('failed (30099: see https://www.twilio.com/docs/api/errors/30099)');
      });

      it('ignores a status that is not final', async () => {
        const { jobId, messageSid } = await sentJob();

        const reply = await standIn.sendStatusCallback(messageSid, 'sent');

        expect(reply.status).toBe(200);
        expect((await getSendJob(db, jobId))?.status).toBe('sent');
      });

      it('rejects a tampered status callback', async () => {
        const { jobId, messageSid } = await sentJob();
        const params = { AccountSid: standIn.accountSid, MessageSid: messageSid, MessageStatus: 'delivered' };
        const signature = standIn.sign(statusUrl, params);

        const reply = await postForm(statusUrl, { ...params, MessageStatus: 'undelivered', ErrorCode: '30003' }, signature);

        expect(reply.status).toBe(403);
        expect((await getSendJob(db, jobId))?.status).toBe('sent');
      });

      it('accepts a callback that matches no job', async () => {
        const params = { AccountSid: standIn.accountSid, MessageSid: `SM${'f'.repeat(32)}`, MessageStatus: 'delivered' };

        const reply = await postForm(statusUrl, params, standIn.sign(statusUrl, params));

        expect(reply.status).toBe(200);
        const unmatched = logLines.map((line) => JSON.parse(line)).find((entry) => entry.msg === 'status callback matched no sent job');
        expect(unmatched?.messageSid).toBe(params.MessageSid);
      });
    });

    describe('Twilio not configured', () => {
      let unconfigured: WebhookServer;

      beforeAll(async () => {
        unconfigured = await startWebhookServer(db, { rates: DEFAULT_RATES, publicUrl: '' }, silentLogger());
      });

      afterAll(async () => {
        await unconfigured?.close();
      });

      it('returns 404 on both routes', async () => {
        for (const route of ['/twilio/inbound', '/twilio/status']) {
          const url = `${unconfigured.url}${WEBHOOKS_MOUNT_PATH}${route}`;
          const params = inboundParams(newPhone(), 'STOP');

          const reply = await postForm(url, params, standIn.sign(url, params));

          expect(reply.status).toBe(404);
          expect(JSON.parse(reply.body)).toEqual({
            error: {
              code: 'not_found',
              message: `Twilio webhooks are not configured: set TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN to receive ${WEBHOOKS_MOUNT_PATH}${route}`,
            },
          });
        }
      });
    });
  });
}
