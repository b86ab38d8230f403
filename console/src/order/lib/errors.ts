import type { MessageParams } from '../../lib/messages/index.js';
import type { OrderMessageKey } from '../messages/index.js';
import { ApiError, NO_REPLY_STATUS } from '../../../../sdk/orders/http.js';

/** A message of the page's catalogs with its parameters. */
export interface PageMessage {
  key: OrderMessageKey;
  params: MessageParams;
}

/** Reasons a code is rejected, from the code check and redemption, with their message. */
const CODE_REASON_MESSAGES: Readonly<Record<string, OrderMessageKey>> = {
  unknown: 'code.error.unknown',
  foreign: 'code.error.foreign',
  campaign_not_live: 'code.error.campaignEnded',
  not_yet_valid: 'code.error.notYetValid',
  expired: 'code.error.expired',
  already_redeemed: 'code.error.redeemed',
  customer_required: 'code.error.customerRequired',
  currency_mismatch: 'code.error.currency',
  item_not_in_cart: 'code.error.itemNotInCart',
};

/**
 * Returns the message for a failed request. Known reasons get the page's own sentence;
 * any other rejection shows the server's message, which names the field and the value
 * but is in English.
 *
 * @param formatMoney formats the missing amount of a minimum spend
 */
export function errorMessage(error: unknown, formatMoney: (amountMinor: number) => string): PageMessage {
  if (!(error instanceof ApiError)) {
    const message = error instanceof Error ? error.message : String(error);
    return { key: 'error.unexpected', params: { message } };
  }
  if (error.status === NO_REPLY_STATUS) return { key: 'error.network', params: {} };
  if (error.status === 429) return { key: 'error.tooManyRequests', params: {} };
  if (error.status >= 500) return { key: 'error.server', params: { status: error.status } };

  if (error.reason === 'min_spend' && error.missingMinor !== undefined) return { key: 'code.error.minSpend', params: { amount: formatMoney(error.missingMinor) } };
  const reasonKey = error.reason === undefined ? undefined : CODE_REASON_MESSAGES[error.reason];
  if (reasonKey !== undefined) return { key: reasonKey, params: { code: typeof error.value === 'string' ? error.value : '' } };
  return { key: 'error.rejected', params: { message: error.message } };
}

/** Place of an order error in the checkout form: under a customer field, the code, a cart line, or above the button. */
export type CheckoutErrorTarget =
  | { kind: 'field'; field: 'name' | 'phone' | 'email' | 'code' }
  | { kind: 'line'; index: number }
  | { kind: 'form' };

/** Maps the field an order error names (`customer.phone`, `lines.2.quantity`, `code`, ...) to where the form shows it. */
export function checkoutErrorTarget(field: string | undefined): CheckoutErrorTarget {
  if (field === undefined) return { kind: 'form' };
  const line = /^lines\.(\d+)(\.|$)/.exec(field);
  if (line) return { kind: 'line', index: Number(line[1]) };
  switch (field) {
    case 'customer.name':
      return { kind: 'field', field: 'name' };
    case 'customer.phone':
    case 'customer.smsUpdates':
      return { kind: 'field', field: 'phone' };
    case 'customer.email':
      return { kind: 'field', field: 'email' };
    // A shared code needs a phone or an email; a single-use code may belong to someone else. Both concern the code.
    case 'code':
    case 'customer':
      return { kind: 'field', field: 'code' };
    default:
      return { kind: 'form' };
  }
}

/** The checkout form's errors, each where the form shows it. */
export interface CheckoutErrors {
  fields: Partial<Record<'name' | 'phone' | 'email' | 'code', PageMessage>>;
  /** By cart line index, as the order request numbers the lines. */
  lines: Record<number, PageMessage>;
  form: PageMessage | null;
}

export const NO_CHECKOUT_ERRORS: CheckoutErrors = { fields: {}, lines: {}, form: null };

/** Places a failed order request's error where the form shows it. */
export function checkoutErrors(error: unknown, formatMoney: (amountMinor: number) => string): CheckoutErrors {
  const message = errorMessage(error, formatMoney);
  const target = checkoutErrorTarget(error instanceof ApiError ? error.field : undefined);
  switch (target.kind) {
    case 'field':
      return { fields: { [target.field]: message }, lines: {}, form: null };
    case 'line':
      return { fields: {}, lines: { [target.index]: message }, form: null };
    case 'form':
      return { fields: {}, lines: {}, form: message };
  }
}
