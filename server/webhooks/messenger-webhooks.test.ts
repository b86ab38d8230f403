import { createHmac } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { getRequestListener } from '@hono/node-server';
import { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../common/logger.js';
import type { Db } from '../../store/types.js';
import { TEST_STORES, type TestStore } from '../../test/stores.js';
import { findContactByPsid, getContact, listConsentEvents, recordConsents, upsertContacts } from '../repos/contacts.js';
import { WEBHOOKS_MOUNT_PATH, webhookRoutes } from '../routes/webhooks.js';
import { DEFAULT_RATES, type ChannelSettings } from '../sends/channel-config.js';
import { MESSENGER_OPT_IN_SOURCE, MESSENGER_STOP_SOURCE } from './messenger-events.js';

const PAGE_ID = '104857600123';
const APP_SECRET = 'meta-app-secret-for-tests';
const VERIFY_TOKEN = 'verify-token-for-tests';
const MESSAGE_AT = Date.parse('2026-12-04T19:05:00.000Z');
const OPT_IN_AT = Date.parse('2026-12-04T19:10:00.000Z');
const STOP_AT = Date.parse('2026-12-04T19:20:00.000Z');
const RESUME_AT = Date.parse('2026-12-04T19:30:00.000Z');
const TOKEN_EXPIRES_AT = Date.parse('2027-06-02T19:10:00.000Z');

interface WebhookServer {
  url: string;
  close(): Promise<void>;
}

async function startWebhookServer(db: Db, channels: ChannelSettings): Promise<WebhookServer> {
  const app = new Hono().route(WEBHOOKS_MOUNT_PATH, webhookRoutes({ db, channels, logger: silentLogger(), brand: () => 'Taco Cloud' }));
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

function signature(body: string, secret = APP_SECRET): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

/** Posts `body` signed with the app secret, with `signatureHeader`, or without the header when it is null. */
async function postEvents(url: string, body: string, signatureHeader: string | null = signature(body)) {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (signatureHeader !== null) headers['x-hub-signature-256'] = signatureHeader;
  const response = await fetch(url, { method: 'POST', headers, body });
  return { status: response.status, contentType: response.headers.get('content-type'), body: await response.text() };
}

/** Builds a webhook body with one entry for the page, as Meta batches events. */
function webhookBody(messaging: object[], pageId = PAGE_ID): string {
  return JSON.stringify({ object: 'page', entry: [{ id: pageId, time: MESSAGE_AT, messaging }] });
}

function messageEvent(psid: string, timestamp: number, text = 'Are you open today?') {
  return { sender: { id: psid }, recipient: { id: PAGE_ID }, timestamp, message: { mid: `m_${psid}_${timestamp}`, text } };
}

function optinEvent(psid: string, timestamp: number, token: string, status?: 'STOP_NOTIFICATIONS' | 'RESUME_NOTIFICATIONS') {
  return {
    sender: { id: psid },
    recipient: { id: PAGE_ID },
    timestamp,
    optin: {
      type: 'notification_messages',
      payload: 'lunch-deals',
      notification_messages_token: token,
      token_expiry_timestamp: TOKEN_EXPIRES_AT,
      notification_messages_frequency: 'DAILY',
      ...(status === undefined ? {} : { notification_messages_status: status }),
    },
  };
}

let psidSequence = 0;
/** Returns a page-scoped id that no other test uses. */
function newPsid(): string {
  psidSequence += 1;
  return `7100000000${String(psidSequence).padStart(4, '0')}`;
}

for (const [storeName, open] of TEST_STORES) {
  describe(`Messenger webhooks on ${storeName}`, () => {
    let store: TestStore;
    let db: Db;
    let channels: ChannelSettings;
    let webhooks: WebhookServer;
    let messengerUrl: string;

    beforeAll(async () => {
      store = await open();
      db = store.db;
      channels = {
        rates: DEFAULT_RATES,
        publicUrl: '',
        messenger: { pageAccessToken: 'page-access-token', pageId: PAGE_ID, appSecret: APP_SECRET, verifyToken: VERIFY_TOKEN },
      };
      webhooks = await startWebhookServer(db, channels);
      messengerUrl = `${webhooks.url}${WEBHOOKS_MOUNT_PATH}/messenger`;
    });

    afterAll(async () => {
      await webhooks?.close();
      await store?.dispose();
    });

    describe('GET /messenger', () => {
      function handshakeUrl(mode: string, token: string, challenge = '1158201444'): string {
        return `${messengerUrl}?${new URLSearchParams({ 'hub.mode': mode, 'hub.verify_token': token, 'hub.challenge': challenge })}`;
      }

      it('echoes challenge for verify token', async () => {
        const response = await fetch(handshakeUrl('subscribe', VERIFY_TOKEN));

        expect(response.status).toBe(200);
        expect(response.headers.get('content-type')).toBe('text/plain; charset=UTF-8');
        expect(await response.text()).toBe('1158201444');
      });

      it('rejects a wrong verify token', async () => {
        const response = await fetch(handshakeUrl('subscribe', 'guessed-token'));

        expect(response.status).toBe(403);
        expect(await response.json()).toEqual({
          error: {
            code: 'forbidden',
            field: 'hub.verify_token',
            message: 'invalid hub.verify_token or hub.mode (expected hub.mode "subscribe" and the token set in MESSENGER_VERIFY_TOKEN)',
          },
        });
      });

      it('rejects another mode', async () => {
        const response = await fetch(handshakeUrl('unsubscribe', VERIFY_TOKEN));

        expect(response.status).toBe(403);
      });

      it('rejects a missing challenge', async () => {
        const response = await fetch(`${messengerUrl}?hub.mode=subscribe&hub.verify_token=${VERIFY_TOKEN}`);

        expect(response.status).toBe(400);
        expect((await response.json()).error).toMatchObject({ code: 'invalid_input', field: 'hub.challenge' });
      });
    });

    describe('POST /messenger', () => {
      it('opens window of new person', async () => {
        const psid = newPsid();

        const reply = await postEvents(messengerUrl, webhookBody([messageEvent(psid, MESSAGE_AT)]));

        expect(reply.status).toBe(200);
        expect(reply.body).toBe('EVENT_RECEIVED');
        const contact = await findContactByPsid(db, psid);
        expect(contact?.messengerLastMessageAt).toBe(MESSAGE_AT);
        expect(contact?.consents).toEqual({});
      });

      it('opens window of known contact', async () => {
        const psid = newPsid();
        const [contactId] = await upsertContacts(db, [{ firstName: 'Ada', messengerPsid: psid }]);
        const postback = { sender: { id: psid }, recipient: { id: PAGE_ID }, timestamp: MESSAGE_AT + 60_000, postback: { title: 'Menu', payload: 'MENU' } };

        const reply = await postEvents(messengerUrl, webhookBody([messageEvent(psid, MESSAGE_AT), postback]));

        expect(reply.status).toBe(200);
        const contact = await getContact(db, contactId!);
        expect(contact?.messengerLastMessageAt).toBe(MESSAGE_AT + 60_000);
        expect(contact?.firstName).toBe('Ada');
      });

      it('keeps latest window on older event', async () => {
        const psid = newPsid();

        await postEvents(messengerUrl, webhookBody([messageEvent(psid, MESSAGE_AT)]));
        await postEvents(messengerUrl, webhookBody([messageEvent(psid, MESSAGE_AT - 3_600_000)]));

        expect((await findContactByPsid(db, psid))?.messengerLastMessageAt).toBe(MESSAGE_AT);
      });

      it('stores opt-in token and consent', async () => {
        const psid = newPsid();

        const reply = await postEvents(messengerUrl, webhookBody([optinEvent(psid, OPT_IN_AT, 'token-first')]));

        expect(reply.status).toBe(200);
        const contact = await findContactByPsid(db, psid);
        expect(contact?.messengerToken).toBe('token-first');
        expect(contact?.messengerTokenExpiresAt).toBe(TOKEN_EXPIRES_AT);
        expect(contact?.consents.messenger).toEqual({ granted: true, at: new Date(OPT_IN_AT).toISOString(), source: MESSENGER_OPT_IN_SOURCE });
      });

      it('clears token on stop, restores on resume', async () => {
        const psid = newPsid();
        await postEvents(messengerUrl, webhookBody([optinEvent(psid, OPT_IN_AT, 'token-first')]));

        const stop = await postEvents(messengerUrl, webhookBody([optinEvent(psid, STOP_AT, 'token-first', 'STOP_NOTIFICATIONS')]));

        expect(stop.status).toBe(200);
        const stopped = await findContactByPsid(db, psid);
        expect(stopped?.messengerToken).toBeUndefined();
        expect(stopped?.messengerTokenExpiresAt).toBeUndefined();
        expect(stopped?.consents.messenger).toEqual({ granted: false, at: new Date(STOP_AT).toISOString(), source: MESSENGER_STOP_SOURCE });

        const resume = await postEvents(messengerUrl, webhookBody([optinEvent(psid, RESUME_AT, 'token-resumed', 'RESUME_NOTIFICATIONS')]));

        expect(resume.status).toBe(200);
        const resumed = await findContactByPsid(db, psid);
        expect(resumed?.messengerToken).toBe('token-resumed');
        expect(resumed?.consents.messenger).toEqual({ granted: true, at: new Date(RESUME_AT).toISOString(), source: MESSENGER_OPT_IN_SOURCE });
        expect((await listConsentEvents(db, resumed!.id)).map((event) => [event.granted, event.source])).toEqual([
          [true, MESSENGER_OPT_IN_SOURCE],
          [false, MESSENGER_STOP_SOURCE],
          [true, MESSENGER_OPT_IN_SOURCE],
        ]);
      });

      it('opt-in overrides earlier opt-out', async () => {
        const psid = newPsid();
        const [contactId] = await upsertContacts(db, [{ messengerPsid: psid }]);
        await recordConsents(db, [{ contactId: contactId!, channel: 'messenger', granted: false, at: MESSAGE_AT, source: 'console' }]);

        await postEvents(messengerUrl, webhookBody([optinEvent(psid, OPT_IN_AT, 'token-first')]));

        expect((await getContact(db, contactId!))?.consents.messenger?.granted).toBe(true);
      });

      it('records repeated opt-in once', async () => {
        const psid = newPsid();
        const body = webhookBody([optinEvent(psid, OPT_IN_AT, 'token-first')]);

        expect((await postEvents(messengerUrl, body)).status).toBe(200);
        expect((await postEvents(messengerUrl, body)).status).toBe(200);

        const contact = await findContactByPsid(db, psid);
        expect(await listConsentEvents(db, contact!.id)).toHaveLength(1);
        const rows = await db.query<{ keyword: string; body: string }>(`SELECT keyword, body FROM inbound_messages WHERE sender = $1`, [psid]);
        expect(rows).toEqual([{ keyword: 'opt_in', body: '' }]);
      });

      it('ignores events for another page', async () => {
        const psid = newPsid();
        const event = { ...messageEvent(psid, MESSAGE_AT), recipient: { id: '999' } };

        const reply = await postEvents(messengerUrl, webhookBody([event], '999'));

        expect(reply.status).toBe(200);
        expect(await findContactByPsid(db, psid)).toBeUndefined();
      });

      it('rejects wrong signature, records nothing', async () => {
        const psid = newPsid();
        const body = webhookBody([optinEvent(psid, OPT_IN_AT, 'token-forged')]);

        const reply = await postEvents(messengerUrl, body, signature(body, 'another-secret'));

        expect(reply.status).toBe(403);
        expect(JSON.parse(reply.body)).toEqual({
          error: {
            code: 'forbidden',
            field: 'X-Hub-Signature-256',
            message: 'invalid X-Hub-Signature-256 (expected the HMAC-SHA256 of the body with the app secret in MESSENGER_APP_SECRET)',
          },
        });
        expect(await findContactByPsid(db, psid)).toBeUndefined();
      });

      it('rejects a tampered body', async () => {
        const psid = newPsid();
        const signed = webhookBody([messageEvent(psid, MESSAGE_AT)]);

        const reply = await postEvents(messengerUrl, signed.replace(psid, newPsid()), signature(signed));

        expect(reply.status).toBe(403);
        expect(await findContactByPsid(db, psid)).toBeUndefined();
      });

      it('rejects a missing signature', async () => {
        const psid = newPsid();

        const reply = await postEvents(messengerUrl, webhookBody([messageEvent(psid, MESSAGE_AT)]), null);

        expect(reply.status).toBe(403);
        expect(await findContactByPsid(db, psid)).toBeUndefined();
      });

      it('rejects malformed JSON', async () => {
        const body = '{"object":"page","entry":[';

        const reply = await postEvents(messengerUrl, body);

        expect(reply.status).toBe(400);
        const error = JSON.parse(reply.body).error;
        expect(error.code).toBe('invalid_input');
        expect(error.field).toBe('(body)');
        expect(error.message).toMatch(/^invalid \(body\): not JSON \(.+\)$/);
      });

      it('rejects non-page webhook body', async () => {
        const reply = await postEvents(messengerUrl, JSON.stringify({ object: 'instagram', entry: [] }));

        expect(reply.status).toBe(400);
        expect(JSON.parse(reply.body).error).toMatchObject({ code: 'invalid_input', field: 'object', value: 'instagram' });
      });
    });

    describe('Messenger not configured', () => {
      let unconfigured: WebhookServer;

      beforeAll(async () => {
        // A page that sends but has neither the app secret nor the verify token set.
        unconfigured = await startWebhookServer(db, {
          rates: DEFAULT_RATES,
          publicUrl: '',
          messenger: { pageAccessToken: 'page-access-token', pageId: PAGE_ID },
        });
      });

      afterAll(async () => {
        await unconfigured?.close();
      });

      it('returns 404 without app secret', async () => {
        const body = webhookBody([messageEvent(newPsid(), MESSAGE_AT)]);

        const reply = await postEvents(`${unconfigured.url}${WEBHOOKS_MOUNT_PATH}/messenger`, body);

        expect(reply.status).toBe(404);
        expect(JSON.parse(reply.body)).toEqual({
          error: {
            code: 'not_found',
            message: `Messenger webhooks are not configured: set MESSENGER_APP_SECRET (the Meta app secret that signs webhooks) to receive ${WEBHOOKS_MOUNT_PATH}/messenger`,
          },
        });
      });

      it('returns 404 without verify token', async () => {
        const response = await fetch(`${unconfigured.url}${WEBHOOKS_MOUNT_PATH}/messenger?hub.mode=subscribe&hub.verify_token=x&hub.challenge=1`);

        expect(response.status).toBe(404);
        expect((await response.json()).error.code).toBe('not_found');
      });
    });
  });
}
