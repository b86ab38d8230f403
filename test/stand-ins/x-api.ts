/**
 * Loopback stand-in for the two X API v2 endpoints Cloudburst calls: `POST /2/tweets`
 * and `POST /2/dm_conversations/with/:participant_id/messages`. It records every request
 * and replies in X's shapes (201 with `data`, problem-details errors), with programmable
 * faults: a fixed-window rate limit, duplicate-content 403s, users who refuse DMs,
 * injected 5xx replies, requests left unanswered and connections closed without a reply.
 */
import { createServer, STATUS_CODES, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface XStandInOptions {
  /** The only bearer token accepted; any other gets 401. */
  accessToken: string;
  /** Allow `limit` requests per `windowMs`, counted from the first request of each window. */
  rateLimit?: { limit: number; windowMs: number };
  /** Id of the account the token belongs to, used in DM conversation ids. */
  accountUserId?: string;
  /** Clock for rate-limit windows and `x-rate-limit-reset`; tests fix it. */
  now?: () => number;
}

export interface RecordedXRequest {
  method: string;
  path: string;
  authorization?: string;
  contentType?: string;
  rawBody: string;
  /** `rawBody` parsed as JSON, or undefined when it is not JSON. */
  body: unknown;
}

export interface XStandIn {
  /** Base URL to pass as `apiBaseUrl`, such as `http://127.0.0.1:41234`. */
  url: string;
  requests: RecordedXRequest[];
  /** User ids whose DMs are refused with 403. */
  dmBlockedUserIds: Set<string>;
  /**
   * Replies to the next `count` authorised requests with `status` (default 503) and `body`
   * (JSON, or a string sent as HTML; default a problem-details object for that status),
   * before the rate limit and routing.
   */
  failNext(count: number, status?: number, body?: unknown): void;
  /** Leaves the next `count` requests unanswered, so the client's timeout fires. */
  stallNext(count: number): void;
  /** Reads the next `count` requests whole, then closes their connections without a reply. */
  resetNext(count: number): void;
  close(): Promise<void>;
}

const DUPLICATE_DETAIL = 'You are not allowed to create a Tweet with duplicate content.';
const DM_PATH = /^\/2\/dm_conversations\/with\/([^/]+)\/messages$/;

export async function startXStandIn(options: XStandInOptions): Promise<XStandIn> {
  const now = options.now ?? Date.now;
  const accountUserId = options.accountUserId ?? '1000000001';
  const requests: RecordedXRequest[] = [];
  const dmBlockedUserIds = new Set<string>();
  const postedTexts = new Set<string>();
  let nextId = 1_860_000_000_000_000_001n;
  let failures: { remaining: number; status: number; body?: unknown } = { remaining: 0, status: 503 };
  let stalls = 0;
  let resets = 0;
  let window = { start: 0, count: 0 };

  function handle(request: IncomingMessage, rawBody: string, response: ServerResponse): void {
    const path = (request.url ?? '/').split('?')[0]!;
    const body = parseJson(rawBody);
    requests.push({
      method: request.method ?? '',
      path,
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
    if (request.headers.authorization !== `Bearer ${options.accessToken}`) {
      return problem(response, 401, 'Unauthorized', 'Unauthorized');
    }
    if (failures.remaining > 0) {
      failures.remaining -= 1;
      if (failures.body !== undefined) return send(response, failures.status, failures.body);
      const title = STATUS_CODES[failures.status] ?? 'Error';
      return problem(response, failures.status, title, title);
    }
    if (options.rateLimit !== undefined && !takeRateLimitSlot(options.rateLimit, response)) {
      return problem(response, 429, 'Too Many Requests', 'Too Many Requests');
    }
    if (request.method !== 'POST') return problem(response, 405, 'Method Not Allowed', `${request.method ?? ''} is not allowed`);

    const text = (body as { text?: unknown } | undefined)?.text;
    if (typeof text !== 'string') {
      return send(response, 400, {
        errors: [{ parameters: { text: [] }, message: 'The `text` field is required and must be a string.' }],
        title: 'Invalid Request',
        detail: 'One or more parameters to your request was invalid.',
        type: 'https://api.twitter.com/2/problems/invalid-request',
      });
    }

    if (path === '/2/tweets') {
      if (postedTexts.has(text)) return problem(response, 403, 'Forbidden', DUPLICATE_DETAIL);
      postedTexts.add(text);
      return send(response, 201, { data: { id: takeId(), text } });
    }

    const dm = DM_PATH.exec(path);
    if (dm !== null) {
      const participantId = decodeURIComponent(dm[1]!);
      if (!/^[0-9]+$/.test(participantId)) return problem(response, 400, 'Invalid Request', `The participant_id ${participantId} is not a valid user id.`);
      if (dmBlockedUserIds.has(participantId)) return problem(response, 403, 'Forbidden', 'You cannot send messages to this user.');
      const [low, high] = [accountUserId, participantId].sort((a, b) => (BigInt(a) < BigInt(b) ? -1 : 1));
      return send(response, 201, { data: { dm_conversation_id: `${low}-${high}`, dm_event_id: takeId() } });
    }

    return problem(response, 404, 'Not Found Error', `no route for ${path}`);
  }

  function takeRateLimitSlot(limit: { limit: number; windowMs: number }, response: ServerResponse): boolean {
    const time = now();
    if (window.count === 0 || time >= window.start + limit.windowMs) window = { start: time, count: 0 };
    window.count += 1;

    response.setHeader('x-rate-limit-limit', String(limit.limit));
    response.setHeader('x-rate-limit-remaining', String(Math.max(0, limit.limit - window.count)));
    response.setHeader('x-rate-limit-reset', String(Math.ceil((window.start + limit.windowMs) / 1000)));
    return window.count <= limit.limit;
  }

  function takeId(): string {
    const id = nextId;
    nextId += 1n;
    return id.toString();
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
    dmBlockedUserIds,
    failNext(count, status = 503, body) {
      failures = { remaining: count, status, body };
    },
    stallNext(count) {
      stalls = count;
    },
    resetNext(count) {
      resets = count;
    },
    close() {
      // Stalled requests keep their sockets open; close them too so the test ends.
      server.closeAllConnections();
      return new Promise((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
    },
  };
}

function problem(response: ServerResponse, status: number, title: string, detail: string): void {
  send(response, status, { title, detail, type: 'about:blank', status });
}

/** Sends `body` as JSON, or a string as it is, the way a proxy's HTML error page arrives. */
function send(response: ServerResponse, status: number, body: unknown): void {
  if (typeof body === 'string') {
    response.writeHead(status, { 'content-type': 'text/html; charset=utf-8' });
    response.end(body);
    return;
  }
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
