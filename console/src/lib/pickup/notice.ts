import type { WireOrderStatus } from '../../../../common/protocol.js';

/**
 * The outcome of a request the staff should read above the board: someone else moved the
 * order first, or the request failed. A failed refund shows on the order's card instead, so
 * a notice reports it only when the order has left the board.
 */
export type PickupNotice =
  | { kind: 'conflict'; orderLabel: string; status: WireOrderStatus | null }
  | { kind: 'failed'; orderLabel: string; message: string }
  | { kind: 'refundFailed'; orderLabel: string; message: string };
