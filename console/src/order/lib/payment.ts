import { detectCardBrand, listCardErrors, normalizeCardNumber } from '../../../../payments/card.js';
import { ApiError, apiErrorOf, type HttpReply } from '../../../../sdk/orders/http.js';
import { readCustomerOrder, type CustomerOrder } from './order-status.js';
import type { OrderMessageKey } from '../messages/index.js';

/** The card form's fields, as typed. */
export interface CardForm {
  number: string;
  /** MM/YY as typed, such as "04/29". */
  expiry: string;
  cvc: string;
}

export type CardFormField = keyof CardForm;

/**
 * Reads an expiry typed as MM/YY, MM/YYYY or MMYY, with or without spaces. Returns
 * null when it does not have that form; the month's range is checked with the card.
 */
export function parseExpiry(text: string): { expMonth: number; expYear: number } | null {
  const compact = text.replace(/\s+/g, '');
  const match = /^(\d{1,2})\/(\d{2}|\d{4})$/.exec(compact) ?? /^(\d{2})(\d{2})$/.exec(compact);
  if (!match) return null;
  const year = Number(match[2]);
  return { expMonth: Number(match[1]), expYear: year < 100 ? 2000 + year : year };
}

const FIELD_OF_CARD_ERROR: Readonly<Record<string, CardFormField>> = {
  'card.number': 'number',
  number: 'number',
  'card.expMonth': 'expiry',
  'card.expYear': 'expiry',
  expMonth: 'expiry',
  expYear: 'expiry',
  'card.cvc': 'cvc',
  cvc: 'cvc',
};

/** Message of each card field's problem. An American Express CVC has its own, which `cardFieldMessage` picks. */
const CARD_FIELD_MESSAGES: Readonly<Record<CardFormField, OrderMessageKey>> = {
  number: 'payment.error.number',
  expiry: 'payment.error.expiry',
  cvc: 'payment.error.cvc',
};

/** Returns true when the number typed so far starts like an American Express card, whose CVC is 4 digits on the front. */
function isAmexNumber(number: string): boolean {
  return detectCardBrand(normalizeCardNumber(number).replace(/\D/g, '')) === 'amex';
}

/** Returns the message of a card field's problem. For the CVC, it names where the digits are on a card of the typed number's brand. */
export function cardFieldMessage(field: CardFormField, number: string): OrderMessageKey {
  if (field === 'cvc' && isAmexNumber(number)) return 'payment.error.cvcAmex';
  return CARD_FIELD_MESSAGES[field];
}

/**
 * Returns the hint under the CVC field for the number typed so far: 4 digits on the front
 * for American Express, else 3 on the back, the rule of every other brand the tokenizer takes.
 */
export function cvcHintMessage(number: string): OrderMessageKey {
  return isAmexNumber(number) ? 'payment.cvcHintAmex' : 'payment.cvcHint';
}

/** Returns the form field a card error names (`card.number`, `expYear`, ...), or undefined for another field. */
export function cardFormFieldOf(field: string | undefined): CardFormField | undefined {
  return field === undefined ? undefined : FIELD_OF_CARD_ERROR[field];
}

/**
 * Checks the card before anything is sent, with the checks the tokenizer runs, and
 * returns the message of each bad field. An empty result means the card may be sent.
 */
export function checkCardForm(form: CardForm, now: number = Date.now()): Partial<Record<CardFormField, OrderMessageKey>> {
  const problems: Partial<Record<CardFormField, OrderMessageKey>> = {};
  const expiry = parseExpiry(form.expiry);
  if (expiry === null) problems.expiry = CARD_FIELD_MESSAGES.expiry;

  const errors = listCardErrors({ number: form.number, cvc: form.cvc, expMonth: expiry?.expMonth ?? 1, expYear: expiry?.expYear ?? new Date(now).getUTCFullYear() + 1 }, now);
  for (const error of errors) {
    const field = cardFormFieldOf(error.field);
    if (field !== undefined) problems[field] = cardFieldMessage(field, form.number);
  }
  return problems;
}

/** Outcome of `POST /v1/orders/:id/payments` or of its confirm step. */
export type PaymentOutcome =
  | { kind: 'paid'; order: CustomerOrder }
  | { kind: 'requires_action'; order: CustomerOrder; paymentId: string }
  | { kind: 'processing'; order: CustomerOrder }
  /** The card was declined, or the payment failed (`failed`, such as a processing error); the order stays placed. */
  | { kind: 'declined'; order: CustomerOrder; declineCode: string | null; failed: boolean; retriable: boolean }
  /** The card was charged and refunded because the order could no longer be paid, such as a code spent on another order. */
  | { kind: 'refunded'; order: CustomerOrder; reason: string };

/**
 * Reads a payment reply: 200 or 201 paid, 202 with `nextAction` to authenticate, 202
 * processing, 402 declined or failed (the order stays placed), 409 with an order charged
 * and refunded.
 *
 * @throws ApiError for every other reply, such as a 409 for an order that is no longer placed
 */
export function readPaymentReply(reply: HttpReply): PaymentOutcome {
  const body = reply.body as {
    payment?: { id?: unknown; status?: unknown; declineCode?: unknown };
    nextAction?: unknown;
    error?: { code?: unknown; reason?: unknown; retriable?: unknown; declineCode?: unknown };
  } | null;
  const hasOrder = typeof (body as { order?: unknown } | null)?.order === 'object';

  if ((reply.status === 200 || reply.status === 201) && hasOrder) return { kind: 'paid', order: readCustomerOrder(body) };
  if (reply.status === 202 && hasOrder) {
    const order = readCustomerOrder(body);
    const paymentId = body?.payment?.id;
    if (body?.nextAction !== undefined && typeof paymentId === 'string') return { kind: 'requires_action', order, paymentId };
    return { kind: 'processing', order };
  }
  if (reply.status === 402 && hasOrder) {
    const declineCode = body?.error?.declineCode ?? body?.payment?.declineCode;
    return {
      kind: 'declined',
      order: readCustomerOrder(body),
      declineCode: typeof declineCode === 'string' ? declineCode : null,
      failed: body?.error?.code === 'payment_failed',
      retriable: body?.error?.retriable === true,
    };
  }
  if (reply.status === 409 && hasOrder && body?.payment !== undefined) {
    const reason = body.error?.reason;
    return { kind: 'refunded', order: readCustomerOrder(body), reason: typeof reason === 'string' ? reason : 'refunded' };
  }
  throw apiErrorOf(reply);
}

const BRAND_MESSAGES: Readonly<Record<string, OrderMessageKey>> = {
  visa: 'card.brand.visa',
  mastercard: 'card.brand.mastercard',
  amex: 'card.brand.amex',
  discover: 'card.brand.discover',
  jcb: 'card.brand.jcb',
  unionpay: 'card.brand.unionpay',
  diners: 'card.brand.diners',
};

/** Returns the message of a card brand's name, or null for a brand this page does not know (shown as sent). */
export function cardBrandMessage(brand: string): OrderMessageKey | null {
  return BRAND_MESSAGES[brand] ?? null;
}

/** Returns true for an ApiError about the card fields, which the form shows under the field. */
export function isCardFieldError(error: unknown): error is ApiError {
  return error instanceof ApiError && error.status === 400 && cardFormFieldOf(error.field) !== undefined;
}
