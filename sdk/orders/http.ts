/**
 * Sending the order API's requests, from the SDK's OrderClient and the customer's order
 * page. Requests are plain values (see requests.ts), so tests check them without a
 * server. Nothing here logs, because a body may contain a card number.
 */

/** An HTTP request to this server, with a path relative to its origin. */
export interface HttpRequest {
  method: 'GET' | 'POST';
  path: string;
  headers: Record<string, string>;
  /** JSON text. */
  body?: string;
}

/** An HTTP reply with its parsed JSON body; `null` when the body was empty or not JSON. */
export interface HttpReply {
  status: number;
  body: unknown;
}

/** The `error` object of an error reply: `{ error: { code, message, field?, value?, reason?, ... } }`. */
export interface ErrorBody {
  code: string;
  message: string;
  field?: string;
  value?: unknown;
  /** Reason code of a rejected code or payment, such as `expired` or `already_redeemed`. */
  reason?: string;
  /** For a code's minimum spend: how much more the cart needs, in minor units. */
  missingMinor?: number;
  /** For a declined card: the provider's decline code, such as `generic_decline`. */
  declineCode?: string | null;
  retriable?: boolean;
}

/** Status of an `ApiError` for a request that got no HTTP reply. */
export const NO_REPLY_STATUS = 0;

/** An error reply of the API, or a request that got no reply (status 0, code `network`). */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  /** Dotted path of the rejected field, such as `customer.phone` or `lines.1.quantity`. */
  readonly field: string | undefined;
  readonly value: unknown;
  readonly reason: string | undefined;
  readonly missingMinor: number | undefined;
  /** The whole reply body: a payment error also carries the order and the payment. */
  readonly body: unknown;

  constructor(status: number, error: ErrorBody, body: unknown = null) {
    super(error.message);
    this.name = 'ApiError';
    this.status = status;
    this.code = error.code;
    this.field = error.field;
    this.value = error.value;
    this.reason = error.reason;
    this.missingMinor = error.missingMinor;
    this.body = body;
  }

  /** True when the same request may succeed later: no reply at all, 429, or a 5xx. */
  get retriable(): boolean {
    return this.status === NO_REPLY_STATUS || this.status === 429 || this.status >= 500;
  }
}

/** Returns the error reply as an ApiError, with a generic error when the body has no `error` object. */
export function apiErrorOf(reply: HttpReply): ApiError {
  const error = (reply.body as { error?: Partial<ErrorBody> } | null)?.error;
  if (error && typeof error.code === 'string' && typeof error.message === 'string') {
    return new ApiError(reply.status, error as ErrorBody, reply.body);
  }
  return new ApiError(reply.status, { code: 'http_error', message: `the server replied with HTTP ${reply.status} and no error body` }, reply.body);
}

/**
 * Sends a request and returns its reply whatever the status.
 *
 * @throws ApiError with status 0 and code `network` when no reply arrived
 */
export async function send(request: HttpRequest, fetchImpl: typeof fetch = globalThis.fetch.bind(globalThis)): Promise<HttpReply> {
  let response: Response;
  try {
    response = await fetchImpl(request.path, { method: request.method, headers: request.headers, body: request.body });
  } catch (error) {
    // The message may quote the request, never its body, so it is safe to show.
    const reason = error instanceof Error ? error.message : String(error);
    throw new ApiError(NO_REPLY_STATUS, { code: 'network', message: `${request.method} ${request.path} got no reply: ${reason}`, retriable: true });
  }

  const text = await response.text();
  let body: unknown = null;
  if (text !== '') {
    try {
      body = JSON.parse(text);
    } catch {
      // A proxy's HTML error page is not JSON; apiErrorOf reports its status instead.
      body = null;
    }
  }
  return { status: response.status, body };
}

/**
 * Sends a request and returns the body of a 2xx reply.
 *
 * @throws ApiError for any other status, or when no reply arrived
 */
export async function sendForBody<T>(request: HttpRequest, fetchImpl?: typeof fetch): Promise<T> {
  const reply = await send(request, fetchImpl);
  if (reply.status < 200 || reply.status > 299) throw apiErrorOf(reply);
  return reply.body as T;
}
