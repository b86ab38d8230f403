import type { IncomingMessage, RequestListener, ServerOptions, ServerResponse } from 'node:http';

/** How long clients may take to send requests, in milliseconds. */
export interface HttpTimeouts {
  /** Time to send a whole request, body included, except an import upload. Default 300 s, Node's own default. */
  requestMs?: number;
  /** Time an import upload may send nothing while the server waits for its next bytes. Default 120 s. */
  uploadIdleMs?: number;
}

const DEFAULT_REQUEST_MS = 300_000;
// As long as a stalled import may write nothing before the server marks it failed.
const DEFAULT_UPLOAD_IDLE_MS = 120_000;
// Node's default, stated here because requestTimeout is turned off next to it.
const HEADERS_TIMEOUT_MS = 60_000;

// The reply Node writes when its own requestTimeout expires.
const REQUEST_TIMEOUT_REPLY = 'HTTP/1.1 408 Request Timeout\r\nConnection: close\r\n\r\n';

interface RequestDeadline {
  timer: NodeJS.Timeout;
  uploadIdleMs: number;
}

const deadlines = new WeakMap<IncomingMessage, RequestDeadline>();

/**
 * Returns the options of http.createServer for the API server. Node's
 * requestTimeout (300 s by default) is turned off, because it also cut off a
 * million-row import upload, which arrives only as fast as its batches are
 * stored. withRequestDeadline puts the same limit back on every other request.
 * headersTimeout still closes a connection whose headers take over 60 s.
 *
 * NOTE: an upload that keeps sending a little keeps its connection open, up to
 * 512 MiB, for as long as no gap exceeds uploadIdleMs. Only
 * admin-token holders reach the import route. A server exposed to the internet
 * should still sit behind a proxy with its own body timeouts and connection limits.
 */
export function httpServerOptions(): ServerOptions {
  return { requestTimeout: 0, headersTimeout: HEADERS_TIMEOUT_MS };
}

/**
 * Wraps the request listener so that a request whose body has not fully arrived
 * `requestMs` after its headers gets a 408 reply and its connection is closed,
 * as Node's requestTimeout does. An import upload leaves this deadline through
 * releaseForUpload and is limited by uploadIdleMs instead.
 *
 * @throws RangeError for a timeout that is not a positive integer
 */
export function withRequestDeadline(listener: RequestListener, timeouts: HttpTimeouts = {}): RequestListener {
  const requestMs = checkTimeout('requestMs', timeouts.requestMs ?? DEFAULT_REQUEST_MS);
  const uploadIdleMs = checkTimeout('uploadIdleMs', timeouts.uploadIdleMs ?? DEFAULT_UPLOAD_IDLE_MS);

  return function requestWithDeadline(request, response) {
    const timer = setTimeout(() => expire(request, response), requestMs);
    timer.unref();
    deadlines.set(request, { timer, uploadIdleMs });
    response.once('close', () => clearTimeout(timer));
    listener(request, response);
  };
}

/**
 * Takes a request out of its deadline, because it is an import upload, and
 * returns how long the upload may send nothing, in milliseconds. A request that
 * did not pass through withRequestDeadline, such as one from Hono's app.request
 * in a test, gets the default.
 */
export function releaseForUpload(request: IncomingMessage | undefined): number {
  const deadline = request === undefined ? undefined : deadlines.get(request);
  if (deadline === undefined) {
    return DEFAULT_UPLOAD_IDLE_MS;
  }
  clearTimeout(deadline.timer);
  return deadline.uploadIdleMs;
}

function expire(request: IncomingMessage, response: ServerResponse): void {
  // A request that arrived whole waits only for its reply, which is not the client's doing.
  if (request.complete) {
    return;
  }
  const socket = request.socket;
  if (!response.headersSent && socket.writable) {
    socket.write(REQUEST_TIMEOUT_REPLY);
  }
  socket.destroySoon();
}

function checkTimeout(name: string, value: number): number {
  if (!Number.isSafeInteger(value) || value <= 0) {
    throw new RangeError(`invalid httpTimeouts.${name}: ${String(value)} (expected a positive integer of milliseconds)`);
  }
  return value;
}
