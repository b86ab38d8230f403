/**
 * Webhook events of the sandbox: built, signed like Stripe's (see
 * webhook-signature.ts) and handed to a listener one at a time, in order, after
 * the call that caused them has returned, as a real provider's deliveries arrive.
 * `redeliver` sends an event again, re-signed, to test duplicate delivery.
 */
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { CloudburstError } from '../common/errors.js';
import type { Logger } from '../common/logger.js';
import { BoundedMap } from './bounded-map.js';
import type { PaymentStatus, RefundStatus, WebhookEvent } from './types.js';
import { signWebhookPayload } from './webhook-signature.js';

export const SANDBOX_SIGNATURE_HEADER = 'Sandbox-Signature';

/** One delivery as an HTTP request would carry it. */
export interface WebhookDelivery {
  eventId: string;
  rawBody: string;
  /** `content-type` and the signature header, names in lower case. */
  headers: Record<string, string>;
}

/** Receives deliveries; a rejection or throw is logged, and the event can be sent again with `redeliver`. */
export type WebhookListener = (delivery: WebhookDelivery) => void | Promise<void>;

export type SandboxEventData =
  | { kind: 'payment'; paymentId: string; orderId: string; status: PaymentStatus; amountMinor: number; currency: string; declineCode?: string }
  | { kind: 'refund'; refundId: string; paymentId: string; status: RefundStatus; amountMinor: number; currency: string };

const paymentData = z.object({
  paymentId: z.string().min(1),
  orderId: z.string().min(1),
  status: z.enum(['succeeded', 'requires_action', 'processing', 'declined', 'failed']),
  amountMinor: z.number().int().positive(),
  currency: z.string().regex(/^[A-Z]{3}$/),
  declineCode: z.string().optional(),
});

const refundData = z.object({
  refundId: z.string().min(1),
  paymentId: z.string().min(1),
  status: z.enum(['succeeded', 'pending', 'failed']),
  amountMinor: z.number().int().positive(),
  currency: z.string().regex(/^[A-Z]{3}$/),
});

const sandboxEvent = z.object({
  id: z.string().min(1),
  object: z.literal('event'),
  type: z.string().regex(/^(payment|refund)\.[a-z_]+$/),
  created: z.number().int().nonnegative(),
  data: z.record(z.string(), z.unknown()),
});

export interface SandboxWebhooksOptions {
  secret: string;
  listener?: WebhookListener;
  logger: Logger;
  now: () => number;
  /** Sent events kept for `redeliver`. */
  maxEvents: number;
}

export class SandboxWebhooks {
  readonly #options: SandboxWebhooksOptions;
  readonly #sent: BoundedMap<string, string>;
  #queue: Promise<void> = Promise.resolve();

  constructor(options: SandboxWebhooksOptions) {
    this.#options = options;
    this.#sent = new BoundedMap({ maxEntries: options.maxEvents, now: options.now });
  }

  /** Builds an event for `data` and queues its delivery. Returns the event id. */
  emit(data: SandboxEventData): string {
    const { kind, ...fields } = data;
    const id = `evt_sandbox_${randomBytes(12).toString('hex')}`;
    const body = { id, object: 'event', type: `${kind}.${data.status}`, created: Math.floor(this.#options.now() / 1000), data: fields };
    const rawBody = JSON.stringify(body);

    this.#sent.set(id, rawBody);
    this.#enqueue(id, rawBody);
    return id;
  }

  /**
   * Queues another delivery of a sent event, signed with the current time.
   *
   * @throws CloudburstError `not_found` for an event id that was never sent or has been pushed out
   */
  redeliver(eventId: string): void {
    const rawBody = this.#sent.get(eventId);
    if (rawBody === undefined) {
      throw new CloudburstError('not_found', `sandbox webhook event ${JSON.stringify(eventId)} not found; only the last ${this.#options.maxEvents} events can be sent again`, {
        field: 'eventId',
        value: eventId,
      });
    }
    this.#enqueue(eventId, rawBody);
  }

  /** Resolves when every queued delivery has been handed to the listener and has settled. */
  settled(): Promise<void> {
    return this.#queue;
  }

  #enqueue(eventId: string, rawBody: string): void {
    const listener = this.#options.listener;
    if (listener === undefined) return;

    this.#queue = this.#queue.then(async () => {
      // Waiting one macrotask makes the delivery arrive after the call's promise has settled.
      await new Promise((resolve) => setImmediate(resolve));
      const signature = signWebhookPayload(this.#options.secret, rawBody, Math.floor(this.#options.now() / 1000));
      const headers = { 'content-type': 'application/json', [SANDBOX_SIGNATURE_HEADER.toLowerCase()]: signature };
      try {
        await listener({ eventId, rawBody, headers });
      } catch (error) {
        this.#options.logger.warn({ eventId, err: error }, 'sandbox webhook delivery failed; call redeliverWebhook to send it again');
      }
    });
  }
}

/**
 * Parses a verified sandbox event body into the normalized event.
 *
 * @throws CloudburstError `invalid_input` for a body that is not a sandbox event
 */
export function parseSandboxEvent(rawBody: string): WebhookEvent {
  let json: unknown;
  try {
    json = JSON.parse(rawBody);
  } catch (error) {
    throw new CloudburstError('invalid_input', `invalid webhook body: not JSON (${(error as Error).message})`, { field: '(body)' });
  }

  const event = sandboxEvent.safeParse(json);
  if (!event.success) throw invalidEvent(event.error, '(body)');
  const base = { id: event.data.id, providerType: event.data.type, createdAt: event.data.created * 1000 };

  if (event.data.type.startsWith('payment.')) {
    const data = paymentData.safeParse(event.data.data);
    if (!data.success) throw invalidEvent(data.error, '(body).data');
    const { declineCode, ...rest } = data.data;
    return { ...base, type: 'payment', ...rest, ...(declineCode === undefined ? {} : { declineCode }) };
  }

  const data = refundData.safeParse(event.data.data);
  if (!data.success) throw invalidEvent(data.error, '(body).data');
  return { ...base, type: 'refund', ...data.data };
}

function invalidEvent(error: z.ZodError, prefix: string): CloudburstError {
  const issue = error.issues[0];
  const field = [prefix, ...(issue?.path.map(String) ?? [])].join('.');
  return new CloudburstError('invalid_input', `invalid webhook body field ${field}: ${issue?.message ?? 'not a sandbox event'}`, { field });
}
