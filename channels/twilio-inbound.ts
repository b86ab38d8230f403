/**
 * Pure helpers for the two Twilio webhooks: an inbound SMS (`POST` to the number's or
 * Messaging Service's incoming-message URL) and a delivery status callback (`POST` to the
 * `StatusCallback` URL of a sent message). Both arrive form-encoded and signed with the
 * account's auth token in `X-Twilio-Signature`. A route handler runs, in order:
 * verifyTwilioSignature, then parseInboundSms or parseStatusCallback, then replies with
 * the TwiML of keywordReply (inbound) or an empty 200 (status callback).
 */
import twilio from 'twilio';
import type { MessageStatus } from 'twilio/lib/rest/api/v2010/account/message.js';
import { z } from 'zod';
import { parseInput } from '../common/validation.js';
import { E164 } from './twilio-config.js';

/** Content type of the TwiML documents built here. */
export const TWIML_CONTENT_TYPE = 'text/xml; charset=utf-8';

/**
 * Checks that a webhook request was signed by Twilio with `authToken`.
 *
 * `publicUrl` must be the full URL Twilio requested, exactly as configured at Twilio:
 * scheme, host, port, path and query string. Behind a TLS-terminating proxy that is the
 * public `https://` URL, not the URL the server receives (`http://10.0.0.5:8080/...`),
 * because Twilio signs the URL it called together with the sorted POST parameters.
 *
 * @param params - the form-decoded POST body, every field as received
 * @param signatureHeader - the `X-Twilio-Signature` header; missing or empty fails
 * @throws Error when `authToken` is empty or `publicUrl` is not an absolute URL, which are
 *   configuration mistakes rather than bad requests
 */
export function verifyTwilioSignature(
  authToken: string,
  publicUrl: string,
  params: Record<string, string | string[]>,
  signatureHeader: string | null | undefined,
): boolean {
  if (authToken === '') throw new Error('invalid twilio.authToken: missing (expected the auth token that signs webhooks)');
  if (!URL.canParse(publicUrl)) {
    throw new Error(`invalid publicUrl: ${JSON.stringify(publicUrl)} (expected the absolute URL Twilio calls)`);
  }
  if (signatureHeader === null || signatureHeader === undefined || signatureHeader === '') return false;

  return twilio.validateRequest(authToken, signatureHeader, publicUrl, params);
}

export type InboundKeyword = 'stop' | 'start' | 'help';

// Twilio's default keywords on long codes and toll-free numbers. STOP, STOPALL,
// UNSUBSCRIBE, CANCEL, END and QUIT are listed in "Twilio support for opt-out keywords
// (SMS STOP filtering)" (support.twilio.com article 223134027). The list in
// https://www.twilio.com/docs/messaging/tutorials/advanced-opt-out adds OPTOUT and REVOKE.
const STOP_KEYWORDS = new Set(['STOP', 'STOPALL', 'UNSUBSCRIBE', 'CANCEL', 'END', 'QUIT', 'OPTOUT', 'REVOKE']);
const START_KEYWORDS = new Set(['START', 'YES', 'UNSTOP']);
const HELP_KEYWORDS = new Set(['HELP', 'INFO']);

/**
 * Classifies an inbound SMS as an opt-out, opt-in or help keyword, or null.
 *
 * The article above states that only a single-word message triggers the block: "STOP"
 * opts out, "STOP PLEASE" does not. So the whole message, trimmed and compared without
 * regard to case, must equal a keyword, and "stop sending me this" is null.
 * NOTE: punctuation is not stripped, so "Stop." is null here. The article does not say
 * whether Twilio's own filter matches it. If it does, Twilio blocks the number while we
 * record nothing, and later sends fail with 21610.
 */
export function classifyInboundKeyword(body: string): InboundKeyword | null {
  const word = body.trim().toUpperCase();
  if (STOP_KEYWORDS.has(word)) return 'stop';
  if (START_KEYWORDS.has(word)) return 'start';
  if (HELP_KEYWORDS.has(word)) return 'help';
  return null;
}

const messageSid = z.string().regex(/^(SM|MM)[0-9a-fA-F]{32}$/, 'expected "SM" or "MM" followed by 32 hex digits');
const e164 = z.string().regex(E164, 'expected an E.164 number such as "+14155550100"');
// A Messaging Service may include a short code, which is 3 to 8 digits without "+".
const ourNumber = z.union([e164, z.string().regex(/^\d{3,8}$/)], {
  error: 'expected an E.164 number or a short code',
});

const inboundSmsSchema = z.object({
  MessageSid: messageSid,
  From: e164,
  To: ourNumber,
  // An MMS with only a picture arrives with an empty Body.
  Body: z.string(),
});

/** An SMS a recipient sent to one of our numbers. */
export interface InboundSms {
  messageSid: string;
  /** The recipient who wrote, in E.164. */
  from: string;
  /** Our number or short code that received it. */
  to: string;
  body: string;
}

/**
 * Parses the form fields of an inbound SMS webhook.
 *
 * @throws CloudburstError `invalid_input` naming the first invalid field, such as `From`
 */
export function parseInboundSms(params: Record<string, unknown>): InboundSms {
  const fields = parseInput(inboundSmsSchema, params);
  return { messageSid: fields.MessageSid, from: fields.From, to: fields.To, body: fields.Body };
}

/** Every `MessageStatus` value the twilio package (v6) declares. */
export const MESSAGE_STATUSES = [
  'queued',
  'sending',
  'sent',
  'failed',
  'delivered',
  'undelivered',
  'receiving',
  'received',
  'accepted',
  'scheduled',
  'read',
  'partially_delivered',
  'canceled',
] as const satisfies readonly MessageStatus[];

export type DeliveryStatus = (typeof MESSAGE_STATUSES)[number];

const statusCallbackSchema = z.object({
  MessageSid: messageSid,
  MessageStatus: z.enum(MESSAGE_STATUSES),
  // An empty ErrorCode is read as no error code rather than rejecting the callback.
  ErrorCode: z.preprocess(
    (value) => (value === '' ? undefined : value),
    z.string().regex(/^\d{1,6}$/, 'expected a numeric Twilio error code such as "30003"').optional(),
  ),
});

/** A delivery status report for a message we sent. */
export interface StatusCallback {
  messageSid: string;
  status: DeliveryStatus;
  /** Twilio's error code for `failed` and `undelivered`, such as 30003. describeTwilioError explains it. */
  errorCode?: number;
}

/**
 * Parses the form fields of a message status callback.
 *
 * @throws CloudburstError `invalid_input` naming the first invalid field, such as `MessageStatus`
 */
export function parseStatusCallback(params: Record<string, unknown>): StatusCallback {
  const fields = parseInput(statusCallbackSchema, params);
  const callback: StatusCallback = { messageSid: fields.MessageSid, status: fields.MessageStatus };
  if (fields.ErrorCode !== undefined) callback.errorCode = Number(fields.ErrorCode);
  return callback;
}

/** The sender as recipients know it, named in the HELP reply. */
export interface Brand {
  name: string;
  /** Help contact, such as a web address or a phone number. */
  contact?: string;
}

/**
 * Builds the TwiML reply to HELP or INFO: who is writing and how to stop.
 *
 * NOTE: on a long code with Twilio's default keyword handling, Twilio also answers HELP
 * with its own text, so the recipient gets two replies. With Advanced Opt-Out on a
 * Messaging Service the operator can set that text at Twilio instead and skip this reply.
 */
export function helpReply(brand: Brand): string {
  const name = brand.name.trim();
  if (name === '') throw new Error('invalid brand.name: "" (expected the name recipients know the sender by)');

  const contact = brand.contact?.trim() ? ` Help: ${brand.contact.trim()}.` : '';
  const text = `${name}: offers by text.${contact} Reply STOP to unsubscribe, START to subscribe again. Msg & data rates may apply.`;
  const response = new twilio.twiml.MessagingResponse();
  response.message(text);
  return response.toString();
}

/** Builds a TwiML document that sends no reply. */
export function emptyReply(): string {
  return new twilio.twiml.MessagingResponse().toString();
}

/**
 * Builds the TwiML reply to an inbound SMS once its keyword is known.
 *
 * Only HELP gets our reply. For STOP and START on a long code Twilio itself sends the
 * confirmation and blocks or unblocks the number, so a reply from us would confirm
 * twice. The caller still records the opt-out or opt-in. Any other message gets no reply.
 */
export function keywordReply(keyword: InboundKeyword | null, brand: Brand): string {
  return keyword === 'help' ? helpReply(brand) : emptyReply();
}
