/**
 * The HTTP half shared by the JSON API providers (X, Messenger): one POST with a
 * deadline, read back whole, and the outcomes that are the same for every API
 * (network failure, timeout).
 */
import type { SendOutcome } from './types.js';

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
  headers: Record<string, string>;
  body: unknown;
  timeoutMs: number;
}

/**
 * Posts `body` as JSON to `url` and reads the reply. A network error or a reply
 * slower than `timeoutMs` (connect and body together) becomes a `retry` outcome;
 * every HTTP status comes back as a reply for the caller to map.
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
    return { ok: false, outcome: networkFailure(options.provider, error, options.timeoutMs) };
  }
}

/** Maps a fetch failure (timeout, refused connection, reset) to a retry that names the cause. */
export function networkFailure(provider: string, error: unknown, timeoutMs: number): SendOutcome {
  if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')) {
    return { status: 'retry', reason: `${provider} did not answer within ${timeoutMs} ms`, providerCode: 'timeout' };
  }

  // undici puts the system error (ECONNREFUSED, ECONNRESET, ENOTFOUND) in `cause`.
  const cause = error instanceof Error ? (error.cause as { code?: unknown } | undefined) : undefined;
  const code = typeof cause?.code === 'string' ? cause.code : 'network_error';
  const message = error instanceof Error ? error.message : String(error);
  return { status: 'retry', reason: `${provider} request failed: ${message} (${code})`, providerCode: code };
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
