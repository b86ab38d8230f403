import type { LiveOrder } from '../../../../common/protocol.js';
import { BOARD_STATUSES, isBoardStatus, type BoardStatus } from './queue.js';

/** A status the staff can move an order to from the board. */
export type BoardMove = 'preparing' | 'ready' | 'picked_up';

/** A request the staff can start from a board card: a move, or a refund of the order's payment. */
export type BoardAction = BoardMove | 'refund';

/**
 * Moves offered on each board status, a subset of the server's order transitions: a paid
 * order can skip preparing (a canned drink needs none). A refund is offered apart from the
 * moves, on every board status (see `canRefund`), because it has its own route.
 */
const BOARD_MOVES: Record<BoardStatus, readonly BoardMove[]> = {
  paid: ['preparing', 'ready'],
  preparing: ['ready'],
  ready: ['picked_up'],
};

export type BoardColumns = Record<BoardStatus, LiveOrder[]>;

/** Splits board orders into the new (paid), preparing and ready columns, keeping their order. */
export function groupByStatus(orders: readonly LiveOrder[]): BoardColumns {
  const columns = Object.fromEntries(BOARD_STATUSES.map((status) => [status, [] as LiveOrder[]])) as BoardColumns;
  for (const order of orders) {
    if (isBoardStatus(order.status)) columns[order.status].push(order);
  }
  return columns;
}

/** Returns the moves the board offers for an order in `status`, none for a status off the board. */
export function boardMoves(status: LiveOrder['status']): readonly BoardMove[] {
  return isBoardStatus(status) ? BOARD_MOVES[status] : [];
}

/**
 * Returns true when the kitchen has not finished the order and its estimated ready time is
 * before `now` (ms since the epoch).
 *
 * NOTE: `now` is the browser's clock and the estimate is the server's, so a skewed browser
 * clock flags orders early or late by its skew.
 */
export function isLate(order: LiveOrder, now: number): boolean {
  if (order.status !== 'paid' && order.status !== 'preparing') return false;
  if (order.estimatedReadyAt === null) return false;
  const readyAt = Date.parse(order.estimatedReadyAt);
  return Number.isFinite(readyAt) && now > readyAt;
}
