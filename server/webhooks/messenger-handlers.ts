/**
 * Handlers of the Messenger webhook: Meta's verification handshake (`GET`) and event
 * delivery (`POST`, JSON signed with the app secret in `X-Hub-Signature-256`).
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { Context } from 'hono';
import { parseMessengerWebhook, verifyMetaSignature, type MessengerWebhookEvents } from '../../channels/messenger.js';
import { CloudburstError } from '../../common/errors.js';
import type { Logger } from '../../common/logger.js';
import { applyMessengerInbound, applyMessengerOptin } from './messenger-events.js';
import { WEBHOOKS_MOUNT_PATH, type WebhookOptions } from './options.js';
import { transactionRetryingRaces } from '../../store/race-retry.js';

type Handler = (c: Context) => Promise<Response>;

/** Body of the reply to an event batch. Meta checks only for the 200 status. */
const EVENT_RECEIVED = 'EVENT_RECEIVED';

/**
 * `GET /messenger?hub.mode=subscribe&hub.verify_token=…&hub.challenge=…`: Meta's check,
 * when the webhook is set up, that the URL belongs to us. Echoes the challenge as
 * text/plain when the verify token matches the configured one.
 */
export function messengerVerifyHandler(options: WebhookOptions): Handler {
  const log = options.logger.child({ component: 'messenger-webhook' });

  return async function verifyMessengerSubscription(c) {
    const verifyToken = options.channels.messenger?.verifyToken;
    if (verifyToken === undefined || verifyToken === '') {
      throw notConfigured('MESSENGER_VERIFY_TOKEN (the verify token entered at Meta)');
    }

    const mode = c.req.query('hub.mode');
    const token = c.req.query('hub.verify_token');
    if (mode !== 'subscribe' || token === undefined || !equalSecrets(token, verifyToken)) {
      log.warn({ mode }, 'Messenger verification rejected: hub.mode is not "subscribe" or hub.verify_token does not match');
      throw new CloudburstError(
        'forbidden',
        'invalid hub.verify_token or hub.mode (expected hub.mode "subscribe" and the token set in MESSENGER_VERIFY_TOKEN)',
        { field: 'hub.verify_token' },
      );
    }

    const challenge = c.req.query('hub.challenge');
    if (challenge === undefined || challenge === '') {
      throw new CloudburstError('invalid_input', 'invalid hub.challenge: missing (expected the value for Meta to receive back)', {
        field: 'hub.challenge',
      });
    }
    log.info('Messenger webhook verified');
    return c.text(challenge, 200);
  };
}

/**
 * `POST /messenger`: a batch of page events, `{ object: "page", entry: [{ id, messaging: [...] }] }`.
 * A message or postback opens the person's 24-hour window; an opt-in, resume or stop
 * stores or clears their marketing-messages token and consent. Replies 200 `EVENT_RECEIVED`
 * once every event is stored. A failure replies 500: Meta resends events that got no 200
 * ("Required 200 OK Response" in developers.facebook.com/docs/messenger-platform/webhook),
 * and storing them again is harmless (see messenger-events.ts).
 */
export function messengerEventsHandler(options: WebhookOptions): Handler {
  const log = options.logger.child({ component: 'messenger-webhook' });

  return async function receiveMessengerEvents(c) {
    const settings = options.channels.messenger;
    if (settings?.appSecret === undefined || settings.appSecret === '') {
      throw notConfigured('MESSENGER_APP_SECRET (the Meta app secret that signs webhooks)');
    }

    // The signature covers the bytes as sent, so they are checked before any decoding.
    const rawBody = new Uint8Array(await c.req.arrayBuffer());
    if (!verifyMetaSignature(settings.appSecret, rawBody, c.req.header('x-hub-signature-256'))) {
      log.warn({ bytes: rawBody.length }, 'Messenger webhook rejected: X-Hub-Signature-256 does not match');
      throw new CloudburstError(
        'forbidden',
        'invalid X-Hub-Signature-256 (expected the HMAC-SHA256 of the body with the app secret in MESSENGER_APP_SECRET)',
        { field: 'X-Hub-Signature-256' },
      );
    }

    const events = parseMessengerWebhook(parseJson(new TextDecoder().decode(rawBody)));
    await applyEvents(options, events, settings.pageId, log);
    return c.text(EVENT_RECEIVED, 200);
  };
}

async function applyEvents(options: WebhookOptions, events: MessengerWebhookEvents, pageId: string, log: Logger): Promise<void> {
  const { db } = options;

  for (const inbound of events.inbound) {
    if (!isForPage(inbound.pageId, pageId, inbound.psid, log)) continue;
    await logFailure(log, { psid: inbound.psid, kind: inbound.kind }, async () => {
      const contactId = await transactionRetryingRaces(db, (tx) => applyMessengerInbound(tx, inbound));
      log.info({ psid: inbound.psid, contactId, kind: inbound.kind }, 'Messenger window opened');
    });
  }

  for (const optin of events.optins) {
    if (!isForPage(optin.pageId, pageId, optin.psid, log)) continue;
    await logFailure(log, { psid: optin.psid, kind: optin.kind }, async () => {
      const result = await transactionRetryingRaces(db, (tx) => applyMessengerOptin(tx, optin));
      if (result.duplicate) log.info({ psid: optin.psid, kind: optin.kind }, 'Messenger opt-in change already recorded; repeated delivery ignored');
      else log.info({ psid: optin.psid, contactId: result.contactId, kind: optin.kind }, 'Messenger opt-in change recorded');
    });
  }
}

/** Page-scoped ids belong to one page, so an event for another page must not touch our contacts. */
function isForPage(eventPageId: string, pageId: string, psid: string, log: Logger): boolean {
  if (eventPageId === pageId) return true;
  log.warn({ psid, eventPageId, pageId }, 'Messenger event for another page ignored; check MESSENGER_PAGE_ID');
  return false;
}

async function logFailure(log: Logger, ids: Record<string, string>, work: () => Promise<void>): Promise<void> {
  try {
    await work();
  } catch (error) {
    log.error({ ...ids, err: error }, 'Messenger event could not be stored; replying 500 so that Meta resends it');
    throw error;
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new CloudburstError('invalid_input', `invalid (body): not JSON (${(error as Error).message})`, { field: '(body)' });
  }
}

function notConfigured(setting: string): CloudburstError {
  return new CloudburstError('not_found', `Messenger webhooks are not configured: set ${setting} to receive ${WEBHOOKS_MOUNT_PATH}/messenger`);
}

/** Compares in constant time. Hashing first gives both sides the same length, which timingSafeEqual needs. */
function equalSecrets(received: string, expected: string): boolean {
  const digest = (value: string) => createHash('sha256').update(value).digest();
  return timingSafeEqual(digest(received), digest(expected));
}
