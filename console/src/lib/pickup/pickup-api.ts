import type { LiveOrder, WireOrderStatus } from '../../../../common/protocol.js';
import { readErrorReply, type ApiError } from '../campaigns/admin-api.js';
import type { BoardMove } from './columns.js';

const ADMIN_BASE = '/v1/admin';

/** An order as the admin API returns it: the fields of the server's `Order` that the board reads. */
export interface AdminOrder {
  id: string;
  truckId: string;
  status: WireOrderStatus;
  pickupNumber: string | null;
  customer: { name?: string };
  lines: Array<{ itemId: string; name: string; quantity: number; choices: Array<{ name: string }> }>;
  itemCount: number;
  totalMinor: number;
  currency: string;
  paidAt: string | null;
  estimatedReadyAt: string | null;
  createdAt: string;
  updatedAt: string;
}

/** The refund route's report: `succeeded` once the money is on its way back, `pending` while the payment provider completes it. */
export interface RefundReport {
  status: 'succeeded' | 'pending';
  amountMinor: number;
}

/** Reply of `POST /v1/admin/orders/:id/refund`: the order refunded, or still as it was while the refund is pending. */
export interface RefundReply {
  order: LiveOrder;
  refund: RefundReport;
}

export interface PickupApiOptions {
  token: string;
  /** Called when the server rejects the token (HTTP 401). */
  onUnauthorized?: () => void;
}

/** Client of the admin API's pickup routes. Every call sends the admin token as a bearer token and returns orders as the live feed shapes them. */
export class PickupApi {
  readonly #token: string;
  readonly #onUnauthorized: () => void;

  constructor(options: PickupApiOptions) {
    this.#token = options.token;
    this.#onUnauthorized = options.onUnauthorized ?? (() => {});
  }

  /** Lists the truck's board queue: its paid, preparing and ready orders, first paid first. */
  listQueue = (truckId: string, signal?: AbortSignal) =>
    this.#json<{ orders: AdminOrder[] }>('GET', `/trucks/${encodeURIComponent(truckId)}/orders`, undefined, signal).then((reply) =>
      reply.orders.map(toLiveOrder),
    );

  getOrder = (id: string) => this.#json<{ order: AdminOrder }>('GET', `/orders/${encodeURIComponent(id)}`).then((reply) => toLiveOrder(reply.order));

  /** Moves an order; the server replies 409 when the order's status no longer allows the move. */
  setStatus = (id: string, status: BoardMove) =>
    this.#json<{ order: AdminOrder }>('POST', `/orders/${encodeURIComponent(id)}/status`, { status }).then((reply) => toLiveOrder(reply.order));

  /**
   * Refunds the payment that paid the order, in full. The server replies 202 with a
   * pending refund, and 409 when the order is not paid or was refunded already.
   */
  refund = (id: string) =>
    this.#json<{ order: AdminOrder; refund: RefundReport }>('POST', `/orders/${encodeURIComponent(id)}/refund`).then(
      (reply): RefundReply => ({ order: toLiveOrder(reply.order), refund: { status: reply.refund.status, amountMinor: reply.refund.amountMinor } }),
    );

  /** Sends one request and returns its JSON reply. Throws an ApiError for any status but 2xx. */
  async #json<T>(method: string, path: string, body?: unknown, signal?: AbortSignal): Promise<T> {
    const headers: Record<string, string> = { authorization: `Bearer ${this.#token}` };
    if (body !== undefined) headers['content-type'] = 'application/json';
    const response = await fetch(`${ADMIN_BASE}${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      signal,
    });
    if (response.ok) return (await response.json()) as T;
    if (response.status === 401) this.#onUnauthorized();
    throw await readErrorReply(response);
  }
}

/** Converts an order of the admin API to the shape of the live feed's `order` frame. */
export function toLiveOrder(order: AdminOrder): LiveOrder {
  return {
    id: order.id,
    truckId: order.truckId,
    status: order.status,
    pickupNumber: order.pickupNumber,
    customerName: order.customer.name ?? null,
    lines: order.lines.map((line) => ({
      itemId: line.itemId,
      name: line.name,
      quantity: line.quantity,
      choices: line.choices.map((choice) => choice.name),
    })),
    itemCount: order.itemCount,
    totalMinor: order.totalMinor,
    currency: order.currency,
    paidAt: order.paidAt,
    estimatedReadyAt: order.estimatedReadyAt,
    createdAt: order.createdAt,
    updatedAt: order.updatedAt,
  };
}

