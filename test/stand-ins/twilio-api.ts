/**
 * A stand-in for the part of Twilio's REST API that Cloudburst calls, on 127.0.0.1 with a
 * port chosen by the OS: `POST /2010-04-01/Accounts/{AccountSid}/Messages.json`. It checks
 * HTTP basic auth, records every accepted message exactly as received, replies with
 * Twilio-shaped JSON, returns errors on request, and sends webhooks (status callbacks and
 * inbound SMS) signed the way Twilio signs them.
 *
 * Replies follow the shapes documented at https://www.twilio.com/docs/messaging/api/message-resource
 * and https://www.twilio.com/docs/api/errors; fields Cloudburst never reads are left out.
 */
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import twilio from 'twilio';

export interface TwilioStandInOptions {
  /** Defaults to a random `AC` SID. */
  accountSid?: string;
  /** Defaults to 32 random hex digits. */
  authToken?: string;
  /** Clock of the rate-limit window in epoch milliseconds. Tests pass a fixed one. */
  now?: () => number;
}

/** One message the stand-in accepted. */
export interface RecordedMessage {
  sid: string;
  accountSid: string;
  /** Every form field, decoded, exactly as the client sent it. */
  form: Record<string, string>;
  /** The request body before decoding. */
  rawBody: string;
  contentType: string | undefined;
}

/** One request of any kind, with the HTTP status of the reply (0 when none was sent: a stalled or reset request). */
export interface RecordedRequest {
  method: string;
  path: string;
  status: number;
}

/**
 * An error the stand-in returns until `clearRules`:
 * - `invalid-number` and `unsubscribed`: messages to `to` fail with 400 and 21211 or 21610.
 * - `error`: messages to `to` fail with any HTTP status and Twilio code.
 * - `stall`: requests for `to` never get a reply, to test the client's timeout.
 * - `reset`: requests for `to` are read whole, then the connection is closed without a reply.
 * - `rate-limit`: more than `perSecond` accepted messages from one sender (From or
 *   MessagingServiceSid) within 1000 ms get 429 with code 20429 and `Retry-After`.
 * - `server-errors`: the next `count` authenticated requests get 500.
 */
export type TwilioStandInRule =
  | { kind: 'invalid-number'; to: string }
  | { kind: 'unsubscribed'; to: string }
  | { kind: 'error'; to: string; httpStatus: number; code: number; message: string }
  | { kind: 'stall'; to: string }
  | { kind: 'reset'; to: string }
  | { kind: 'rate-limit'; perSecond: number; retryAfterSeconds: number }
  | { kind: 'server-errors'; count: number };

/** The reply of a webhook target. */
export interface WebhookReply {
  status: number;
  contentType: string | null;
  body: string;
}

export interface TwilioStandIn {
  /** Base URL to use as `apiBaseUrl`, such as `http://127.0.0.1:41234`. */
  url: string;
  accountSid: string;
  authToken: string;
  /** Accepted messages in the order they arrived. */
  messages: RecordedMessage[];
  requests: RecordedRequest[];
  setRule(rule: TwilioStandInRule): void;
  clearRules(): void;
  /** Computes the `X-Twilio-Signature` Twilio would send for `params` posted to `url`. */
  sign(url: string, params: Record<string, string>): string;
  /**
   * Posts a signed status callback for an accepted message to its `StatusCallback` URL.
   * Only loopback URLs are called.
   */
  sendStatusCallback(messageSid: string, status: string, errorCode?: number): Promise<WebhookReply>;
  /** Posts a signed inbound-SMS webhook to `url`, which must be a loopback URL. */
  sendInbound(url: string, from: string, to: string, body: string): Promise<WebhookReply & { messageSid: string }>;
  close(): Promise<void>;
}

const API_VERSION = '2010-04-01';
const MESSAGES_PATH = /^\/2010-04-01\/Accounts\/([^/]+)\/Messages\.json$/;
/** Twilio caps a Body at 1,600 characters, so 64 KiB leaves room for every other field. */
const MAX_BODY_BYTES = 64 * 1024;
/** Webhook targets are local test servers, so a slower one is a broken test. */
const WEBHOOK_TIMEOUT_MS = 5_000;
const RATE_WINDOW_MS = 1_000;

/** Starts the stand-in. Call `close()` in `afterAll` or `afterEach`. */
export async function startTwilioStandIn(options: TwilioStandInOptions = {}): Promise<TwilioStandIn> {
  const accountSid = options.accountSid ?? sid('AC');
  const authToken = options.authToken ?? randomBytes(16).toString('hex');
  const now = options.now ?? Date.now;

  const messages: RecordedMessage[] = [];
  const requests: RecordedRequest[] = [];
  const numberRules = new Map<string, Extract<TwilioStandInRule, { to: string }>>();
  let rateLimit: Extract<TwilioStandInRule, { kind: 'rate-limit' }> | undefined;
  let serverErrorsLeft = 0;
  const acceptedAt = new Map<string, number[]>();

  async function handle(request: http.IncomingMessage, response: http.ServerResponse): Promise<void> {
    const path = new URL(request.url ?? '/', 'http://stand-in').pathname;
    const reply = (status: number, body: unknown, headers: Record<string, string> = {}): void => {
      requests.push({ method: request.method ?? '', path, status });
      response.writeHead(status, { 'content-type': 'application/json', ...headers });
      response.end(JSON.stringify(body));
    };

    // authenticate, as Twilio does before anything else
    if (!hasCredentials(request.headers.authorization, accountSid, authToken)) {
      reply(401, twilioError(401, 20003, 'Authenticate', 'Your AccountSid or AuthToken was incorrect.'), {
        'www-authenticate': 'Basic realm="Twilio API"',
      });
      return;
    }
    const match = MESSAGES_PATH.exec(path);
    if (request.method !== 'POST' || match === null || match[1] !== accountSid) {
      reply(404, twilioError(404, 20404, `The requested resource ${path} was not found`));
      return;
    }
    if (serverErrorsLeft > 0) {
      serverErrorsLeft -= 1;
      reply(500, twilioError(500, 20500, 'Internal Server Error'));
      return;
    }

    // read and validate the form
    const rawBody = await readBody(request);
    if (rawBody === undefined) {
      reply(413, twilioError(413, 20413, 'Request Entity Too Large'));
      return;
    }
    const form = Object.fromEntries(new URLSearchParams(rawBody));
    const invalid = validateForm(form);
    if (invalid !== undefined) {
      reply(400, invalid);
      return;
    }
    const to = form.To!;
    const sender = form.MessagingServiceSid ?? form.From!;

    // apply the error rules
    const rule = numberRules.get(to);
    if (rule?.kind === 'stall') {
      requests.push({ method: request.method, path, status: 0 });
      return;
    }
    if (rule?.kind === 'reset') {
      requests.push({ method: request.method, path, status: 0 });
      request.socket.destroy();
      return;
    }
    if (rateLimit !== undefined && isOverRate(acceptedAt, sender, rateLimit.perSecond, now())) {
      reply(429, twilioError(429, 20429, 'Too Many Requests'), { 'retry-after': String(rateLimit.retryAfterSeconds) });
      return;
    }
    if (rule?.kind === 'invalid-number') {
      reply(400, twilioError(400, 21211, `Invalid 'To' Phone Number: ${to}`));
      return;
    }
    if (rule?.kind === 'unsubscribed') {
      reply(400, twilioError(400, 21610, "Attempt to send to unsubscribed recipient"));
      return;
    }
    if (rule?.kind === 'error') {
      reply(rule.httpStatus, twilioError(rule.httpStatus, rule.code, rule.message));
      return;
    }

    // accept
    const message: RecordedMessage = {
      sid: sid('SM'),
      accountSid,
      form,
      rawBody,
      contentType: request.headers['content-type'],
    };
    messages.push(message);
    acceptedAt.set(sender, [...(acceptedAt.get(sender) ?? []), now()]);
    reply(201, messageResource(message));
  }

  const server = http.createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      response.writeHead(500, { 'content-type': 'text/plain' });
      response.end(`stand-in failed: ${error instanceof Error ? error.message : String(error)}`);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  const sign = (url: string, params: Record<string, string>): string =>
    twilio.getExpectedTwilioSignature(authToken, url, params);

  return {
    url: `http://127.0.0.1:${port}`,
    accountSid,
    authToken,
    messages,
    requests,
    setRule(rule) {
      if (rule.kind === 'rate-limit') rateLimit = rule;
      else if (rule.kind === 'server-errors') serverErrorsLeft = rule.count;
      else numberRules.set(rule.to, rule);
    },
    clearRules() {
      numberRules.clear();
      rateLimit = undefined;
      serverErrorsLeft = 0;
      acceptedAt.clear();
    },
    sign,
    async sendStatusCallback(messageSid, status, errorCode) {
      const message = messages.find((candidate) => candidate.sid === messageSid);
      if (message === undefined) throw new Error(`stand-in has no message ${messageSid}`);
      const url = message.form.StatusCallback;
      if (url === undefined) throw new Error(`message ${messageSid} was sent without a StatusCallback`);

      const params: Record<string, string> = {
        AccountSid: accountSid,
        ApiVersion: API_VERSION,
        MessageSid: messageSid,
        MessageStatus: status,
        SmsSid: messageSid,
        SmsStatus: status,
        To: message.form.To!,
      };
      if (message.form.From !== undefined) params.From = message.form.From;
      if (message.form.MessagingServiceSid !== undefined) params.MessagingServiceSid = message.form.MessagingServiceSid;
      if (errorCode !== undefined) params.ErrorCode = String(errorCode);
      return postSigned(url, params, sign(url, params));
    },
    async sendInbound(url, from, to, body) {
      const messageSid = sid('SM');
      const params: Record<string, string> = {
        AccountSid: accountSid,
        ApiVersion: API_VERSION,
        Body: body,
        From: from,
        MessageSid: messageSid,
        NumMedia: '0',
        NumSegments: '1',
        SmsMessageSid: messageSid,
        SmsSid: messageSid,
        SmsStatus: 'received',
        To: to,
      };
      const reply = await postSigned(url, params, sign(url, params));
      return { ...reply, messageSid };
    },
    close() {
      // Stalled requests would keep server.close() waiting forever.
      server.closeAllConnections();
      return new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
    },
  };
}

/** Generates a Twilio SID: a two-letter prefix and 32 lowercase hex digits. */
function sid(prefix: string): string {
  return prefix + randomBytes(16).toString('hex');
}

function hasCredentials(header: string | undefined, accountSid: string, authToken: string): boolean {
  if (header === undefined || !header.startsWith('Basic ')) return false;
  const decoded = Buffer.from(header.slice('Basic '.length), 'base64').toString('utf8');
  return decoded === `${accountSid}:${authToken}`;
}

function readBody(request: http.IncomingMessage): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    });
    request.on('end', () => resolve(size > MAX_BODY_BYTES ? undefined : Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}

/** Twilio's checks of a new message's required fields, with its codes. */
function validateForm(form: Record<string, string>): object | undefined {
  if (!form.To) return twilioError(400, 21604, "A 'To' phone number is required.");
  if (!form.From && !form.MessagingServiceSid) return twilioError(400, 21603, "A 'From' phone number is required.");
  if (!form.Body) return twilioError(400, 21602, 'Message body is required.');
  return undefined;
}

function isOverRate(acceptedAt: Map<string, number[]>, sender: string, perSecond: number, now: number): boolean {
  const recent = (acceptedAt.get(sender) ?? []).filter((time) => time > now - RATE_WINDOW_MS);
  acceptedAt.set(sender, recent);
  return recent.length >= perSecond;
}

function twilioError(status: number, code: number, message: string, detail?: string): object {
  return {
    code,
    message,
    more_info: `https://www.twilio.com/docs/errors/${code}`,
    status,
    ...(detail === undefined ? {} : { detail }),
  };
}

function messageResource(message: RecordedMessage): object {
  // Twilio writes dates in RFC 2822 form with a numeric zone.
  const date = new Date().toUTCString().replace('GMT', '+0000');
  const { form } = message;
  return {
    account_sid: message.accountSid,
    api_version: API_VERSION,
    body: form.Body,
    date_created: date,
    date_sent: null,
    date_updated: date,
    direction: 'outbound-api',
    error_code: null,
    error_message: null,
    from: form.From ?? null,
    messaging_service_sid: form.MessagingServiceSid ?? null,
    num_media: '0',
    num_segments: '1',
    price: null,
    price_unit: 'USD',
    sid: message.sid,
    // A message sent through a Messaging Service starts as `accepted` until a sender is chosen.
    status: form.MessagingServiceSid === undefined ? 'queued' : 'accepted',
    subresource_uris: { media: `/${API_VERSION}/Accounts/${message.accountSid}/Messages/${message.sid}/Media.json` },
    to: form.To,
    uri: `/${API_VERSION}/Accounts/${message.accountSid}/Messages/${message.sid}.json`,
  };
}

async function postSigned(url: string, params: Record<string, string>, signature: string): Promise<WebhookReply> {
  assertLoopback(url);
  const response = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      'x-twilio-signature': signature,
      'user-agent': 'TwilioProxy/1.1',
    },
    body: new URLSearchParams(params).toString(),
    signal: AbortSignal.timeout(WEBHOOK_TIMEOUT_MS),
  });
  return { status: response.status, contentType: response.headers.get('content-type'), body: await response.text() };
}

function assertLoopback(url: string): void {
  const { hostname } = new URL(url);
  if (hostname !== '127.0.0.1' && hostname !== '[::1]' && hostname !== 'localhost') {
    throw new Error(`stand-in sends webhooks only to loopback, not to ${JSON.stringify(url)}`);
  }
}
