/**
 * Loopback stand-in for the Stripe endpoints the payment adapter calls:
 * `POST /v1/payment_intents`, `POST /v1/payment_intents/:id/confirm` and
 * `POST /v1/refunds`. It checks the bearer key, records every request exactly,
 * replays the stored reply for a repeated `Idempotency-Key`, and supports these
 * of Stripe's test payment methods:
 *
 * - `pm_card_visa`, `pm_card_mastercard`: succeed.
 * - `pm_card_chargeDeclined`: 402 card_error `card_declined` / `generic_decline`.
 * - `pm_card_chargeDeclinedInsufficientFunds`: 402 card_error `card_declined` / `insufficient_funds`.
 * - `pm_card_authenticationRequired`: `requires_action` with a `redirect_to_url` next action;
 *   `completeAuthentication` sets the result of the customer's challenge at the bank.
 *
 * Faults are programmable (`failNext`, `stallNext`), and `sendWebhook` posts a signed
 * event to a loopback URL.
 */
import { createHmac } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface StripeStandInOptions {
  /** The only secret key accepted; any other bearer gets 401. */
  secretKey: string;
  /** Clock for `created` fields and webhook timestamps; tests fix it. */
  now?: () => number;
}

export interface RecordedStripeRequest {
  method: string;
  path: string;
  authorization?: string;
  contentType?: string;
  idempotencyKey?: string;
  stripeVersion?: string;
  rawBody: string;
  /** `rawBody` decoded as a form, in order, repeated keys kept. */
  form: Array<[string, string]>;
}

export interface StripeStandIn {
  /** Origin to pass as `apiBaseUrl`, such as `http://127.0.0.1:41234`. */
  url: string;
  requests: RecordedStripeRequest[];
  /**
   * Replies to the next `count` authorized requests with `status` and `body`, before
   * idempotency and routing; the reply is not stored under the idempotency key. The
   * default body is Stripe's shape for the status: `rate_limit` for 429, `api_error` otherwise.
   */
  failNext(count: number, status: number, options?: { body?: unknown; headers?: Record<string, string> }): void;
  /** Leaves the next `count` requests unanswered, so the client's timeout fires. */
  stallNext(count: number): void;
  /** Sets the result of the customer's 3-D Secure challenge: success lets the next confirm succeed, failure makes it fail. */
  completeAuthentication(paymentIntentId: string, succeeded: boolean): void;
  /** The PaymentIntent as Stripe would serialize it (payment method not expanded), or undefined. */
  paymentIntent(id: string): Record<string, unknown> | undefined;
  /**
   * Posts an event for `object` to a loopback `targetUrl`, signed with `secret` at
   * `timestampSeconds` (default now). Returns the reply status, and the body and `Stripe-Signature` header sent.
   */
  sendWebhook(
    targetUrl: string,
    event: { type: string; object: Record<string, unknown>; id?: string },
    signing: { secret: string; timestampSeconds?: number },
  ): Promise<{ status: number; rawBody: string; signature: string }>;
  close(): Promise<void>;
}

interface TestCard {
  brand: string;
  last4: string;
  behaviour: 'succeed' | 'decline' | 'authenticate';
  declineCode?: string;
}

const TEST_PAYMENT_METHODS: ReadonlyMap<string, TestCard> = new Map([
  ['pm_card_visa', { brand: 'visa', last4: '4242', behaviour: 'succeed' }],
  ['pm_card_mastercard', { brand: 'mastercard', last4: '4444', behaviour: 'succeed' }],
  ['pm_card_chargeDeclined', { brand: 'visa', last4: '0002', behaviour: 'decline', declineCode: 'generic_decline' }],
  ['pm_card_chargeDeclinedInsufficientFunds', { brand: 'visa', last4: '9995', behaviour: 'decline', declineCode: 'insufficient_funds' }],
  ['pm_card_authenticationRequired', { brand: 'visa', last4: '3155', behaviour: 'authenticate' }],
]);

const TEST_CARD_EXPIRY = { exp_month: 12, exp_year: 2034 };
const API_VERSION = '2025-04-30.basil';

interface StoredIntent {
  id: string;
  amount: number;
  currency: string;
  status: string;
  paymentMethod: string;
  metadata: Record<string, string>;
  description: string | null;
  returnUrl: string | null;
  created: number;
  refunded: number;
  lastPaymentError: Record<string, unknown> | null;
  /** Result of the customer's 3-D Secure challenge, once set by `completeAuthentication`. */
  authentication?: boolean;
}

interface Reply {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

const CONFIRM_PATH = /^\/v1\/payment_intents\/([^/]+)\/confirm$/;

export async function startStripeStandIn(options: StripeStandInOptions): Promise<StripeStandIn> {
  const now = options.now ?? Date.now;
  const requests: RecordedStripeRequest[] = [];
  const intents = new Map<string, StoredIntent>();
  const idempotent = new Map<string, { fingerprint: string; reply: Reply }>();
  let counter = 0;
  let failures: { remaining: number; status: number; body?: unknown; headers?: Record<string, string> } = { remaining: 0, status: 500 };
  let stalls = 0;
  let baseUrl = '';

  function nextId(prefix: string): string {
    counter += 1;
    return `${prefix}_standin_${String(counter).padStart(6, '0')}`;
  }

  function handle(request: IncomingMessage, rawBody: string, response: ServerResponse): void {
    const path = (request.url ?? '/').split('?')[0]!;
    const form = [...new URLSearchParams(rawBody)];
    const header = (name: string) => {
      const value = request.headers[name];
      return typeof value === 'string' ? value : undefined;
    };
    const recorded: RecordedStripeRequest = { method: request.method ?? '', path, rawBody, form };
    for (const [field, name] of [
      ['authorization', 'authorization'],
      ['contentType', 'content-type'],
      ['idempotencyKey', 'idempotency-key'],
      ['stripeVersion', 'stripe-version'],
    ] as const) {
      const value = header(name);
      if (value !== undefined) recorded[field] = value;
    }
    requests.push(recorded);
    const requestId = `req_standin_${String(requests.length).padStart(6, '0')}`;
    const reply = (answer: Reply) => send(response, answer, requestId);

    if (stalls > 0) {
      stalls -= 1;
      return;
    }
    if (header('authorization') !== `Bearer ${options.secretKey}`) {
      return reply({
        status: 401,
        body: { error: { type: 'invalid_request_error', message: `Invalid API Key provided: ${maskKey(header('authorization'))}` } },
      });
    }
    if (failures.remaining > 0) {
      failures.remaining -= 1;
      return reply({ status: failures.status, body: failures.body ?? defaultFaultBody(failures.status), headers: failures.headers });
    }
    if (request.method !== 'POST') return reply(invalidRequest(405, 'method_not_allowed', `${request.method ?? ''} is not allowed`));

    const key = header('idempotency-key');
    const fingerprint = `${path}\n${rawBody}`;
    if (key !== undefined) {
      const stored = idempotent.get(key);
      if (stored !== undefined) {
        if (stored.fingerprint !== fingerprint) {
          return reply({
            status: 400,
            body: { error: { type: 'idempotency_error', message: `Idempotency key ${key} was first used with other parameters or another endpoint.` } },
          });
        }
        return reply({ ...stored.reply, headers: { ...stored.reply.headers, 'idempotent-replayed': 'true' } });
      }
    }

    const params = new Map(form.filter(([name]) => name !== 'expand[]'));
    const expandPaymentMethod = form.some(([name, value]) => name === 'expand[]' && value === 'payment_method');
    const answer = route(path, params, expandPaymentMethod);
    if (key !== undefined) idempotent.set(key, { fingerprint, reply: answer });
    reply(answer);
  }

  function route(path: string, params: Map<string, string>, expand: boolean): Reply {
    if (path === '/v1/payment_intents') return createIntent(params, expand);
    const confirm = CONFIRM_PATH.exec(path);
    if (confirm !== null) return confirmIntent(decodeURIComponent(confirm[1]!), expand);
    if (path === '/v1/refunds') return createRefund(params);
    return invalidRequest(404, 'resource_missing', `Unrecognized request URL (POST: ${path}).`);
  }

  function createIntent(params: Map<string, string>, expand: boolean): Reply {
    for (const name of ['amount', 'currency', 'payment_method']) {
      if (!params.has(name)) return invalidRequest(400, 'parameter_missing', `Missing required param: ${name}.`, name);
    }
    const amount = Number(params.get('amount'));
    if (!Number.isInteger(amount) || amount < 1) return invalidRequest(400, 'parameter_invalid_integer', 'Invalid integer: amount', 'amount');
    const paymentMethod = params.get('payment_method')!;
    const card = TEST_PAYMENT_METHODS.get(paymentMethod);
    if (card === undefined) return invalidRequest(400, 'resource_missing', `No such PaymentMethod: '${paymentMethod}'`, 'payment_method');

    const metadata: Record<string, string> = {};
    for (const [name, value] of params) {
      const match = /^metadata\[(.+)\]$/.exec(name);
      if (match !== null) metadata[match[1]!] = value;
    }
    const intent: StoredIntent = {
      id: nextId('pi'),
      amount,
      currency: params.get('currency')!,
      status: 'requires_confirmation',
      paymentMethod,
      metadata,
      description: params.get('description') ?? null,
      returnUrl: params.get('return_url') ?? null,
      created: Math.floor(now() / 1000),
      refunded: 0,
      lastPaymentError: null,
    };
    intents.set(intent.id, intent);

    if (params.get('confirm') !== 'true') return { status: 200, body: serialize(intent, expand) };
    return attempt(intent, card, expand);
  }

  function confirmIntent(id: string, expand: boolean): Reply {
    const intent = intents.get(id);
    if (intent === undefined) return invalidRequest(404, 'resource_missing', `No such payment_intent: '${id}'`, 'intent');
    if (intent.status === 'succeeded' || intent.status === 'canceled') {
      return {
        status: 400,
        body: {
          error: {
            type: 'invalid_request_error',
            code: 'payment_intent_unexpected_state',
            message: `This PaymentIntent's status is ${intent.status}, so it cannot be confirmed.`,
            payment_intent: serialize(intent, false),
          },
        },
      };
    }
    if (intent.status === 'requires_action' && intent.authentication === undefined) return { status: 200, body: serialize(intent, expand) };
    return attempt(intent, TEST_PAYMENT_METHODS.get(intent.paymentMethod)!, expand);
  }

  /** Runs a confirmation attempt, as Stripe does on `confirm=true` or `/confirm`. */
  function attempt(intent: StoredIntent, card: TestCard, expand: boolean): Reply {
    if (card.behaviour === 'decline') {
      intent.status = 'requires_payment_method';
      intent.lastPaymentError = {
        type: 'card_error',
        code: 'card_declined',
        decline_code: card.declineCode,
        message: 'The card was declined by the issuer.',
      };
      return {
        status: 402,
        body: { error: { ...intent.lastPaymentError, payment_intent: serialize(intent, false), payment_method: paymentMethodObject(intent.paymentMethod) } },
      };
    }

    if (card.behaviour === 'authenticate' && intent.authentication !== true) {
      if (intent.authentication === false) {
        intent.status = 'requires_payment_method';
        intent.lastPaymentError = {
          type: 'card_error',
          code: 'payment_intent_authentication_failure',
          message: 'Authentication of the payment method failed.',
        };
        return {
          status: 402,
          body: { error: { ...intent.lastPaymentError, payment_intent: serialize(intent, false), payment_method: paymentMethodObject(intent.paymentMethod) } },
        };
      }
      intent.status = 'requires_action';
      return { status: 200, body: serialize(intent, expand) };
    }

    intent.status = 'succeeded';
    intent.lastPaymentError = null;
    return { status: 200, body: serialize(intent, expand) };
  }

  function createRefund(params: Map<string, string>): Reply {
    const id = params.get('payment_intent');
    if (id === undefined) return invalidRequest(400, 'parameter_missing', 'Missing required param: payment_intent.', 'payment_intent');
    const intent = intents.get(id);
    if (intent === undefined) return invalidRequest(404, 'resource_missing', `No such payment_intent: '${id}'`, 'payment_intent');
    if (intent.status !== 'succeeded') {
      return invalidRequest(400, 'payment_intent_unexpected_state', `This PaymentIntent (${id}) does not have a successful charge to refund.`);
    }

    const remaining = intent.amount - intent.refunded;
    if (remaining === 0) return invalidRequest(400, 'charge_already_refunded', `Charge for ${id} has already been refunded.`);
    const amount = params.has('amount') ? Number(params.get('amount')) : remaining;
    if (!Number.isInteger(amount) || amount < 1) return invalidRequest(400, 'parameter_invalid_integer', 'Invalid integer: amount', 'amount');
    if (amount > remaining) {
      return invalidRequest(400, 'amount_too_large', `Refund amount (${amount}) is greater than unrefunded amount on charge (${remaining})`, 'amount');
    }

    intent.refunded += amount;
    return {
      status: 200,
      body: { id: nextId('re'), object: 'refund', amount, currency: intent.currency, status: 'succeeded', payment_intent: intent.id, created: Math.floor(now() / 1000) },
    };
  }

  function serialize(intent: StoredIntent, expandPaymentMethod: boolean): Record<string, unknown> {
    return {
      id: intent.id,
      object: 'payment_intent',
      amount: intent.amount,
      amount_received: intent.status === 'succeeded' ? intent.amount : 0,
      currency: intent.currency,
      status: intent.status,
      confirmation_method: 'manual',
      created: intent.created,
      description: intent.description,
      metadata: { ...intent.metadata },
      payment_method: expandPaymentMethod ? paymentMethodObject(intent.paymentMethod) : intent.paymentMethod,
      last_payment_error: intent.lastPaymentError,
      next_action:
        intent.status === 'requires_action'
          ? { type: 'redirect_to_url', redirect_to_url: { url: `${baseUrl}/authenticate/${intent.id}`, return_url: intent.returnUrl } }
          : null,
      livemode: false,
    };
  }

  function paymentMethodObject(id: string): Record<string, unknown> {
    const card = TEST_PAYMENT_METHODS.get(id)!;
    return { id, object: 'payment_method', type: 'card', card: { brand: card.brand, last4: card.last4, ...TEST_CARD_EXPIRY } };
  }

  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => handle(request, Buffer.concat(chunks).toString('utf8'), response));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  baseUrl = `http://127.0.0.1:${port}`;

  return {
    url: baseUrl,
    requests,
    failNext(count, status, faultOptions = {}) {
      failures = { remaining: count, status, body: faultOptions.body, headers: faultOptions.headers };
    },
    stallNext(count) {
      stalls = count;
    },
    completeAuthentication(paymentIntentId, succeeded) {
      const intent = intents.get(paymentIntentId);
      if (intent === undefined) throw new Error(`stand-in has no payment intent ${paymentIntentId}`);
      intent.authentication = succeeded;
      if (succeeded) intent.status = 'requires_confirmation';
    },
    paymentIntent(id) {
      const intent = intents.get(id);
      return intent === undefined ? undefined : serialize(intent, false);
    },
    async sendWebhook(targetUrl, event, signing) {
      const target = new URL(targetUrl);
      if (!['127.0.0.1', '[::1]', 'localhost'].includes(target.hostname)) {
        throw new Error(`stand-in sends webhooks only to loopback, not to ${target.hostname}`);
      }
      const created = Math.floor(now() / 1000);
      const rawBody = JSON.stringify({
        id: event.id ?? nextId('evt'),
        object: 'event',
        api_version: API_VERSION,
        created,
        type: event.type,
        data: { object: event.object },
        livemode: false,
        pending_webhooks: 1,
      });
      const timestamp = signing.timestampSeconds ?? created;
      const digest = createHmac('sha256', signing.secret).update(`${timestamp}.${rawBody}`).digest('hex');
      const signature = `t=${timestamp},v1=${digest}`;
      const response = await fetch(target, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'stripe-signature': signature },
        body: rawBody,
        signal: AbortSignal.timeout(5_000),
      });
      await response.arrayBuffer();
      return { status: response.status, rawBody, signature };
    },
    close() {
      // Stalled requests keep their sockets open; close them too so the test ends.
      server.closeAllConnections();
      return new Promise((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
    },
  };
}

function invalidRequest(status: number, code: string, message: string, param?: string): Reply {
  return { status, body: { error: { type: 'invalid_request_error', code, message, ...(param === undefined ? {} : { param }) } } };
}

function defaultFaultBody(status: number): unknown {
  if (status === 429) {
    return { error: { type: 'invalid_request_error', code: 'rate_limit', message: 'Request rate limit exceeded; retry after a short delay.' } };
  }
  return { error: { type: 'api_error', message: 'The stand-in simulated a server error.' } };
}

/** Stripe's 401 message shows a masked key; the stand-in does the same. */
function maskKey(authorization: string | undefined): string {
  const key = authorization?.replace(/^Bearer /, '') ?? '';
  return key.length <= 8 ? '****' : `${key.slice(0, 8)}****${key.slice(-4)}`;
}

function send(response: ServerResponse, reply: Reply, requestId: string): void {
  response.writeHead(reply.status, { 'content-type': 'application/json', 'request-id': requestId, ...reply.headers });
  response.end(JSON.stringify(reply.body));
}
