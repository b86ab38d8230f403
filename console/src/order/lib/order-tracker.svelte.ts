import type { OrderUpdate } from '../../../../common/protocol.js';
import { ApiError, sendForBody } from '../../../../sdk/orders/http.js';
import { applyOrderUpdate, newerOrder, readCustomerOrder, type CustomerOrder } from './order-status.js';
import { orderRequest } from '../../../../sdk/orders/requests.js';
import { clearOrderSession, readOrderSession, saveOrderSession, type KeyValueStore, type OrderSession } from './storage.js';

/** The order being followed: read back with its token, updated by pushes and polls, kept across a reload. */
export class OrderTracker {
  session = $state<OrderSession | null>(null);
  order = $state<CustomerOrder | null>(null);
  /** True when the server no longer finds the stored order or accepts its token. */
  lost = $state(false);

  readonly #store: KeyValueStore | null;

  constructor(store: KeyValueStore | null) {
    this.#store = store;
    this.session = readOrderSession(store);
  }

  /** Follows a newly placed order. */
  start(session: OrderSession, order: CustomerOrder): void {
    saveOrderSession(this.#store, session);
    this.session = session;
    this.order = order;
    this.lost = false;
  }

  /** Shows the order of a reply (a payment's), unless the page already shows a newer state. */
  show(order: CustomerOrder): void {
    if (this.session?.orderId !== order.id) return;
    this.order = newerOrder(this.order, order);
  }

  applyUpdate(update: OrderUpdate): void {
    if (this.order !== null) this.order = applyOrderUpdate(this.order, update);
  }

  /**
   * Reads the order again. A 404 means the token no longer opens it, so the page stops
   * following it; other failures are thrown for the caller to retry.
   */
  async refresh(): Promise<void> {
    const session = this.session;
    if (session === null) return;
    try {
      const body = await sendForBody<unknown>(orderRequest(session.orderId, session.orderToken));
      this.show(readCustomerOrder(body));
    } catch (error) {
      if (error instanceof ApiError && (error.status === 404 || error.status === 401)) {
        this.clear();
        this.lost = true;
        return;
      }
      throw error;
    }
  }

  /** Stops following the order, for a new one. */
  clear(): void {
    clearOrderSession(this.#store);
    this.session = null;
    this.order = null;
    this.lost = false;
  }
}
