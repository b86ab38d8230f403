import type { LiveOrder, WireOrderStatus } from '../../../../common/protocol.js';

/** Statuses the pickup board shows, the same default as `GET /v1/admin/trucks/:id/orders`: paid and not yet picked up. */
export const BOARD_STATUSES = ['paid', 'preparing', 'ready'] as const;
export type BoardStatus = (typeof BOARD_STATUSES)[number];

/**
 * Maximum orders that left the board a queue keeps, the most recently updated. A stale frame
 * arrives within seconds of the newer one, so a few hundred is an estimate far above the need.
 * The cap bounds memory over a whole shift.
 */
export const MAX_RETIRED_ORDERS = 300;

/** Order of the statuses along an order's life, to break a tie of two versions with the same `updatedAt`. */
const STATUS_RANK: Record<WireOrderStatus, number> = {
  placed: 0,
  paid: 1,
  preparing: 2,
  ready: 3,
  picked_up: 4,
  cancelled: 5,
  refunded: 5,
};

/**
 * The orders of one truck as the board last heard of them. Every update returns a new queue
 * and keeps the old one when nothing changed, so callers can compare references.
 */
export interface PickupQueue {
  /** The truck whose orders the queue keeps; null keeps none. */
  truckId: string | null;
  /**
   * Latest version of each order, by id. Orders that left the board (picked up, cancelled,
   * refunded) stay as retired entries, so a late frame of an older version cannot bring one back.
   */
  known: ReadonlyMap<string, LiveOrder>;
  /** Ids of the orders that frames changed since the running fetch started; null while no fetch runs. */
  changedDuringFetch: ReadonlySet<string> | null;
}

export function isBoardStatus(status: WireOrderStatus): status is BoardStatus {
  return (BOARD_STATUSES as readonly string[]).includes(status);
}

export function emptyQueue(truckId: string | null): PickupQueue {
  return { truckId, known: new Map(), changedDuringFetch: null };
}

/**
 * Compares two versions of one order: positive when `a` is newer, by `updatedAt`, then by
 * how far along its status is, since two moves can share a millisecond.
 */
export function compareVersions(a: LiveOrder, b: LiveOrder): number {
  const byTime = instantMs(a.updatedAt) - instantMs(b.updatedAt);
  if (byTime !== 0) return byTime;
  return STATUS_RANK[a.status] - STATUS_RANK[b.status];
}

/**
 * Applies one version of an order, from an `order` frame or a reply of the admin API. An
 * older version than the known one is ignored, and an equal one replaces it because a frame
 * sent twice carries the same order. Orders of other trucks are ignored.
 */
export function applyOrder(queue: PickupQueue, order: LiveOrder): PickupQueue {
  if (order.truckId !== queue.truckId) return queue;
  const current = queue.known.get(order.id);
  if (current && compareVersions(order, current) < 0) return queue;

  const known = new Map(queue.known).set(order.id, order);
  const changedDuringFetch = queue.changedDuringFetch ? new Set(queue.changedDuringFetch).add(order.id) : null;
  return { ...queue, known, changedDuringFetch };
}

/** Marks the start of a fetch of the whole queue. A second start discards the first one's record, because that reply is then stale. */
export function startFetch(queue: PickupQueue): PickupQueue {
  return { ...queue, changedDuringFetch: new Set() };
}

/** Ends a fetch that failed or was abandoned, keeping the queue as the frames left it. */
export function cancelFetch(queue: PickupQueue): PickupQueue {
  return queue.changedDuringFetch === null ? queue : { ...queue, changedDuringFetch: null };
}

/**
 * Merges the queue the server listed (board statuses only) into the known orders. Each order
 * keeps its newer version. A board order missing from the list left the board while the feed
 * was not listening, so it is dropped, unless a frame brought it in after the fetch started.
 */
export function finishFetch(queue: PickupQueue, listed: readonly LiveOrder[]): PickupQueue {
  const changed = queue.changedDuringFetch ?? new Set<string>();
  const known = new Map<string, LiveOrder>();
  for (const order of listed) {
    if (order.truckId === queue.truckId) known.set(order.id, order);
  }

  for (const [id, current] of queue.known) {
    const fromList = known.get(id);
    if (fromList) {
      if (compareVersions(current, fromList) > 0) known.set(id, current);
    } else if (!isBoardStatus(current.status) || changed.has(id)) {
      known.set(id, current);
    }
  }

  return { ...queue, known: trimRetired(known), changedDuringFetch: null };
}

/** Returns the orders on the board, first paid first; orders without a payment time go last, by creation. */
export function boardOrders(queue: PickupQueue): LiveOrder[] {
  return [...queue.known.values()].filter((order) => isBoardStatus(order.status)).sort(byPaymentOrder);
}

function byPaymentOrder(a: LiveOrder, b: LiveOrder): number {
  const aPaid = a.paidAt === null ? Number.POSITIVE_INFINITY : instantMs(a.paidAt);
  const bPaid = b.paidAt === null ? Number.POSITIVE_INFINITY : instantMs(b.paidAt);
  if (aPaid !== bPaid) return aPaid < bPaid ? -1 : 1;
  const byCreation = instantMs(a.createdAt) - instantMs(b.createdAt);
  if (byCreation !== 0) return byCreation;
  if (a.id === b.id) return 0;
  return a.id < b.id ? -1 : 1;
}

/** Keeps every board order and the MAX_RETIRED_ORDERS most recently updated retired ones. */
function trimRetired(known: Map<string, LiveOrder>): Map<string, LiveOrder> {
  const retired = [...known.values()].filter((order) => !isBoardStatus(order.status));
  if (retired.length <= MAX_RETIRED_ORDERS) return known;
  retired.sort((a, b) => compareVersions(b, a));
  for (const order of retired.slice(MAX_RETIRED_ORDERS)) known.delete(order.id);
  return known;
}

/** Milliseconds since the epoch of an ISO 8601 instant; 0 for a malformed one, so it sorts as the oldest. */
function instantMs(instant: string): number {
  return Date.parse(instant) || 0;
}
