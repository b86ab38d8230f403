import type { CartLine } from '../../orders/cart.js';
import type { HttpRequest } from './http.js';

/**
 * Builders of the public order API's requests, for the SDK's OrderClient and the order
 * page. Each returns the request as a value, with a path relative to the server. The
 * order and payment requests carry the caller's Idempotency-Key, so a retry sends the
 * same key and the server replies with the first result.
 */

const JSON_HEADERS = { 'content-type': 'application/json' };

/** The customer details as typed in the checkout form. */
export interface CustomerForm {
  name: string;
  phone: string;
  email: string;
  /** Consent to one text message when the order is ready, if the page is closed by then. Needs a phone. */
  smsUpdates: boolean;
}

/** Body of `POST /v1/orders`. */
export interface OrderRequestBody {
  truckId: string;
  lines: CartLine[];
  code?: string;
  customer: {
    name?: string;
    phone?: string;
    email?: string;
    /** Links the order to this phone's device, so status updates arrive over its WebSocket. */
    deviceToken?: string;
    smsUpdates?: true;
    /** Language of the ready text: the page's language. */
    language?: OrderLanguage;
  };
}

/** Languages the server writes the ready text in. */
export type OrderLanguage = 'en' | 'zh-CN';

/** The card as typed in the payment form; the expiry is already split. */
export interface CardFields {
  number: string;
  expMonth: number;
  expYear: number;
  cvc: string;
}

/**
 * Builds the order body from the cart and the form: blank fields are left out, and
 * `smsUpdates` is sent only when ticked with a phone, since the text needs a number.
 */
export function buildOrderBody(input: {
  truckId: string;
  lines: readonly CartLine[];
  code?: string | null;
  customer: CustomerForm;
  deviceToken?: string | null;
  language?: OrderLanguage;
}): OrderRequestBody {
  const customer: OrderRequestBody['customer'] = {};
  const name = input.customer.name.trim();
  const phone = input.customer.phone.trim();
  const email = input.customer.email.trim();
  if (name !== '') customer.name = name;
  if (phone !== '') customer.phone = phone;
  if (email !== '') customer.email = email;
  if (input.deviceToken) customer.deviceToken = input.deviceToken;
  if (input.customer.smsUpdates && phone !== '') {
    customer.smsUpdates = true;
    if (input.language) customer.language = input.language;
  }

  const body: OrderRequestBody = {
    truckId: input.truckId,
    lines: input.lines.map((line) => ({ itemId: line.itemId, quantity: line.quantity, choices: [...line.choices] })),
    customer,
  };
  const code = input.code?.trim();
  if (code) body.code = code;
  return body;
}

export function codeOfferRequest(code: string): HttpRequest {
  return { method: 'GET', path: `/v1/codes/${encodeURIComponent(code.trim())}/offer`, headers: {} };
}

export function menuRequest(truckId: string): HttpRequest {
  return { method: 'GET', path: `/v1/trucks/${encodeURIComponent(truckId)}/menu`, headers: {} };
}

export function placeOrderRequest(body: OrderRequestBody, idempotencyKey: string): HttpRequest {
  return { method: 'POST', path: '/v1/orders', headers: { ...JSON_HEADERS, 'idempotency-key': idempotencyKey }, body: JSON.stringify(body) };
}

export function orderRequest(orderId: string, orderToken: string): HttpRequest {
  return { method: 'GET', path: `/v1/orders/${encodeURIComponent(orderId)}`, headers: { authorization: `Bearer ${orderToken}` } };
}

/**
 * Builds the request that cancels an order the customer has not paid, so its specials go
 * back on sale. The route takes no body. The server replies 409 once the order is no longer
 * placed, such as when it was paid or cancelled meanwhile.
 */
export function cancelOrderRequest(orderId: string, orderToken: string): HttpRequest {
  return { method: 'POST', path: `/v1/orders/${encodeURIComponent(orderId)}/cancel`, headers: { authorization: `Bearer ${orderToken}` } };
}

/** Builds the sandbox tokenizer's request. Its body contains the card number, so it must never be logged or kept. */
export function cardTokenRequest(card: CardFields): HttpRequest {
  return { method: 'POST', path: '/v1/payments/sandbox/tokens', headers: { ...JSON_HEADERS }, body: JSON.stringify(card) };
}

/** Pays the order with a card token, or, for an order whose total is 0, with no card (body `{}`). */
export function payRequest(orderId: string, orderToken: string, paymentMethod: string | null, idempotencyKey: string): HttpRequest {
  return {
    method: 'POST',
    path: `/v1/orders/${encodeURIComponent(orderId)}/payments`,
    headers: { ...JSON_HEADERS, authorization: `Bearer ${orderToken}`, 'idempotency-key': idempotencyKey },
    body: JSON.stringify(paymentMethod === null ? {} : { paymentMethod }),
  };
}

/** Builds the request with the customer's choice on the sandbox's authentication prompt. */
export function confirmPaymentRequest(orderId: string, orderToken: string, paymentId: string, authenticated: boolean): HttpRequest {
  return {
    method: 'POST',
    path: `/v1/orders/${encodeURIComponent(orderId)}/payments/${encodeURIComponent(paymentId)}/confirm`,
    headers: { ...JSON_HEADERS, authorization: `Bearer ${orderToken}` },
    body: JSON.stringify({ authenticated }),
  };
}
