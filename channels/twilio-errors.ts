/**
 * Twilio error codes and how a failed Messages API call maps to a send outcome.
 * Pure functions, so the mapping is tested without a server.
 */
import { ClientRequest } from 'node:http';
import type { SendOutcome } from './types.js';
import { provesNotConnected, serverErrorMayHaveActed, unknownOutcome } from './unknown-outcome.js';

/**
 * Codes this product acts on, with the reason shown in the console. Each code is
 * described at https://www.twilio.com/docs/api/errors/<code>. The 300xx codes arrive
 * in status callbacks (`ErrorCode`), after Twilio accepted the message.
 */
const TWILIO_ERROR_REASONS: ReadonlyMap<number, string> = new Map([
  [20003, 'Twilio rejected the account SID or auth token'],
  [20429, 'Twilio rate limit reached'],
  [21211, "invalid 'To' phone number"],
  [21408, "sending to the region of the 'To' number is not enabled in the account's geographic permissions"],
  [21610, "recipient replied STOP and is unsubscribed from this sender; only the recipient can opt in again (START)"],
  [21614, "'To' number is not a mobile number"],
  [30003, 'unreachable destination handset'],
  [30005, 'unknown destination handset'],
  [30006, 'landline or unreachable carrier'],
]);

const RATE_LIMITED = 20429;
const BAD_CREDENTIALS = 20003;

/** Place a person checks for a message whose outcome is unknown. */
const CHECK_IN = 'the messaging logs in the Twilio Console';

/** Bounds Twilio's message in a parked job's reason, so one unexpectedly long reply cannot bloat it. */
const MAX_PROVIDER_MESSAGE_CHARS = 300;

/** Returns the console reason for a Twilio error code, or undefined for a code not in the table. */
export function describeTwilioError(code: number): string | undefined {
  return TWILIO_ERROR_REASONS.get(code);
}

/** An error reply of the Messages API, as read from the twilio package's exception and the reply headers. */
export interface TwilioApiFailure {
  httpStatus: number;
  /** Twilio's own error code from the JSON body, such as 21211. */
  code?: number;
  /** Twilio's message from the JSON body. It may contain the recipient's number. */
  message?: string;
  /** The raw `Retry-After` header, when the reply had one. */
  retryAfter?: string;
}

/**
 * Maps an error reply to an outcome. 429 or 20429, 503 and 408 are `retry`. A 500, 502 or
 * 504 is `failed` because Twilio may have sent the message. Rejected credentials (401,
 * 403, 20003) and every other 4xx are `failed` for good.
 *
 * @param now - epoch milliseconds, to turn an HTTP-date `Retry-After` into a delay
 */
export function outcomeForApiFailure(failure: TwilioApiFailure, now: number = Date.now()): SendOutcome {
  const providerCode = failure.code !== undefined ? String(failure.code) : `http_${failure.httpStatus}`;
  const reason = describeFailure(failure);

  if (failure.httpStatus === 429 || failure.code === RATE_LIMITED) {
    const retryAfterMs = parseRetryAfter(failure.retryAfter, now);
    return retryAfterMs === undefined
      ? { status: 'retry', reason, providerCode }
      : { status: 'retry', reason, retryAfterMs, providerCode };
  }
  if (failure.httpStatus === 401 || failure.httpStatus === 403 || failure.code === BAD_CREDENTIALS) {
    // Retrying cannot help this message. Until the operator fixes the settings, every
    // message on this account fails the same way.
    return {
      status: 'failed',
      reason: `${reason}. Permanent for this message: fix twilio.accountSid and twilio.authToken, then send it again`,
      providerCode,
    };
  }
  // Twilio's page for error 20500 warns that retrying a POST that sends an SMS after a 500
  // may deliver it more than once. Its page for 20503 recommends retrying with back-off.
  if (serverErrorMayHaveActed(failure.httpStatus)) {
    return unknownOutcome(reason, CHECK_IN, providerCode);
  }
  if (failure.httpStatus >= 500 || failure.httpStatus === 408) {
    return { status: 'retry', reason, providerCode };
  }
  return { status: 'failed', reason, providerCode };
}

/**
 * Maps an error thrown before any reply arrived, such as axios's ECONNABORTED on timeout,
 * ECONNREFUSED or ECONNRESET. It is `retry` only when the request provably did not leave
 * this process. Otherwise Twilio may have created the message and a retry could send it
 * twice, so the outcome is `failed` with a reason stating that the outcome is unknown.
 */
export function outcomeForRequestError(error: unknown, timeoutMs: number): SendOutcome {
  const code = errorCode(error);
  const message = error instanceof Error ? error.message : String(error);
  const timedOut = code === 'ECONNABORTED' || code === 'ETIMEDOUT';

  if (!requestMayHaveLeft(error)) {
    return timedOut
      ? { status: 'retry', reason: `Twilio did not answer within ${timeoutMs} ms, before the request was sent (${code})`, providerCode: 'timeout' }
      : { status: 'retry', reason: `Could not connect to Twilio: ${clip(message)} (${code ?? 'no code'})`, providerCode: code ?? 'network_error' };
  }

  if (timedOut) return unknownOutcome(`Twilio did not answer within ${timeoutMs} ms (${code})`, CHECK_IN, 'timeout');
  if (code !== undefined) return unknownOutcome(`Twilio request failed without a reply: ${clip(message)} (${code})`, CHECK_IN, code);
  return unknownOutcome(`unexpected error from the twilio package: ${clip(message)}`, CHECK_IN, 'unexpected');
}

/**
 * Tells whether the whole request may have reached Twilio. axios puts the Node
 * ClientRequest on its error, and `writableFinished` turns true once the last byte of the
 * request was handed to the operating system. Before that Twilio has received at most part
 * of the form, which it cannot act on. Without a ClientRequest only a connect or DNS
 * failure proves that nothing left.
 */
function requestMayHaveLeft(error: unknown): boolean {
  const { request, cause } = (typeof error === 'object' && error !== null ? error : {}) as { request?: unknown; cause?: unknown };
  if (request instanceof ClientRequest) return request.writableFinished;
  return !provesNotConnected(error) && !provesNotConnected(cause);
}

/**
 * Parses `Retry-After` in either form of RFC 9110 section 10.2.3: delay-seconds or an
 * HTTP-date. Returns milliseconds, 0 for a date in the past, or undefined when absent or invalid.
 */
export function parseRetryAfter(header: string | undefined, now: number): number | undefined {
  const value = header?.trim();
  if (value === undefined || value === '') return undefined;
  if (/^\d+$/.test(value)) return Number(value) * 1000;

  const date = Date.parse(value);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - now);
}

function describeFailure(failure: TwilioApiFailure): string {
  const known = failure.code !== undefined ? describeTwilioError(failure.code) : undefined;
  const head = failure.code !== undefined ? `Twilio error ${failure.code}` : `Twilio HTTP ${failure.httpStatus}`;
  const parts = [known, failure.message ? clip(failure.message) : undefined].filter((part) => part !== undefined);
  return parts.length > 0 ? `${head}: ${parts.join(': ')}` : head;
}

function errorCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' && code !== '' ? code : undefined;
}

function clip(text: string): string {
  const oneLine = text.replace(/\s+/g, ' ').trim();
  return oneLine.length > MAX_PROVIDER_MESSAGE_CHARS ? `${oneLine.slice(0, MAX_PROVIDER_MESSAGE_CHARS)}…` : oneLine;
}
