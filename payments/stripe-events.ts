/**
 * Normalizes Stripe webhook events (already verified) into the interface's events.
 * `payment_intent.*` events become payment events, `refund.*` and
 * `charge.refund.updated` become refund events, everything else is `other`.
 */
import { z } from 'zod';
import { CloudburstError } from '../common/errors.js';
import { eventSchema, paymentIntentSchema, refundSchema } from './stripe-objects.js';
import { paymentStatusOfIntent, refundStatusOf } from './stripe-results.js';
import type { WebhookEvent } from './types.js';

const PAYMENT_EVENT_TYPES: ReadonlySet<string> = new Set([
  'payment_intent.succeeded',
  'payment_intent.payment_failed',
  'payment_intent.requires_action',
  'payment_intent.processing',
  'payment_intent.canceled',
]);

const REFUND_EVENT_TYPES: ReadonlySet<string> = new Set(['refund.created', 'refund.updated', 'refund.failed', 'charge.refund.updated']);

/**
 * Parses a Stripe event body.
 *
 * @throws CloudburstError `invalid_input` naming the first bad field, for a body that is not a Stripe event
 */
export function eventFromStripe(rawBody: string): WebhookEvent {
  const event = parse(eventSchema, parseJson(rawBody), '(body)');
  const base = { id: event.id, providerType: event.type, createdAt: event.created * 1000 };

  if (PAYMENT_EVENT_TYPES.has(event.type)) {
    const intent = parse(paymentIntentSchema, event.data.object, '(body).data.object');
    const status = paymentStatusOfIntent(intent);
    const declineCode = status === 'declined' ? (intent.last_payment_error?.decline_code ?? intent.last_payment_error?.code ?? undefined) : undefined;
    const orderId = intent.metadata?.order_id;
    return {
      ...base,
      type: 'payment',
      paymentId: intent.id,
      status,
      amountMinor: intent.amount,
      currency: intent.currency.toUpperCase(),
      ...(orderId === undefined ? {} : { orderId }),
      ...(declineCode === undefined ? {} : { declineCode }),
    };
  }

  if (REFUND_EVENT_TYPES.has(event.type)) {
    const refund = parse(refundSchema, event.data.object, '(body).data.object');
    const paymentId = typeof refund.payment_intent === 'string' ? refund.payment_intent : refund.payment_intent?.id;
    // A refund of a charge made without a PaymentIntent cannot belong to an order of ours.
    if (paymentId === undefined) return { ...base, type: 'other' };
    return {
      ...base,
      type: 'refund',
      refundId: refund.id,
      paymentId,
      status: refundStatusOf(refund.status),
      amountMinor: refund.amount,
      currency: refund.currency.toUpperCase(),
    };
  }

  return { ...base, type: 'other' };
}

function parseJson(rawBody: string): unknown {
  try {
    return JSON.parse(rawBody);
  } catch (error) {
    throw new CloudburstError('invalid_input', `invalid webhook body: not JSON (${(error as Error).message})`, { field: '(body)' });
  }
}

function parse<T>(schema: z.ZodType<T>, value: unknown, prefix: string): T {
  const result = schema.safeParse(value);
  if (result.success) return result.data;

  const issue = result.error.issues[0];
  const field = [prefix, ...(issue?.path.map(String) ?? [])].join('.');
  throw new CloudburstError('invalid_input', `invalid webhook body field ${field}: ${issue?.message ?? 'not a Stripe event'}`, { field });
}
