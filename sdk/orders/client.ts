import type { PublishedMenu } from '../../orders/menu.js';
import { sendForBody, send, apiErrorOf, type HttpRequest } from './http.js';
import {
  cancelOrderRequest,
  cardTokenRequest,
  codeOfferRequest,
  confirmPaymentRequest,
  menuRequest,
  orderRequest,
  payRequest,
  placeOrderRequest,
  type CardFields,
  type OrderRequestBody,
} from './requests.js';

/**
 * An order as the customer's routes return it: the server's order without its campaign
 * tracking. Only the fields a phone usually needs are typed, and the reply contains more.
 */
export interface CustomerOrder {
  id: string;
  truckId: string;
  status: 'placed' | 'paid' | 'preparing' | 'ready' | 'picked_up' | 'cancelled' | 'refunded';
  pickupNumber: string | null;
  currency: string;
  subtotalMinor: number;
  discountMinor: number;
  totalMinor: number;
  code: string | null;
  estimatedReadyAt: string | null;
  [field: string]: unknown;
}

/** Outcome of a payment request. `status` is the HTTP status: 201 or 200 paid, 202 pending, 402 declined, 409 refunded. */
export interface PaymentReply {
  status: number;
  order: CustomerOrder;
  payment: { id: string; status: string; amountMinor: number; currency: string; cardBrand: string | null; cardLast4: string | null; declineCode: string | null };
  /** Set when the card needs the customer's authentication (202). */
  nextAction?: { type: string };
  /** Set for 402 and 409: why the payment did not pay the order. */
  error?: { code: string; message: string; reason?: string; declineCode?: string | null };
}

export interface OrderClientOptions {
  /** Base URL of the Cloudburst server (http or https). */
  url: string;
  /** Defaults to the global fetch. */
  fetch?: typeof fetch;
}

/**
 * Client of the public order API for a phone: menus, code lookups, orders and their payment.
 * Order and payment calls take the caller's Idempotency-Key. After a network error, call again
 * with the same key, so the server returns the first result instead of a second order or charge.
 * Every failure is an ApiError with the server's `code`, `field` and `value`.
 */
export class OrderClient {
  private readonly base: string;
  private readonly fetchImpl: typeof fetch;

  constructor(options: OrderClientOptions) {
    this.base = options.url.replace(/\/+$/, '');
    this.fetchImpl = options.fetch ?? globalThis.fetch.bind(globalThis);
  }

  /** Returns today's menu of the truck, with specials and what is left of them. */
  async menu(truckId: string): Promise<PublishedMenu> {
    return (await this.request<{ menu: PublishedMenu }>(menuRequest(truckId))).menu;
  }

  /** Looks a code up: what it gives, at which trucks, and whether it works now. */
  async lookUpCode(code: string): Promise<Record<string, unknown>> {
    return (await this.request<{ offer: Record<string, unknown> }>(codeOfferRequest(code))).offer;
  }

  /** Places an order; keep `orderToken`, the secret that reads and pays it. */
  placeOrder(body: OrderRequestBody, idempotencyKey: string): Promise<{ order: CustomerOrder; orderToken: string }> {
    return this.request(placeOrderRequest(body, idempotencyKey));
  }

  async getOrder(orderId: string, orderToken: string): Promise<CustomerOrder> {
    return (await this.request<{ order: CustomerOrder }>(orderRequest(orderId, orderToken))).order;
  }

  /**
   * Cancels an unpaid order, so its specials go back on sale, and returns the cancelled order.
   * @throws ApiError with status 409 for an order that is no longer placed, such as one paid or already cancelled
   */
  async cancelOrder(orderId: string, orderToken: string): Promise<CustomerOrder> {
    return (await this.request<{ order: CustomerOrder }>(cancelOrderRequest(orderId, orderToken))).order;
  }

  /**
   * Exchanges a card for a sandbox token; only on a server with the sandbox provider.
   * The card number goes to the server once and is kept nowhere by the SDK.
   */
  tokenizeSandboxCard(card: CardFields): Promise<{ token: string; brand: string; last4: string }> {
    return this.request(cardTokenRequest(card));
  }

  /**
   * Pays the order with a card token, or with `null` for an order its discount made free.
   * Declines (402) and refunds (409) are replies, not errors, because the order stays readable.
   */
  pay(orderId: string, orderToken: string, paymentMethod: string | null, idempotencyKey: string): Promise<PaymentReply> {
    return this.paymentReply(payRequest(orderId, orderToken, paymentMethod, idempotencyKey));
  }

  /** Completes a payment that needed authentication (a 202 with `nextAction`). */
  confirmPayment(orderId: string, orderToken: string, paymentId: string, authenticated: boolean): Promise<PaymentReply> {
    return this.paymentReply(confirmPaymentRequest(orderId, orderToken, paymentId, authenticated));
  }

  private request<T>(request: HttpRequest): Promise<T> {
    return sendForBody<T>(this.absolute(request), this.fetchImpl);
  }

  private async paymentReply(request: HttpRequest): Promise<PaymentReply> {
    const reply = await send(this.absolute(request), this.fetchImpl);
    const body = reply.body as Omit<PaymentReply, 'status'> | null;
    const paymentOutcome = reply.status < 300 || reply.status === 402 || reply.status === 409;
    if (!paymentOutcome || body?.order === undefined || body.payment === undefined) throw apiErrorOf(reply);
    return { status: reply.status, ...body };
  }

  private absolute(request: HttpRequest): HttpRequest {
    return { ...request, path: `${this.base}${request.path}` };
  }
}
