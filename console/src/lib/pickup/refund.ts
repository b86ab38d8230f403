import type { LiveOrder, WireOrderStatus } from '../../../../common/protocol.js';
import { toApiError, type ApiError } from '../campaigns/admin-api.js';
import { formatMinorUnits } from '../campaigns/money.js';
import type { MessageKey, MessageParams } from '../messages/index.js';
import { CONFLICT_STATUS, readOrderBack } from './move.js';
import type { PickupNotice } from './notice.js';
import type { PickupApi } from './pickup-api.js';

/**
 * Statuses whose card offers a refund: every status on the board. The server also refunds a
 * picked-up order, but that order is no longer on the board.
 */
const REFUNDABLE_STATUSES: ReadonlySet<WireOrderStatus> = new Set(['paid', 'preparing', 'ready']);

export type RefundOutcome =
  /** The order is refunded; `order` is its refunded version. */
  | { kind: 'refunded'; order: LiveOrder; amountMinor: number }
  /** The payment provider completes the refund later, and the live feed then brings the refunded order. */
  | { kind: 'pending'; order: LiveOrder; amountMinor: number }
  /** The order's status allows no refund. `current` is the order read back after the 409, null when that read failed too. */
  | { kind: 'conflict'; error: ApiError; current: LiveOrder | null }
  | { kind: 'failed'; error: ApiError };

export function canRefund(status: WireOrderStatus): boolean {
  return REFUNDABLE_STATUSES.has(status);
}

/**
 * Returns the question that confirms a refund with the staff, naming the amount in `locale`,
 * such as "Refund $11.70 to the customer's card?". An order whose discount made it free was
 * settled without a card, so its question states that no money goes back.
 */
export function refundQuestion(order: Pick<LiveOrder, 'totalMinor' | 'currency'>, locale: string): { key: MessageKey; params?: MessageParams } {
  if (order.totalMinor === 0) return { key: 'pickup.refund.confirmFree' };
  return { key: 'pickup.refund.confirm', params: { amount: formatMinorUnits(order.totalMinor, order.currency, locale) } };
}

/**
 * Refunds an order in full. On a 409 it reads the order back, so the board can show whether
 * another staff member refunded it first. Never throws: every failure becomes an outcome.
 */
export async function refundOrder(api: Pick<PickupApi, 'refund' | 'getOrder'>, orderId: string): Promise<RefundOutcome> {
  try {
    const reply = await api.refund(orderId);
    const kind = reply.refund.status === 'pending' ? 'pending' : 'refunded';
    return { kind, order: reply.order, amountMinor: reply.refund.amountMinor };
  } catch (caught) {
    const error = toApiError(caught);
    if (error.status !== CONFLICT_STATUS) return { kind: 'failed', error };
    return { kind: 'conflict', error, current: await readOrderBack(api, orderId, 'refund') };
  }
}

/** Returns the server's latest version of the order in an outcome, or null for a failure, which carries none. */
export function latestOrderOf(outcome: RefundOutcome): LiveOrder | null {
  if (outcome.kind === 'failed') return null;
  return outcome.kind === 'conflict' ? outcome.current : outcome.order;
}

/** The board's display of a settled refund request. */
export type RefundResult =
  | { kind: 'none' }
  | { kind: 'pending' }
  | { kind: 'cardError'; message: string }
  | { kind: 'notice'; notice: PickupNotice };

/**
 * Decides what the board shows after a refund, once the outcome's order was applied.
 * `onBoard` is whether the order is still on the board then, and `orderLabel` its number.
 *
 * - refunded: nothing, since the order has left the board.
 * - pending: "Refund pending" on the card, until the refunded order's frame takes it off.
 * - conflict or failed: the server's message on the card. An order that has left the board
 *   has no card, so a notice shows where it went after a conflict, or the message.
 */
export function refundResult(outcome: RefundOutcome, onBoard: boolean, orderLabel: string): RefundResult {
  if (!onBoard) {
    if (outcome.kind === 'conflict') return { kind: 'notice', notice: { kind: 'conflict', orderLabel, status: outcome.current?.status ?? null } };
    if (outcome.kind === 'failed') return { kind: 'notice', notice: { kind: 'refundFailed', orderLabel, message: outcome.error.message } };
    return { kind: 'none' };
  }

  if (outcome.kind === 'refunded') return { kind: 'none' };
  if (outcome.kind === 'pending') return { kind: 'pending' };
  return { kind: 'cardError', message: outcome.error.message };
}
