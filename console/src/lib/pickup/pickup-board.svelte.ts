import type { LiveOrder, WireOrderStatus } from '../../../../common/protocol.js';
import { toApiError } from '../campaigns/admin-api.js';
import { groupByStatus, type BoardMove } from './columns.js';
import { orderLabel } from './format.js';
import { moveOrder } from './move.js';
import type { PickupApi } from './pickup-api.js';
import { applyOrder, boardOrders, cancelFetch, emptyQueue, finishFetch, startFetch, type PickupQueue } from './queue.js';
import { readTruckChoice, saveTruckChoice } from './truck-choice.js';

/** The outcome of a move the staff should read: someone else moved the order first, or the request failed. */
export type PickupNotice =
  | { kind: 'conflict'; orderLabel: string; status: WireOrderStatus | null }
  | { kind: 'failed'; orderLabel: string; message: string };

/**
 * The pickup board of one truck: its queue, kept from the admin API and the live feed's
 * `order` frames, and the staff's moves. The console keeps it while signed in, in every
 * view, so the navigation can count new orders.
 */
export class PickupBoard {
  /** The truck whose orders the board shows, remembered in localStorage. */
  truckId = $state<string | null>(null);
  /** Snapshots seen on the live feed. Each follows a (re)connect, after which frames may have been missed. */
  feedSnapshots = $state(0);
  loading = $state(false);
  loadError = $state<string | null>(null);
  notice = $state.raw<PickupNotice | null>(null);
  /** Orders with a move request running, by id, with the status requested. */
  pending = $state.raw<ReadonlyMap<string, BoardMove>>(new Map());

  #queue = $state.raw<PickupQueue>(emptyQueue(null));
  #fetch: AbortController | null = null;
  /** Counts resets, so a move that settles after a sign-out or a truck change leaves no notice behind. */
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

  /** Moves an order and shows the server's version at once, without waiting for its frame. One move per order runs at a time. */
  async move(api: PickupApi, order: LiveOrder, to: BoardMove): Promise<void> {
    if (this.pending.has(order.id)) return;
    this.pending = new Map(this.pending).set(order.id, to);
    this.notice = null;
    const resets = this.#resets;

    const outcome = await moveOrder(api, order.id, to);
    if (resets !== this.#resets) return;
    const pending = new Map(this.pending);
    pending.delete(order.id);
    this.pending = pending;

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
  }

  #abortFetch(): void {
    this.#fetch?.abort();
    this.#fetch = null;
  }
}
