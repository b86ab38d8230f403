/**
 * Webhook signatures in Stripe's scheme, used by the Stripe adapter and by the
 * sandbox: the header is `t=<unix seconds>,v1=<hex>`, where the hex is the
 * HMAC-SHA256 of `${t}.${rawBody}` under the endpoint's secret. Signing the
 * timestamp with the body lets the receiver reject replays of old deliveries.
 * A header may carry several `v1` entries while a secret is being rolled.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { CloudburstError } from '../common/errors.js';
import type { WebhookHeaders } from './types.js';

/**
 * Stripe's libraries default to 300 s. This check applies it both ways, so a delivery
 * signed more than 5 minutes before or after now is rejected.
 */
export const DEFAULT_WEBHOOK_TOLERANCE_SECONDS = 300;

/** Returns the hex HMAC-SHA256 of `${timestamp}.${rawBody}`. */
export function computeWebhookSignature(secret: string, rawBody: string, timestampSeconds: number): string {
  return createHmac('sha256', secret).update(`${timestampSeconds}.${rawBody}`, 'utf8').digest('hex');
}

/** Returns the signature header value for `rawBody`, signed at `timestampSeconds`. */
export function signWebhookPayload(secret: string, rawBody: string, timestampSeconds: number): string {
  return `t=${timestampSeconds},v1=${computeWebhookSignature(secret, rawBody, timestampSeconds)}`;
}

export interface VerifySignatureOptions {
  rawBody: string;
  /** The header value, or undefined when the request had none. */
  header: string | undefined;
  /** Header name, for error messages. */
  headerName: string;
  secret: string;
  toleranceSeconds?: number;
  /** Epoch milliseconds. */
  now: number;
}

/**
 * Checks a signature header against the raw body. The digests are compared in
 * constant time so a forger cannot learn a valid signature byte by byte.
 *
 * @throws CloudburstError `unauthorized` with the header name as field: missing or
 *   malformed header, timestamp outside the tolerance, or no `v1` entry that matches
 */
export function verifyWebhookSignature(options: VerifySignatureOptions): void {
  const { headerName } = options;
  if (options.secret === '') throw new Error('webhook secret is empty; configure the endpoint signing secret');
  if (options.header === undefined || options.header.trim() === '') {
    throw rejected(headerName, `${headerName} header is missing`);
  }

  const { timestamp, signatures } = parseSignatureHeader(options.header, headerName);
  const tolerance = options.toleranceSeconds ?? DEFAULT_WEBHOOK_TOLERANCE_SECONDS;
  const ageSeconds = Math.floor(options.now / 1000) - timestamp;
  if (Math.abs(ageSeconds) > tolerance) {
    throw rejected(
      headerName,
      `invalid ${headerName}: signed ${Math.abs(ageSeconds)} s ${ageSeconds >= 0 ? 'ago' : 'in the future'}, outside the tolerance of ${tolerance} s (check the sender's clock, or this is a replay)`,
    );
  }

  const expected = digest(computeWebhookSignature(options.secret, options.rawBody, timestamp));
  // Every entry is compared, with no early exit, so timing does not reveal which one matched.
  let matched = false;
  for (const signature of signatures) {
    if (timingSafeEqual(digest(signature), expected)) matched = true;
  }
  if (!matched) {
    throw rejected(headerName, `invalid ${headerName}: no v1 signature matches the body (wrong secret, or the body changed after signing)`);
  }
}

/** Looks up a header by name without regard to case, as HTTP header names are case-insensitive. */
export function findHeader(headers: WebhookHeaders, name: string): string | undefined {
  const lower = name.toLowerCase();
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() === lower) return value;
  }
  return undefined;
}

function parseSignatureHeader(header: string, headerName: string): { timestamp: number; signatures: string[] } {
  let timestamp: number | undefined;
  const signatures: string[] = [];

  for (const element of header.split(',')) {
    const separator = element.indexOf('=');
    if (separator < 0) continue;
    const key = element.slice(0, separator).trim();
    const value = element.slice(separator + 1).trim();
    if (key === 't' && /^\d{1,12}$/.test(value)) timestamp = Number(value);
    // Entries of other schemes are ignored, so a sender cannot downgrade the check to a weaker scheme.
    if (key === 'v1' && value !== '') signatures.push(value);
  }

  if (timestamp === undefined) throw rejected(headerName, `invalid ${headerName}: no timestamp (expected t=<unix seconds>,v1=<hex>)`);
  if (signatures.length === 0) throw rejected(headerName, `invalid ${headerName}: no v1 signature (expected t=<unix seconds>,v1=<hex>)`);
  return { timestamp, signatures };
}

/** SHA-256 of the text, so both sides of timingSafeEqual have the same length whatever was received. */
function digest(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

function rejected(headerName: string, message: string): CloudburstError {
  return new CloudburstError('unauthorized', message, { field: headerName });
}
