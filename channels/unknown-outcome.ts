/**
 * The outcome of a send attempt that may have reached the provider, and the checks that
 * tell such an attempt apart from one that never left this process.
 *
 * Sending a message twice is worse than parking it. An attempt that timed out or lost its
 * connection after the request was written may have been accepted, and sending it again
 * could deliver it twice. So such an attempt is parked as `failed` with a reason that directs
 * a person to check the provider's log and to retry the send from the console only when the
 * message is missing.
 */
import type { SendOutcome } from './types.js';

export type FailedOutcome = Extract<SendOutcome, { status: 'failed' }>;

/**
 * Builds the `failed` outcome for an attempt whose result is unknown.
 *
 * @param cause - what went wrong, such as `X did not answer within 10000 ms`
 * @param checkIn - where a person looks for the message, such as `the X account's posts`
 * @param providerCode - the code of the cause, such as `timeout` or `http_500`
 */
export function unknownOutcome(cause: string, checkIn: string, providerCode: string): FailedOutcome {
  return {
    status: 'failed',
    reason:
      `${cause}. The provider may have accepted the message, so it was not sent again. ` +
      `Check ${checkIn}, and retry the send from the console only if the message is not there`,
    providerCode,
  };
}

/**
 * Node system-error and undici codes raised before a connection exists: the name did not
 * resolve, nothing listened, no route, the connect or the TLS handshake failed. A request
 * is written only after its connection is up, so these prove the provider got nothing.
 */
const NOT_CONNECTED_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ENETUNREACH',
  'EHOSTUNREACH',
  'EADDRNOTAVAIL',
  'UND_ERR_CONNECT_TIMEOUT',
  // certificate checks of the TLS handshake, which ends before the request is written
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'ERR_TLS_HANDSHAKE_TIMEOUT',
]);

/** System calls that run before a request can be written: name lookup and connect. */
const NOT_CONNECTED_SYSCALLS = new Set(['getaddrinfo', 'connect']);

/**
 * Returns true when `error` (a Node system error, or undici's error in a fetch failure's
 * `cause`) proves that no connection was made, so the request never reached the provider.
 */
export function provesNotConnected(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;

  const { code, syscall } = error as { code?: unknown; syscall?: unknown };
  if (typeof syscall === 'string' && NOT_CONNECTED_SYSCALLS.has(syscall)) return true;
  return typeof code === 'string' && NOT_CONNECTED_CODES.has(code);
}

/**
 * Tells whether an HTTP 5xx reply to a POST leaves open that the server acted on it.
 * RFC 9110 section 15.6.4 defines 503 as the server being unable to handle the request
 * (overload or maintenance), so it did not act. A 500 reports that the server failed while
 * handling it, and a 502 or 504 comes from a gateway that passed the request on, so with
 * those the message may have gone out. A provider whose documentation differs decides itself.
 */
export function serverErrorMayHaveActed(httpStatus: number): boolean {
  return httpStatus >= 500 && httpStatus !== 503;
}
