/**
 * X (formerly Twitter) API v2 provider: public posts through `POST /2/tweets` and
 * direct messages through `POST /2/dm_conversations/with/:participant_id/messages`,
 * both with a JSON body `{ text }` and an OAuth 2.0 user access token as the bearer.
 * Sources: https://docs.x.com/x-api/posts/manage-tweets/quickstart and
 * https://docs.x.com/fundamentals/rate-limits (429 with `x-rate-limit-reset` in epoch seconds).
 */
import { formatValue } from '../common/errors.js';
import { measurePost } from '../messages/post-length.js';
import { clampRetryAfter, clipReason, postJson, retryAfterSecondsHeader, type HttpReply } from './http-outcome.js';
import type { ChannelProvider, OutgoingMessage, SendOutcome } from './types.js';
import { serverErrorMayHaveActed, unknownOutcome } from './unknown-outcome.js';

export interface XProviderOptions {
  /** Default `https://api.x.com`; tests point it at the loopback stand-in. */
  apiBaseUrl?: string;
  /** OAuth 2.0 user access token with the `tweet.write` (posts) or `dm.write` (DMs) scope. */
  accessToken: string;
  /** Deadline for one request, connect and body together. */
  timeoutMs: number;
  /** Clock for turning `x-rate-limit-reset` into a delay; tests fix it. */
  now?: () => number;
}

/**
 * Maximum wait passed back for a 429. X's per-user limits reset every 15 minutes, so a
 * reset further away is a 24-hour cap or clock skew. The scheduler tries again after
 * this wait and gets a fresh reset time.
 */
export const MAX_RETRY_AFTER_MS = 15 * 60 * 1000;

/** X user ids are 64-bit integers sent as decimal strings. */
const USER_ID_PATTERN = /^[0-9]{1,19}$/;

/** Maximum length of a direct message X accepts, in characters. */
const MAX_DM_CHARS = 10_000;

/** The `detail` X returns for a post whose text equals one of the account's recent posts. */
const DUPLICATE_CONTENT_DETAIL = 'duplicate content';

/** Place a person checks for a message whose outcome is unknown, per kind. */
const CHECK_IN = { post: "the X account's posts", dm: "the X account's direct messages" } as const;

/**
 * Creates the X provider. A message with `kind: 'post'` and an empty `to` becomes a
 * public post; `kind: 'dm'` sends a direct message to the user id in `to`.
 *
 * The requests carry no idempotency key, so a repeated DM request is delivered as a second
 * DM. A timeout, a lost connection or a 500, 502 or 504 after the request may have reached
 * X therefore parks the message as `failed` with an unknown outcome instead of retrying it.
 */
export function createXProvider(options: XProviderOptions): ChannelProvider {
  const apiBaseUrl = (options.apiBaseUrl ?? 'https://api.x.com').replace(/\/+$/, '');
  const now = options.now ?? Date.now;
  const headers = { authorization: `Bearer ${options.accessToken}` };

  return {
    channel: 'x',
    name: 'x',

    async send(message: OutgoingMessage): Promise<SendOutcome> {
      if (message.channel !== 'x') {
        throw new Error(`X provider received a message for channel ${formatValue(message.channel)} (job ${message.jobId})`);
      }

      const request = buildRequest(message, apiBaseUrl);
      if ('outcome' in request) return request.outcome;

      const kind = message.kind === 'dm' ? 'dm' : 'post';
      const result = await postJson(request.url, {
        provider: 'X',
        checkIn: CHECK_IN[kind],
        headers,
        body: { text: message.text },
        timeoutMs: options.timeoutMs,
      });
      if (!result.ok) return result.outcome;

      return mapReply(result.reply, kind, now());
    },
  };
}

function buildRequest(message: OutgoingMessage, apiBaseUrl: string): { url: string } | { outcome: SendOutcome } {
  if (message.kind === 'post') {
    if (message.to !== '') return invalid(`invalid to for an X post: ${formatValue(message.to)} (expected "" because posts are public)`);

    const measure = measurePost(message.text);
    if (message.text.trim() === '') return invalid('invalid text for an X post: empty (expected the post text)');
    if (measure.remaining < 0) {
      return invalid(`invalid text for an X post: weighted length ${measure.weightedLength} (expected at most ${measure.limit})`);
    }
    if (!measure.valid) return invalid('invalid text for an X post: contains a character X rejects, such as U+FFFE');
    return { url: `${apiBaseUrl}/2/tweets` };
  }

  if (message.kind === 'dm') {
    if (!USER_ID_PATTERN.test(message.to)) return invalid(`invalid to for an X direct message: ${formatValue(message.to)} (expected a numeric X user id)`);

    const length = [...message.text].length;
    if (length === 0 || length > MAX_DM_CHARS) {
      return invalid(`invalid text for an X direct message: ${length} characters (expected 1 to ${MAX_DM_CHARS})`);
    }
    return { url: `${apiBaseUrl}/2/dm_conversations/with/${message.to}/messages` };
  }

  return invalid(`invalid kind for an X message: ${formatValue(message.kind)} (expected "post" or "dm")`);
}

function invalid(reason: string): { outcome: SendOutcome } {
  return { outcome: { status: 'failed', reason, providerCode: 'invalid_message' } };
}

/** X v2 problem details: `{ title, detail, type, status }`, and for 400s an `errors` array. */
interface XProblem {
  title?: unknown;
  detail?: unknown;
  errors?: Array<{ message?: unknown }>;
}

function mapReply(reply: HttpReply, kind: 'post' | 'dm', nowMs: number): SendOutcome {
  const { status } = reply;

  if (status >= 200 && status < 300) return mapAccepted(reply, kind);

  const detail = problemDetail(reply);
  const code = `http_${status}`;

  if (status === 429) {
    const retryAfterMs = rateLimitWait(reply.headers, nowMs);
    return { status: 'retry', reason: `X rate limit reached: ${detail}`, ...(retryAfterMs === undefined ? {} : { retryAfterMs }), providerCode: code };
  }
  // X's response-code list (docs.x.com/x-api/fundamentals/response-codes-and-errors)
  // recommends "wait and retry" for every 5xx. But a 500, 502 or 504 can follow a post or
  // DM that went out, and a retried DM would arrive twice.
  if (serverErrorMayHaveActed(status)) {
    return unknownOutcome(`X failed with HTTP ${status} after receiving the request: ${detail}`, CHECK_IN[kind], code);
  }
  if (status >= 500 || status === 408) {
    return { status: 'retry', reason: `X is unavailable (HTTP ${status}): ${detail}`, providerCode: code };
  }
  if (status === 401) {
    return { status: 'failed', reason: `X rejected the access token (HTTP 401): ${detail}; reconnect the X account`, providerCode: code };
  }
  if (status === 403 && kind === 'post' && detail.toLowerCase().includes(DUPLICATE_CONTENT_DETAIL)) {
    return { status: 'failed', reason: `X rejected the post as a duplicate of a recent post: ${detail}`, providerCode: 'duplicate_content' };
  }
  if (status === 403 && kind === 'dm') {
    // X returns the same bare 403 when the user does not accept DMs from this account and when the token lacks dm.write.
    return {
      status: 'failed',
      reason: `X refused the direct message (HTTP 403: ${detail}); the user may not accept direct messages from this account, or the token lacks the dm.write scope`,
      providerCode: 'dm_not_allowed',
    };
  }
  return { status: 'failed', reason: `X rejected the ${kind === 'dm' ? 'direct message' : 'post'} (HTTP ${status}): ${detail}`, providerCode: code };
}

function mapAccepted(reply: HttpReply, kind: 'post' | 'dm'): SendOutcome {
  const data = (reply.json as { data?: { id?: unknown; dm_event_id?: unknown } } | undefined)?.data;
  const id = kind === 'dm' ? data?.dm_event_id : data?.id;
  if (typeof id === 'string' && id !== '') return { status: 'sent', providerMessageId: id };

  // Retrying could publish twice, so an accepted request without an id is parked instead.
  const field = kind === 'dm' ? 'data.dm_event_id' : 'data.id';
  return {
    status: 'failed',
    reason: `X accepted the request (HTTP ${reply.status}) but the reply has no ${field}: ${clipReason(reply.bodyText, 120)}`,
    providerCode: 'missing_id',
  };
}

function problemDetail(reply: HttpReply): string {
  const problem = reply.json as XProblem | undefined;
  const parts: string[] = [];

  if (typeof problem?.detail === 'string') parts.push(problem.detail);
  else if (typeof problem?.title === 'string') parts.push(problem.title);

  const firstError = Array.isArray(problem?.errors) ? problem.errors[0]?.message : undefined;
  if (typeof firstError === 'string' && !parts.includes(firstError)) parts.push(firstError);

  if (parts.length === 0) return reply.bodyText === '' ? 'no details given' : clipReason(reply.bodyText, 120);
  return clipReason(parts.join(': '));
}

/** Milliseconds until `x-rate-limit-reset` (epoch seconds), else `Retry-After`, clamped to MAX_RETRY_AFTER_MS. */
function rateLimitWait(headers: Headers, nowMs: number): number | undefined {
  const reset = headers.get('x-rate-limit-reset');
  if (reset !== null && /^\d+$/.test(reset.trim())) return clampRetryAfter(Number(reset.trim()) * 1000 - nowMs, MAX_RETRY_AFTER_MS);

  const retryAfter = retryAfterSecondsHeader(headers);
  return retryAfter === undefined ? undefined : clampRetryAfter(retryAfter, MAX_RETRY_AFTER_MS);
}
