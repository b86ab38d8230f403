import { AsyncLocalStorage } from 'node:async_hooks';
import http from 'node:http';
import twilio from 'twilio';
import type RequestClient from 'twilio/lib/base/RequestClient.js';
import type * as TwilioHttpResponse from 'twilio/lib/http/response.js';

/** Slot for the headers of the last API reply received by a call inside `captureReply`. */
export interface ReplyCapture {
  headers?: Record<string, unknown>;
}

/**
 * The twilio package's HTTP client with two additions, passed as its `httpClient`
 * option, which is the library's documented way to change its requests:
 *
 * - With `apiBaseUrl`, every request to a `*.twilio.com` host goes to that origin
 *   instead, keeping the path, so tests reach a loopback stand-in.
 * - `captureReply` exposes the reply headers to the caller. The library drops them
 *   when it turns an error reply into a RestException, but a 429 needs its `Retry-After`.
 *   The capture is per call (AsyncLocalStorage), so concurrent sends do not mix up headers.
 *
 * The library's own retry on 429 stays off: the send scheduler owns every retry.
 */
export class TwilioHttpClient extends twilio.RequestClient {
  readonly #apiBase: URL | undefined;
  readonly #captures = new AsyncLocalStorage<ReplyCapture>();
  // The library sets only an https agent. A plain-http stand-in would otherwise use
  // Node's global agent, whose idle sockets close() could not release.
  readonly #httpAgent: http.Agent;

  constructor(options: { apiBaseUrl?: string; timeoutMs: number }) {
    super({ timeout: options.timeoutMs, autoRetry: false });
    this.#apiBase = options.apiBaseUrl === undefined ? undefined : new URL(options.apiBaseUrl);
    this.#httpAgent = new http.Agent({ keepAlive: true, timeout: options.timeoutMs });
    this.axios.defaults.httpAgent = this.#httpAgent;
  }

  override async request<TData>(options: RequestClient.RequestOptions<TData>): Promise<TwilioHttpResponse.default<TData>> {
    const uri = this.#apiBase === undefined ? options.uri : rebase(options.uri, this.#apiBase);
    const reply = await super.request({ ...options, uri });

    const capture = this.#captures.getStore();
    if (capture !== undefined) capture.headers = reply.headers as Record<string, unknown>;
    return reply;
  }

  /** Runs `call` and writes the headers of each reply it receives to `capture`. */
  captureReply<T>(capture: ReplyCapture, call: () => Promise<T>): Promise<T> {
    return this.#captures.run(capture, call);
  }

  /** Closes idle keep-alive sockets. Requests in flight finish or time out on their own. */
  close(): void {
    this.#httpAgent.destroy();
    const httpsAgent = this.axios.defaults.httpsAgent as { destroy?: () => void } | undefined;
    httpsAgent?.destroy?.();
  }
}

function rebase(uri: string, base: URL): string {
  const target = new URL(uri);
  if (target.hostname !== 'twilio.com' && !target.hostname.endsWith('.twilio.com')) return uri;

  const basePath = base.pathname.replace(/\/+$/, '');
  return `${base.origin}${basePath}${target.pathname}${target.search}`;
}
