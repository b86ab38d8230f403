/**
 * Loopback stand-in for the Messenger Send API (`POST /{version}/me/messages`). It checks
 * the page access token and, when an app secret is set, `appsecret_proof`. It records every
 * request and replies in Graph's shapes: `{ recipient_id, message_id }` on success and
 * `{ error: { message, type, code, error_subcode, fbtrace_id } }` on failure. Recipients can
 * be marked outside the window, unavailable or unknown, and rate limits (613), 5xx replies,
 * requests left unanswered and connections closed without a reply can be injected.
 */
import { createHmac } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface GraphStandInOptions {
  pageAccessToken: string;
  /** When set, every request must carry `appsecret_proof` computed with this secret. */
  appSecret?: string;
}

export interface RecordedGraphRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  authorization?: string;
  contentType?: string;
  rawBody: string;
  /** `rawBody` parsed as JSON, or undefined when it is not JSON. */
  body: unknown;
}

export interface GraphStandIn {
  /** Base URL to pass as `apiBaseUrl`. */
  url: string;
  requests: RecordedGraphRequest[];
  /** Page-scoped ids rejected with code 10, subcode 2018278 (outside the allowed window). */
  outsideWindowPsids: Set<string>;
  /** Page-scoped ids rejected with code 551 (person not available). */
  unavailablePsids: Set<string>;
  /** Page-scoped ids rejected with code 100, subcode 2018001 (no matching user). */
  unknownPsids: Set<string>;
  /** Rejects the next `count` authorised requests with code 613 (rate limit). */
  rateLimitNext(count: number): void;
  /**
   * Rejects the next `count` authorised requests with HTTP `status` (default 500) and `body`
   * (JSON, or a string sent as HTML). The default body is a transient code 2 Graph error.
   */
  failNext(count: number, status?: number, body?: unknown): void;
  /** Leaves the next `count` requests unanswered, so the client's timeout fires. */
  stallNext(count: number): void;
  /** Reads the next `count` requests whole, then closes their connections without a reply. */
  resetNext(count: number): void;
  close(): Promise<void>;
}

const SEND_PATH = /^\/v[0-9]+\.[0-9]+\/me\/messages$/;
const MESSAGING_TYPES = new Set(['RESPONSE', 'UPDATE', 'MESSAGE_TAG']);

export async function startGraphStandIn(options: GraphStandInOptions): Promise<GraphStandIn> {
  const requests: RecordedGraphRequest[] = [];
  const outsideWindowPsids = new Set<string>();
  const unavailablePsids = new Set<string>();
  const unknownPsids = new Set<string>();
  let rateLimited = 0;
  let failures: { remaining: number; status: number; body?: unknown } = { remaining: 0, status: 500 };
  let stalls = 0;
  let resets = 0;
  let sequence = 0;

  function handle(request: IncomingMessage, rawBody: string, response: ServerResponse): void {
    const requestUrl = new URL(request.url ?? '/', 'http://127.0.0.1');
    const query = Object.fromEntries(requestUrl.searchParams);
    const body = parseJson(rawBody);
    requests.push({
      method: request.method ?? '',
      path: requestUrl.pathname,
      query,
      ...(request.headers.authorization === undefined ? {} : { authorization: request.headers.authorization }),
      ...(request.headers['content-type'] === undefined ? {} : { contentType: request.headers['content-type'] }),
      rawBody,
      body,
    });

    if (stalls > 0) {
      stalls -= 1;
      return;
    }
    if (resets > 0) {
      resets -= 1;
      request.socket.destroy();
      return;
    }

    // authorise: the token from the header or the query, then the proof when required
    const bearer = /^Bearer (.+)$/.exec(request.headers.authorization ?? '')?.[1];
    const token = bearer ?? query.access_token;
    if (token !== options.pageAccessToken) {
      return graphError(response, 400, { message: 'Invalid OAuth access token - Cannot parse access token', type: 'OAuthException', code: 190 });
    }
    if (options.appSecret !== undefined) {
      const expected = createHmac('sha256', options.appSecret).update(token).digest('hex');
      if (query.appsecret_proof === undefined) {
        return graphError(response, 400, { message: 'API calls from the server require an appsecret_proof argument', type: 'GraphMethodException', code: 100 });
      }
      if (query.appsecret_proof !== expected) {
        return graphError(response, 400, { message: 'Invalid appsecret_proof provided in the API argument', type: 'GraphMethodException', code: 100 });
      }
    }

    // injected faults
    if (failures.remaining > 0) {
      failures.remaining -= 1;
      if (failures.body !== undefined) return sendBody(response, failures.status, failures.body);
      return graphError(response, failures.status, {
        message: 'An unexpected error has occurred. Please retry your request later.',
        type: 'OAuthException',
        code: 2,
        is_transient: true,
      });
    }
    if (rateLimited > 0) {
      rateLimited -= 1;
      return graphError(response, 400, { message: '(#613) Calls to this api have exceeded the rate limit.', type: 'OAuthException', code: 613 });
    }

    // validate the Send API request
    if (request.method !== 'POST' || !SEND_PATH.test(requestUrl.pathname)) {
      return graphError(response, 400, { message: `Unsupported ${request.method ?? ''} request to ${requestUrl.pathname}`, type: 'GraphMethodException', code: 100 });
    }
    const send = body as { recipient?: Record<string, unknown>; messaging_type?: unknown; tag?: unknown; message?: { text?: unknown } } | undefined;
    if (typeof send?.messaging_type !== 'string' || !MESSAGING_TYPES.has(send.messaging_type)) {
      return paramError(response, 'messaging_type must be one of RESPONSE, UPDATE, MESSAGE_TAG');
    }
    if (send.messaging_type === 'MESSAGE_TAG' && typeof send.tag !== 'string') return paramError(response, 'tag is required for MESSAGE_TAG');
    if (typeof send.message?.text !== 'string') return paramError(response, 'message.text must be a string');

    const psid = send.recipient?.id;
    const notificationToken = send.recipient?.notification_messages_token;
    if ((typeof psid === 'string') === (typeof notificationToken === 'string')) {
      return paramError(response, 'recipient must have exactly one of id and notification_messages_token');
    }

    // reply per recipient
    if (typeof psid === 'string') {
      if (unknownPsids.has(psid)) {
        return graphError(response, 400, { message: '(#100) No matching user found', type: 'OAuthException', code: 100, error_subcode: 2018001 });
      }
      if (unavailablePsids.has(psid)) {
        return graphError(response, 400, { message: "(#551) This person isn't available right now.", type: 'OAuthException', code: 551, error_subcode: 1545041 });
      }
      if (outsideWindowPsids.has(psid)) {
        return graphError(response, 400, {
          message: '(#10) This message is sent outside of allowed window.',
          type: 'OAuthException',
          code: 10,
          error_subcode: 2018278,
        });
      }
    }

    sequence += 1;
    return sendJson(response, 200, { recipient_id: typeof psid === 'string' ? psid : `token-${sequence}`, message_id: `m_standin_${sequence}` });
  }

  function graphError(response: ServerResponse, status: number, error: Record<string, unknown>): void {
    sequence += 1;
    sendJson(response, status, { error: { ...error, fbtrace_id: `StandInTrace${sequence}` } });
  }

  function paramError(response: ServerResponse, message: string): void {
    graphError(response, 400, { message: `(#100) ${message}`, type: 'OAuthException', code: 100 });
  }

  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => handle(request, Buffer.concat(chunks).toString('utf8'), response));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    outsideWindowPsids,
    unavailablePsids,
    unknownPsids,
    rateLimitNext(count) {
      rateLimited = count;
    },
    failNext(count, status = 500, body) {
      failures = { remaining: count, status, body };
    },
    stallNext(count) {
      stalls = count;
    },
    resetNext(count) {
      resets = count;
    },
    close() {
      server.closeAllConnections();
      return new Promise((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
    },
  };
}

/** Sends `body` as JSON, or a string as it is, the way a proxy's HTML error page arrives. */
function sendBody(response: ServerResponse, status: number, body: unknown): void {
  if (typeof body !== 'string') return sendJson(response, status, body);
  response.writeHead(status, { 'content-type': 'text/html; charset=utf-8' });
  response.end(body);
}

function sendJson(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
  response.end(JSON.stringify(body));
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
