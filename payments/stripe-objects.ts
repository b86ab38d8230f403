/**
 * The parts of Stripe's API objects the adapter reads: PaymentIntent, PaymentMethod
 * (expanded), Refund, Event and the error body. Fields not listed are dropped, so a
 * new field in a later API version changes nothing here.
 */
import { z } from 'zod';

const card = z.object({
  brand: z.string(),
  last4: z.string(),
  exp_month: z.number().int(),
  exp_year: z.number().int(),
});

const paymentMethod = z.object({
  id: z.string(),
  card: card.nullish(),
});

/** `last_payment_error` of a PaymentIntent; the error body adds the objects involved. */
const errorFields = z.object({
  type: z.string(),
  code: z.string().nullish(),
  decline_code: z.string().nullish(),
  message: z.string().nullish(),
  param: z.string().nullish(),
});

export const paymentIntentSchema = z.object({
  id: z.string(),
  object: z.literal('payment_intent'),
  status: z.string(),
  amount: z.number().int(),
  currency: z.string(),
  payment_method: z.union([z.string(), paymentMethod]).nullish(),
  next_action: z
    .object({
      type: z.string(),
      redirect_to_url: z.object({ url: z.string().nullish() }).nullish(),
    })
    .nullish(),
  last_payment_error: errorFields.nullish(),
  metadata: z.record(z.string(), z.string()).nullish(),
});

export type StripePaymentIntent = z.infer<typeof paymentIntentSchema>;

export const errorBodySchema = z.object({
  error: errorFields.extend({
    payment_intent: paymentIntentSchema.nullish(),
    payment_method: paymentMethod.nullish(),
  }),
});

export type StripeError = z.infer<typeof errorBodySchema>['error'];

export const refundSchema = z.object({
  id: z.string(),
  object: z.literal('refund'),
  amount: z.number().int(),
  currency: z.string(),
  status: z.string().nullish(),
  payment_intent: z.union([z.string(), z.object({ id: z.string() })]).nullish(),
  failure_reason: z.string().nullish(),
});

export type StripeRefund = z.infer<typeof refundSchema>;

export const eventSchema = z.object({
  id: z.string().min(1),
  object: z.literal('event'),
  type: z.string().min(1),
  created: z.number().int().nonnegative(),
  data: z.object({ object: z.record(z.string(), z.unknown()) }),
});
