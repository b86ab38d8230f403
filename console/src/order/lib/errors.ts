import { MAX_ITEMS_PER_ORDER, MAX_QUANTITY_PER_LINE } from '../../../../orders/cart.js';
import type { MessageParams } from '../../lib/messages/index.js';
import type { OrderMessageKey } from '../messages/index.js';
import { ApiError, NO_REPLY_STATUS } from '../../../../sdk/orders/http.js';

/** A message of the page's catalogs with its parameters. */
export interface PageMessage {
  key: OrderMessageKey;
  params: MessageParams;
  /**
   * The server's own text (English) or the error's message, for support. The page shows
   * it in a small line under the translated message, and only for errors it has no sentence for.
   */
  detail?: string;
}

/** Maximum characters of the customer's name, the server's limit for `customer.name`. */
export const MAX_NAME_LENGTH = 120;

/** Reasons a code is rejected, from the code check and redemption, with their message. */
const CODE_REASON_MESSAGES: Readonly<Record<string, OrderMessageKey>> = {
  unknown: 'code.error.unknown',
  malformed: 'code.error.malformed',
  campaign_not_live: 'code.error.campaignEnded',
  not_yet_valid: 'code.error.notYetValid',
  expired: 'code.error.expired',
  already_redeemed: 'code.error.redeemed',
  customer_required: 'code.error.customerRequired',
  currency_mismatch: 'code.error.currency',
  item_not_in_cart: 'code.error.itemNotInCart',
};

/**
 * Returns the page's sentence for a failed request. Errors a customer can cause get a
 * sentence by the field and the reason the server names. Any other rejection gets a
 * general sentence, with the server's English text as `detail`.
 *
 * @param formatMoney formats the missing amount of a minimum spend
 */
export function errorMessage(error: unknown, formatMoney: (amountMinor: number) => string): PageMessage {
  if (!(error instanceof ApiError)) {
    const detail = error instanceof Error ? error.message : String(error);
    return { key: 'error.unexpected', params: {}, detail };
  }
  if (error.status === NO_REPLY_STATUS) return { key: 'error.network', params: {} };
  if (error.status === 429) return { key: 'error.tooManyRequests', params: {} };
  if (error.status >= 500) return { key: 'error.server', params: { status: error.status } };

  // Only rejected codes carry a reason. A reason this page does not know gets the general sentence, not the field's.
  const known = error.reason === undefined ? fieldMessage(error) : reasonMessage(error, error.reason, formatMoney);
  return known ?? { key: 'error.rejected', params: {}, detail: error.message };
}

/** Returns the sentence for a rejected code by the error's `reason`, or null for a reason this page does not know. */
function reasonMessage(error: ApiError, reason: string, formatMoney: (amountMinor: number) => string): PageMessage | null {
  if (reason === 'min_spend') {
    return error.missingMinor === undefined ? { key: 'code.error.minSpendMore', params: {} } : { key: 'code.error.minSpend', params: { amount: formatMoney(error.missingMinor) } };
  }
  // The same reason names a code of another truck's campaign (field `code`) and a single-use code of another customer (field `customer`).
  if (reason === 'foreign') return { key: error.field === 'code' ? 'code.error.otherTruck' : 'code.error.foreign', params: {} };

  const key = CODE_REASON_MESSAGES[reason];
  if (key === undefined) return null;
  return { key, params: { code: error.field === 'code' && typeof error.value === 'string' ? error.value : '' } };
}

/** Returns the sentence for an error on a field the customer filled in or chose, or null for another field. */
function fieldMessage(error: ApiError): PageMessage | null {
  const { field, code } = error;
  if (field === undefined) return null;

  const line = /^lines\.\d+\.(\w+)$/.exec(field);
  if (line) return lineMessage(line[1]!, code);

  switch (field) {
    case 'customer.name':
      return { key: 'checkout.error.name', params: { max: MAX_NAME_LENGTH } };
    case 'customer.phone':
      return { key: typeof error.value === 'string' && !error.value.trim().startsWith('+') ? 'checkout.error.phoneNoPlus' : 'checkout.error.phoneInvalid', params: {} };
    case 'customer.email':
      return { key: 'checkout.error.email', params: {} };
    case 'customer.smsUpdates':
      return { key: 'checkout.error.smsNeedsPhone', params: {} };
    case 'code':
      // A code the server could not read, such as one with a character codes never use or of the wrong length.
      return code === 'invalid_input' ? { key: 'code.error.malformed', params: {} } : null;
    case 'lines':
      return typeof error.value === 'number' ? { key: 'cart.problem.too_many_items', params: { max: MAX_ITEMS_PER_ORDER } } : { key: 'cart.problem.empty', params: {} };
    case 'truckId':
      return code === 'not_found' ? { key: 'checkout.error.truck', params: {} } : null;
    // The token of a card the sandbox no longer holds, such as after the server restarted or the token expired.
    case 'paymentMethod':
      return code === 'invalid_input' ? { key: 'payment.error.cardAgain', params: {} } : null;
    // A payment of an order that is no longer placed, such as one cancelled meanwhile.
    case 'id':
      return code === 'conflict' ? { key: 'payment.error.notPayable', params: {} } : null;
    default:
      return null;
  }
}

/**
 * Returns the sentence for an error on a cart line's `itemId`, `quantity` or `choices`.
 * The server sends a `conflict` when the menu changed since the customer saw it (sold
 * out, unavailable, a special with too few left) and `invalid_input` for a line the menu never allowed.
 */
function lineMessage(part: string, code: string): PageMessage | null {
  const changed = code === 'conflict';
  switch (part) {
    case 'itemId':
      return { key: changed ? 'cart.problem.soldOutOrUnavailable' : 'cart.problem.unknown_item', params: {} };
    case 'quantity':
      return changed ? { key: 'cart.problem.special_limit', params: {} } : { key: 'cart.problem.invalid_quantity', params: { maxQuantity: MAX_QUANTITY_PER_LINE } };
    case 'choices':
      return { key: 'cart.problem.unknown_choice', params: {} };
    default:
      return null;
  }
}
