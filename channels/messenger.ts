/**
 * Facebook Messenger provider over the Graph API Send API, plus the two helpers the
 * webhook route needs: the `X-Hub-Signature-256` check and the event parser.
 *
 * Send: `POST /{version}/me/messages` with `{ recipient, messaging_type, message: { text } }`
 * and a page access token; success is `{ recipient_id, message_id }`, failure is
 * `{ error: { message, type, code, error_subcode, fbtrace_id } }`. Source:
 * https://developers.facebook.com/docs/messenger-platform/send-api-reference and
 * https://developers.facebook.com/docs/messenger-platform/error-codes.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { clipValue, CloudburstError, formatValue, invalidInput } from '../common/errors.js';
import { clipReason, postJson, type HttpReply } from './http-outcome.js';
import { MESSAGING_TYPE_FOR } from './messenger-window.js';
import type { ChannelProvider, OutgoingMessage, SendOutcome } from './types.js';
import { serverErrorMayHaveActed, unknownOutcome } from './unknown-outcome.js';

// ─── provider ──────────────────────────────────────────────────────────────

export interface MessengerProviderOptions {
  /** Default `https://graph.facebook.com`; tests point it at the loopback stand-in. */
  apiBaseUrl?: string;
  /** Graph API version path segment, default `v21.0`. */
  apiVersion?: string;
  /** Page access token with the `pages_messaging` permission. */
  pageAccessToken: string;
  /** When set, every call carries `appsecret_proof`, which apps with "Require App Secret" need. */
  appSecret?: string;
  /** Deadline for one request, connect and body together. */
  timeoutMs: number;
}

/** Maximum length of a text message the Send API accepts, in characters. */
const MAX_TEXT_CHARS = 2000;

/** Page-scoped ids are decimal strings. */
const PSID_PATTERN = /^[0-9]{1,32}$/;

/** Graph codes for throttling: app (4), user (17), page (32) and per-call (613) rate limits. */
const RATE_LIMIT_CODES = new Set([4, 17, 32, 613]);

/** Graph code 2, "An unexpected error has occurred. Please retry your request later." */
const SERVICE_UNAVAILABLE = 2;

/**
 * Graph code 1, an unknown error. Meta's Messenger error-code table lists it (subcode
 * 1357046) for a reply that failed although the messages were sent, so it may follow a
 * delivered message.
 */
const UNKNOWN_ERROR = 1;

/** Place a person checks for a message whose outcome is unknown. */
const CHECK_IN = "the conversation in the Facebook page's inbox";

/**
 * Creates the Messenger provider. The scheduler decides with `messengerSendPlan` whether
 * a person may be messaged and passes the result as `messengerRecipient`. `to` is then a
 * page-scoped id (`psid`) or a marketing-messages token (`notification_token`).
 */
export function createMessengerProvider(options: MessengerProviderOptions): ChannelProvider {
  const apiVersion = options.apiVersion ?? 'v21.0';
  if (!/^v[0-9]+\.[0-9]+$/.test(apiVersion)) throw invalidInput('apiVersion', apiVersion, 'a Graph API version like "v21.0"');
  if (options.pageAccessToken === '') throw invalidInput('pageAccessToken', '', 'a page access token');

  const apiBaseUrl = (options.apiBaseUrl ?? 'https://graph.facebook.com').replace(/\/+$/, '');
  // The token stays in the header, out of URLs that proxies and access logs record.
  const proof = options.appSecret === undefined ? '' : `?appsecret_proof=${appSecretProof(options.appSecret, options.pageAccessToken)}`;
  const url = `${apiBaseUrl}/${apiVersion}/me/messages${proof}`;
  const headers = { authorization: `Bearer ${options.pageAccessToken}` };

  return {
    channel: 'messenger',
    name: 'messenger',

    async send(message: OutgoingMessage): Promise<SendOutcome> {
      if (message.channel !== 'messenger') {
        throw new Error(`Messenger provider received a message for channel ${formatValue(message.channel)} (job ${message.jobId})`);
      }

      const body = buildSendBody(message);
      if ('outcome' in body) return body.outcome;

      const result = await postJson(url, { provider: 'Messenger', checkIn: CHECK_IN, headers, body: body.payload, timeoutMs: options.timeoutMs });
      if (!result.ok) return result.outcome;

      return mapReply(result.reply);
    },
  };
}

/** HMAC-SHA256 of the access token keyed with the app secret, hex, as Graph's `appsecret_proof` expects. */
export function appSecretProof(appSecret: string, accessToken: string): string {
  return createHmac('sha256', appSecret).update(accessToken).digest('hex');
}

function buildSendBody(message: OutgoingMessage): { payload: unknown } | { outcome: SendOutcome } {
  const kind = message.messengerRecipient;
  let recipient: Record<string, string>;

  if (kind === 'psid') {
    if (!PSID_PATTERN.test(message.to)) return invalid(`invalid to for a Messenger psid: ${formatValue(message.to)} (expected a numeric page-scoped id)`);
    recipient = { id: message.to };
  } else if (kind === 'notification_token') {
    if (!/^\S{1,1000}$/.test(message.to)) return invalid(`invalid to for a Messenger notification token: ${formatValue(message.to)} (expected the token from the opt-in)`);
    recipient = { notification_messages_token: message.to };
  } else {
    return invalid(`invalid messengerRecipient: ${formatValue(kind)} (expected "psid" or "notification_token" from messengerSendPlan)`);
  }

  const length = [...message.text].length;
  if (length === 0 || length > MAX_TEXT_CHARS) {
    return invalid(`invalid text for Messenger: ${length} characters (expected 1 to ${MAX_TEXT_CHARS})`);
  }

  // NOTE: Meta's recurring-notification examples leave `messaging_type` out; we send UPDATE for
  // tokens too, which the Send API lists as valid for proactive messages.
  return { payload: { recipient, messaging_type: MESSAGING_TYPE_FOR[kind], message: { text: message.text } } };
}

function invalid(reason: string): { outcome: SendOutcome } {
  return { outcome: { status: 'failed', reason, providerCode: 'invalid_message' } };
}

interface GraphError {
  message: string;
  code?: number;
  subcode?: number;
  fbtraceId?: string;
  isTransient: boolean;
}

function mapReply(reply: HttpReply): SendOutcome {
  if (reply.status >= 200 && reply.status < 300) {
    const messageId = (reply.json as { message_id?: unknown } | undefined)?.message_id;
    if (typeof messageId === 'string' && messageId !== '') return { status: 'sent', providerMessageId: messageId };
    return {
      status: 'failed',
      reason: `Messenger accepted the message (HTTP ${reply.status}) but the reply has no message_id: ${clipReason(reply.bodyText, 120)}`,
      providerCode: 'missing_id',
    };
  }

  const error = readGraphError(reply);
  if (error === undefined) {
    const detail = reply.bodyText === '' ? 'no details given' : clipReason(reply.bodyText, 120);
    // Without a Graph error body only the status shows whether the request was handled.
    if (serverErrorMayHaveActed(reply.status)) {
      return unknownOutcome(`Messenger failed with HTTP ${reply.status} after receiving the request: ${detail}`, CHECK_IN, `http_${reply.status}`);
    }
    if (reply.status >= 500 || reply.status === 429) {
      return { status: 'retry', reason: `Messenger is unavailable (HTTP ${reply.status}): ${detail}`, providerCode: `http_${reply.status}` };
    }
    return { status: 'failed', reason: `Messenger rejected the message (HTTP ${reply.status}): ${detail}`, providerCode: `http_${reply.status}` };
  }

  return mapGraphError(error, reply.status);
}

function mapGraphError(error: GraphError, httpStatus: number): SendOutcome {
  const { code, subcode } = error;
  let providerCode = `http_${httpStatus}`;
  if (code !== undefined) providerCode = subcode === undefined ? String(code) : `${code}/${subcode}`;
  const trace = error.fbtraceId === undefined ? '' : ` (fbtrace_id ${error.fbtraceId})`;
  const graphDetail = `Graph error ${providerCode}: ${clipReason(error.message)}${trace}`;

  if (code !== undefined && RATE_LIMIT_CODES.has(code)) {
    return { status: 'retry', reason: `Messenger rate limit reached. ${graphDetail}`, providerCode };
  }
  if (code === UNKNOWN_ERROR) {
    return unknownOutcome(`Messenger returned an unknown error. ${graphDetail}`, CHECK_IN, providerCode);
  }
  // Graph marks these temporary itself: code 2's message requests a retry later, and `is_transient` is Graph's flag for it.
  if (code === SERVICE_UNAVAILABLE || error.isTransient) {
    return { status: 'retry', reason: `Messenger is unavailable. ${graphDetail}`, providerCode };
  }
  if (serverErrorMayHaveActed(httpStatus)) {
    return unknownOutcome(`Messenger failed with HTTP ${httpStatus}. ${graphDetail}`, CHECK_IN, providerCode);
  }
  if (httpStatus >= 500) {
    return { status: 'retry', reason: `Messenger is unavailable. ${graphDetail}`, providerCode };
  }
  if (code === 10 && subcode === 2018278) {
    return { status: 'failed', reason: `Outside Messenger's 24-hour window: the person has not written to the page recently. ${graphDetail}`, providerCode };
  }
  if (code === 551) {
    return { status: 'failed', reason: `This person is not available on Messenger, for example because they turned off messages from the page. ${graphDetail}`, providerCode };
  }
  if (code === 100 && subcode === 2018001) {
    return { status: 'failed', reason: `No Messenger user matches this recipient id for this page. ${graphDetail}`, providerCode };
  }
  if (code === 190 || httpStatus === 401) {
    return { status: 'failed', reason: `Messenger rejected the page access token; reconnect the Facebook page. ${graphDetail}`, providerCode };
  }
  if (code === 10 || code === 230 || (code !== undefined && code >= 200 && code <= 299)) {
    return { status: 'failed', reason: `The page lacks permission to send this message. ${graphDetail}`, providerCode };
  }
  return { status: 'failed', reason: `Messenger rejected the message. ${graphDetail}`, providerCode };
}

function readGraphError(reply: HttpReply): GraphError | undefined {
  const raw = (reply.json as { error?: Record<string, unknown> } | undefined)?.error;
  if (raw === undefined || raw === null || typeof raw !== 'object') return undefined;

  return {
    message: typeof raw.message === 'string' ? raw.message : 'no message given',
    code: typeof raw.code === 'number' ? raw.code : undefined,
    subcode: typeof raw.error_subcode === 'number' ? raw.error_subcode : undefined,
    fbtraceId: typeof raw.fbtrace_id === 'string' ? raw.fbtrace_id : undefined,
    isTransient: raw.is_transient === true,
  };
}

// ─── webhook signature ─────────────────────────────────────────────────────

const SIGNATURE_PREFIX = 'sha256=';

/**
 * Checks Meta's `X-Hub-Signature-256` header (`sha256=` and the hex HMAC-SHA256 of the raw
 * request body keyed with the app secret) in constant time. Returns false for a missing or
 * malformed header. `rawBody` must be the bytes as received: re-serialised JSON differs.
 * Throws for an empty `appSecret`, which would accept bodies signed with an empty key.
 */
export function verifyMetaSignature(appSecret: string, rawBody: string | Uint8Array, header: string | null | undefined): boolean {
  if (appSecret === '') throw new TypeError('invalid appSecret: "" (expected the Meta app secret)');
  if (typeof header !== 'string' || !header.startsWith(SIGNATURE_PREFIX)) return false;

  const givenHex = header.slice(SIGNATURE_PREFIX.length).trim();
  if (!/^[0-9a-fA-F]{64}$/.test(givenHex)) return false;

  const expected = createHmac('sha256', appSecret).update(rawBody).digest();
  return timingSafeEqual(expected, Buffer.from(givenHex, 'hex'));
}

// ─── webhook events ────────────────────────────────────────────────────────

/**
 * A person's action that opens the standard messaging window: a message (`text` when it
 * has text) or a tap on a button (`postback`, `text` is the button title).
 */
export interface MessengerInbound {
  kind: 'message' | 'postback';
  psid: string;
  pageId: string;
  /** Epoch milliseconds, as Meta stamps the event. */
  timestamp: number;
  text?: string;
}

/** A change to a person's marketing-messages opt-in: first opt-in or re-opt-in, stop, resume. */
export interface MessengerOptin {
  kind: 'opt_in' | 'stop' | 'resume';
  psid: string;
  pageId: string;
  timestamp: number;
  notificationToken: string;
  /** Epoch milliseconds; absent when Meta sends no expiry (tokens issued since August 2023 do not expire). */
  tokenExpiresAt?: number;
}

export interface MessengerWebhookEvents {
  inbound: MessengerInbound[];
  optins: MessengerOptin[];
}

const idSchema = z.string().regex(/^[0-9]{1,32}$/, 'expected a numeric id');

/** Meta sends epoch milliseconds as a number or, in `optin` fields, as a numeric string. */
const epochSchema = z.union([z.number().int().nonnegative(), z.string().regex(/^[0-9]{1,16}$/).transform(Number)], {
  error: 'expected a Unix timestamp',
});

const OPTIN_STATUS = {
  STOP_NOTIFICATIONS: 'stop',
  'STOP NOTIFICATIONS': 'stop',
  RESUME_NOTIFICATIONS: 'resume',
  'RESUME NOTIFICATIONS': 'resume',
} as const;

const optinSchema = z
  .object({
    type: z.string().optional(),
    notification_messages_token: z.string().min(1).optional(),
    token_expiry_timestamp: epochSchema.optional(),
    // Meta's reference spells the values with a space, delivered payloads with an underscore.
    notification_messages_status: z.enum(Object.keys(OPTIN_STATUS) as [keyof typeof OPTIN_STATUS]).optional(),
  })
  .superRefine((optin, ctx) => {
    if (optin.type === 'notification_messages' && optin.notification_messages_token === undefined) {
      ctx.addIssue({ code: 'custom', path: ['notification_messages_token'], message: 'expected the token for a notification_messages opt-in' });
    }
  });

const messagingSchema = z.object({
  sender: z.object({ id: idSchema }),
  recipient: z.object({ id: idSchema }),
  timestamp: epochSchema,
  message: z.object({ text: z.string().optional(), is_echo: z.boolean().optional() }).optional(),
  postback: z.object({ title: z.string().optional() }).optional(),
  optin: optinSchema.optional(),
});

const webhookSchema = z.object({
  object: z.literal('page', { error: 'expected "page" (a Messenger webhook)' }),
  entry: z.array(
    z.object({
      id: idSchema,
      // Handover, standby and change events come without `messaging`; they carry nothing for campaigns.
      messaging: z.array(messagingSchema).optional(),
    }),
  ),
});

/**
 * Parses a Messenger webhook body (already JSON-decoded, signature already checked) into
 * the events campaigns use. Echoes of the page's own messages, delivery and read receipts
 * and plugin opt-ins without a token are skipped. Throws an `invalid_input` CloudburstError
 * that names the field path, such as `entry.0.messaging.1.sender.id`.
 */
export function parseMessengerWebhook(body: unknown): MessengerWebhookEvents {
  const parsed = parseWebhookBody(body);
  const events: MessengerWebhookEvents = { inbound: [], optins: [] };

  for (const entry of parsed.entry) {
    for (const event of entry.messaging ?? []) {
      const base = { psid: event.sender.id, pageId: event.recipient.id, timestamp: event.timestamp };

      if (event.message !== undefined && event.message.is_echo !== true) {
        events.inbound.push({ kind: 'message', ...base, ...(event.message.text === undefined ? {} : { text: event.message.text }) });
      }
      if (event.postback !== undefined) {
        events.inbound.push({ kind: 'postback', ...base, ...(event.postback.title === undefined ? {} : { text: event.postback.title }) });
      }

      const optin = event.optin;
      if (optin?.type === 'notification_messages' && optin.notification_messages_token !== undefined) {
        const status = optin.notification_messages_status;
        const expiry = optin.token_expiry_timestamp;
        events.optins.push({
          kind: status === undefined ? 'opt_in' : OPTIN_STATUS[status],
          ...base,
          notificationToken: optin.notification_messages_token,
          ...(expiry === undefined ? {} : { tokenExpiresAt: toEpochMs(expiry) }),
        });
      }
    }
  }
  return events;
}

/** Validates with `webhookSchema`; the first issue becomes an error naming its field path and the value there. */
function parseWebhookBody(body: unknown): z.infer<typeof webhookSchema> {
  const result = webhookSchema.safeParse(body);
  if (result.success) return result.data;

  const issue = result.error.issues[0]!;
  const field = issue.path.map(String).join('.') || '(body)';
  let value: unknown = body;
  for (const key of issue.path) value = typeof value === 'object' && value !== null ? (value as Record<PropertyKey, unknown>)[key] : undefined;

  throw new CloudburstError('invalid_input', `invalid ${field}: ${formatValue(value)} (${issue.message})`, { field, value: clipValue(value) });
}

/**
 * Meta documents `token_expiry_timestamp` only as a "unix timestamp".
 * NOTE: values below 10^12 are taken as seconds and the rest as milliseconds; both
 * forms appear in third-party examples, and 10^12 ms is September 2001.
 */
function toEpochMs(value: number): number {
  return value < 1e12 ? value * 1000 : value;
}
