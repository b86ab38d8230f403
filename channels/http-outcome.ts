/**
 * The HTTP half shared by the JSON API providers (X, Messenger): one POST with a
 * deadline, read back whole, and the outcomes that are the same for every API
 * (network failure, timeout).
 */
import type { SendOutcome } from './types.js';
import { provesNotConnected, unknownOutcome } from './unknown-outcome.js';

/** Reply of the API with its body already read; `json` is undefined when the body is not JSON. */
export interface HttpReply {
  status: number;
  headers: Headers;
  bodyText: string;
  json: unknown;
}

export type PostResult = { ok: true; reply: HttpReply } | { ok: false; outcome: SendOutcome };

export interface PostJsonOptions {
  /** Provider name for reasons, such as `X` or `Messenger`. */
  provider: string;
  /** Place a person checks for the message when the outcome is unknown, such as `the X account's posts`. */
  checkIn: string;
  headers: Record<string, string>;
  body: unknown;
  timeoutMs: number;
}

/**
 * Posts `body` as JSON to `url` and reads the reply. Every HTTP status comes back as a
 * reply for the caller to map. A failure without a reply becomes an outcome, see `networkFailure`.
 */
export async function postJson(url: string, options: PostJsonOptions): Promise<PostResult> {
  try {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...options.headers },
      body: JSON.stringify(options.body),
      signal: AbortSignal.timeout(options.timeoutMs),
    });
    const bodyText = await response.text();
    return { ok: true, reply: { status: response.status, headers: response.headers, bodyText, json: parseJsonOrUndefined(bodyText) } };
  } catch (error) {
    return { ok: false, outcome: networkFailure(options.provider, error, options.timeoutMs, options.checkIn) };
  }
}

/**
 * Maps a fetch failure. Only an error that proves no connection was made (refused, name
 * not found, TLS certificate rejected) is a `retry`. A timeout, a reset or a closed
 * connection may come after the provider read the request, so the outcome is unknown and
 * the message is parked as `failed` instead of being sent twice.
 */
export function networkFailure(provider: string, error: unknown, timeoutMs: number, checkIn: string): SendOutcome {
  if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')) {
    // NOTE: fetch does not say whether the deadline passed while connecting or after the
    // request was written, so a connect that hangs past it is parked for a person as well.
    return unknownOutcome(`${provider} did not answer within ${timeoutMs} ms`, checkIn, 'timeout');
  }

  // undici rejects with TypeError("fetch failed") and puts the socket or system error
  // (ECONNREFUSED, UND_ERR_SOCKET "other side closed", ECONNRESET) in `cause`.
  const cause = error instanceof Error && error.cause !== undefined ? error.cause : error;
  const causeCode = (cause as { code?: unknown } | null)?.code;
  const code = typeof causeCode === 'string' ? causeCode : 'network_error';
  const message = cause instanceof Error ? cause.message : String(cause);

  if (provesNotConnected(cause)) {
    return { status: 'retry', reason: `Could not connect to ${provider}: ${clipReason(message)}`, providerCode: code };
  }
  return unknownOutcome(`${provider} request failed without a reply: ${clipReason(message)} (${code})`, checkIn, code);
}

/** Returns `ms` limited to 0 … `maxMs`, or undefined when it is not a finite number. */
export function clampRetryAfter(ms: number, maxMs: number): number | undefined {
  if (!Number.isFinite(ms)) return undefined;
  return Math.min(maxMs, Math.max(0, Math.round(ms)));
}

/** Parses an HTTP `Retry-After` given in seconds; the HTTP-date form is not used by X or Meta. */
export function retryAfterSecondsHeader(headers: Headers): number | undefined {
  const value = headers.get('retry-after');
  if (value === null || !/^\d+$/.test(value.trim())) return undefined;
  return Number(value.trim()) * 1000;
}

/** Clips an API's own error text so one odd reply cannot bloat the parked job's reason. */
export function clipReason(text: string, maxChars = 300): string {
  const oneLine = text.replace(/\s+/g, ' ').trim();
  return oneLine.length > maxChars ? `${oneLine.slice(0, maxChars)}…` : oneLine;
}

function parseJsonOrUndefined(text: string): unknown {
  if (text === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    // Proxies and load balancers reply to a 502 or 503 with HTML, so the status alone decides then.
    return undefined;
  }
}
