import type { LiveOrder } from '../../../../common/protocol.js';
import { toApiError } from '../campaigns/admin-api.js';
import { groupByStatus, type BoardAction, type BoardMove } from './columns.js';
import { orderLabel } from './format.js';
import { moveOrder } from './move.js';
import type { PickupNotice } from './notice.js';
import type { PickupApi } from './pickup-api.js';
import { applyOrder, boardOrders, cancelFetch, emptyQueue, finishFetch, isBoardStatus, startFetch, type PickupQueue } from './queue.js';
import { latestOrderOf, refundOrder, refundResult } from './refund.js';
import { readTruckChoice, saveTruckChoice } from './truck-choice.js';

export type { PickupNotice } from './notice.js';

/**
 * The pickup board of one truck: its queue, kept from the admin API and the live feed's
 * `order` frames, and the staff's moves and refunds. The console keeps it while signed in,
 * in every view, so the navigation can count new orders.
 */
export class PickupBoard {
  /** The truck whose orders the board shows, remembered in localStorage. */
  truckId = $state<string | null>(null);
  /** Snapshots seen on the live feed. Each follows a (re)connect, after which frames may have been missed. */
  feedSnapshots = $state(0);
  loading = $state(false);
  loadError = $state<string | null>(null);
  notice = $state.raw<PickupNotice | null>(null);
  /** Orders with a move or refund request running, by id, with the action requested. */
  pending = $state.raw<ReadonlyMap<string, BoardAction>>(new Map());
  /**
   * Ids of the orders whose refund the payment provider is still completing. An id goes when
   * the order leaves the board, which the refunded order's frame does.
   *
   * NOTE: a provider that fails the refund later sends no frame, so such an order shows
   * "Refund pending" until the board is reset (reload, sign-out or truck change).
   */
  refundsPending = $state.raw<ReadonlySet<string>>(new Set());
  /** The server's message for the last failed refund of each order still on the board, by id. */
  refundErrors = $state.raw<ReadonlyMap<string, string>>(new Map());

  #queue = $state.raw<PickupQueue>(emptyQueue(null));
  #fetch: AbortController | null = null;
  /** Counts resets, so a move or refund that settles after a sign-out or a truck change leaves no notice or mark behind. */
  #resets = 0;

  /** Board orders, first paid first. */
  orders = $derived(boardOrders(this.#queue));
  columns = $derived(groupByStatus(this.orders));
  /** New (paid) orders, for the navigation's badge. */
  newCount = $derived(this.columns.paid.length);

  constructor(truckId: string | null = readTruckChoice()) {
    this.truckId = truckId;
    this.#queue = emptyQueue(truckId);
  }

  /** Follows another truck, or none, and remembers the choice. The caller then runs `refresh`. */
  selectTruck(truckId: string | null): void {
    if (truckId === this.truckId) return;
    this.#abortFetch();
    this.truckId = truckId;
    saveTruckChoice(truckId);
    this.#reset();
  }

  /** Applies an `order` frame of the live feed. */
  applyOrder(order: LiveOrder): void {
    this.#queue = applyOrder(this.#queue, order);
    if (!this.#isOnBoard(order.id)) this.#forgetRefundMarks();
  }

  /** Records a snapshot frame: the feed (re)connected, so the queue must be fetched again. */
  noteSnapshot(): void {
    this.feedSnapshots += 1;
  }

  /**
   * Fetches the truck's queue and merges it with the frames that arrived meanwhile. A newer
   * refresh or a truck change makes the running one's reply stale, and it is dropped.
   */
  async refresh(api: PickupApi): Promise<void> {
    const truckId = this.truckId;
    if (truckId === null) return;
    this.#abortFetch();
    const controller = new AbortController();
    this.#fetch = controller;
    this.#queue = startFetch(this.#queue);
    this.loading = true;

    try {
      const listed = await api.listQueue(truckId, controller.signal);
      if (this.#fetch !== controller) return;
      this.#queue = finishFetch(this.#queue, listed);
      this.#forgetRefundMarks();
      this.loadError = null;
    } catch (error) {
      if (this.#fetch !== controller) return;
      this.#queue = cancelFetch(this.#queue);
      this.loadError = toApiError(error).message;
    } finally {
      if (this.#fetch === controller) {
        this.#fetch = null;
        this.loading = false;
      }
    }
  }

  /** Moves an order and shows the server's version at once, without waiting for its frame. One move or refund per order runs at a time. */
  async move(api: PickupApi, order: LiveOrder, to: BoardMove): Promise<void> {
    if (!this.#start(order.id, to)) return;
    const resets = this.#resets;

    const outcome = await moveOrder(api, order.id, to);
    if (resets !== this.#resets) return;
    this.#finish(order.id);

    const label = orderLabel(order);
    if (outcome.kind === 'moved') {
      this.applyOrder(outcome.order);
    } else if (outcome.kind === 'conflict') {
      if (outcome.current) this.applyOrder(outcome.current);
      this.notice = { kind: 'conflict', orderLabel: label, status: outcome.current?.status ?? null };
    } else {
      this.notice = { kind: 'failed', orderLabel: label, message: outcome.error.message };
    }
  }

  /**
   * Refunds an order in full, once the staff confirmed the amount. The server's version of
   * the order is applied at once, so a refunded order leaves the board without waiting for
   * its frame. The rest follows `refundResult`.
   */
  async refund(api: PickupApi, order: LiveOrder): Promise<void> {
    if (!this.#start(order.id, 'refund')) return;
    const resets = this.#resets;

    const outcome = await refundOrder(api, order.id);
    if (resets !== this.#resets) return;
    this.#finish(order.id);

    const latest = latestOrderOf(outcome);
    if (latest) this.applyOrder(latest);

    const result = refundResult(outcome, this.#isOnBoard(order.id), orderLabel(order));
    if (result.kind === 'pending') this.refundsPending = new Set(this.refundsPending).add(order.id);
    else if (result.kind === 'cardError') this.refundErrors = new Map(this.refundErrors).set(order.id, result.message);
    else if (result.kind === 'notice') this.notice = result.notice;
  }

  dismissNotice(): void {
    this.notice = null;
  }

  /** Clears the orders on sign-out. The truck choice stays for the next sign-in. */
  clear(): void {
    this.#abortFetch();
    this.#reset();
  }

  #reset(): void {
    this.#resets += 1;
    this.#queue = emptyQueue(this.truckId);
    this.loading = false;
    this.loadError = null;
    this.notice = null;
    this.pending = new Map();
    this.refundsPending = new Set();
    this.refundErrors = new Map();
  }

  /** Marks a request of `action` on the order as running, and clears the order's last refund failure. Returns false while another one runs. */
  #start(orderId: string, action: BoardAction): boolean {
    if (this.pending.has(orderId)) return false;
    this.pending = new Map(this.pending).set(orderId, action);
    this.notice = null;
    if (this.refundErrors.has(orderId)) {
      const errors = new Map(this.refundErrors);
      errors.delete(orderId);
      this.refundErrors = errors;
    }
    return true;
  }

  #finish(orderId: string): void {
    const pending = new Map(this.pending);
    pending.delete(orderId);
    this.pending = pending;
  }

  #isOnBoard(orderId: string): boolean {
    const order = this.#queue.known.get(orderId);
    return order !== undefined && isBoardStatus(order.status);
  }

  /** Drops the refund marks of orders no longer on the board, so the sets stay as small as the board. */
  #forgetRefundMarks(): void {
    const pending = [...this.refundsPending].filter((id) => this.#isOnBoard(id));
    if (pending.length !== this.refundsPending.size) this.refundsPending = new Set(pending);
    const errors = [...this.refundErrors].filter(([id]) => this.#isOnBoard(id));
    if (errors.length !== this.refundErrors.size) this.refundErrors = new Map(errors);
  }

  #abortFetch(): void {
    this.#fetch?.abort();
    this.#fetch = null;
  }
}
