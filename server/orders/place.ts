import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { z } from 'zod';
import { CloudburstError } from '../../common/errors.js';
import { parseInput } from '../../common/validation.js';
import { normalizeEmail } from '../../contacts/email.js';
import { normalizePhone } from '../../contacts/phone.js';
import { assertCartOrderable, parseCartLines, priceCart, type CartLine, type PricedLine } from '../../orders/cart.js';
import { specialsOn } from '../../orders/menu.js';
import type { Db, Queryable } from '../../store/types.js';
import { hashToken } from '../auth.js';
import { normalizeCodeInput } from '../codes.js';
import { findDeviceByToken } from '../repos/devices.js';
import { getMenu, getSpecialsSold, reserveSpecial, type StoredMenu } from '../repos/menus.js';
import { findOrderByKey, insertOrder, insertOrderToken, type Order, type OrderCustomer, type OrderTracking } from '../repos/orders.js';
import { getTrucks } from '../repos/trucks.js';
import { checkOrderCode } from './code-check.js';
import { ORDER_TEXT_LANGUAGES } from './ready-text.js';
import { localDateAt } from './local-date.js';

/** Maximum idempotency key length. A UUID takes 36 characters, so 200 leaves room for a client's own scheme. */
export const MAX_IDEMPOTENCY_KEY_LENGTH = 200;

/** 32 random bytes, base64url: the secret that lets the phone read its order. */
const ORDER_TOKEN_BYTES = 32;

const uuidSchema = z
  .string()
  .uuid('expected a UUID')
  .transform((id) => id.toLowerCase());

const customerSchema = z
  .strictObject({
    name: z.string().trim().min(1).max(120).optional(),
    phone: z.string().max(32).optional(),
    email: z.string().max(254).optional(),
    /** The token of the device registered at `POST /v1/devices`, which links the order to the phone. */
    deviceToken: z.string().min(1).max(200).optional(),
    /** The customer agrees to a text message when the order is ready and no app showed it; needs `phone`. */
    smsUpdates: z.boolean().optional(),
    /** Language of that text: the page's language. */
    language: z.enum(ORDER_TEXT_LANGUAGES).optional(),
  })
  .default({});

const idempotencyKeySchema = z
  .string()
  .min(1, 'expected a key of 1 to 200 characters, such as a UUID')
  .max(MAX_IDEMPOTENCY_KEY_LENGTH, `expected a key of 1 to ${MAX_IDEMPOTENCY_KEY_LENGTH} characters, such as a UUID`);

export interface PlaceOrderRequest {
  truckId: string;
  /** The client's key for this order: a retry with the same key and body returns the first order. */
  idempotencyKey: string;
  /** Cart lines as sent; any prices in them are ignored. */
  lines: unknown;
  /** A discount code as typed. */
  code?: string;
  /** `{ name?, phone?, email?, deviceToken? }` as sent; checked here. */
  customer?: unknown;
  /** Epoch milliseconds. */
  now: number;
}

export interface PlacedOrder {
  order: Order;
  /** The secret for `Authorization: Bearer`, returned once per request; only its hash is stored. */
  orderToken: string;
  /** False when the idempotency key returned an order placed earlier. */
  created: boolean;
}

/**
 * Places an order at a truck. The server prices the cart from the stored menu on the
 * truck's local day, checks the code without redeeming it (the payment step calls
 * `redeemOrderCode`), and reserves units of limited specials, all in one transaction:
 * a failure leaves nothing behind.
 *
 * A retry with the same idempotency key and the same request returns the first order
 * with a new order token. Each token issued for the order stays valid.
 *
 * @throws invalid_input naming the field for a malformed request or cart, or a code that does not apply
 * @throws not_found for an unknown truck or a truck without a menu
 * @throws conflict naming `Idempotency-Key` when the key was used with another request,
 *   or naming the line when the menu changed (sold out, special limit)
 */
export async function placeOrder(db: Db, request: PlaceOrderRequest): Promise<PlacedOrder> {
  const idempotencyKey = parseInput(idempotencyKeySchema, request.idempotencyKey, 'Idempotency-Key');
  const truckId = parseInput(uuidSchema, request.truckId, 'truckId');
  const lines = parseCartLines(withoutClientPrices(request.lines));
  const code = request.code === undefined ? undefined : normalizeCodeInput('code', request.code);
  const customer = await parseCustomer(db, request.customer);
  const requestHash = hashRequest(lines, code, customer);

  const earlier = await replay(db, truckId, idempotencyKey, requestHash);
  if (earlier) return earlier;

  const [truck] = await getTrucks(db, [truckId]);
  if (!truck) throw new CloudburstError('not_found', `truck ${truckId} not found`, { field: 'truckId', value: truckId });
  const menu = await getMenu(db, truckId);
  if (!menu) throw new CloudburstError('not_found', `truck ${truckId} has no menu yet; the admin saves one first`, { field: 'truckId', value: truckId });
  const localDate = localDateAt(request.now, truck.timeZone);

  const placed = await db.transaction(async (tx) => {
    const specialsSold = await getSpecialsSold(tx, truckId, localDate);
    const cart = priceCart(menu.menu, lines, { localDate, specialsSold });
    assertCartOrderable(cart);

    let totals = { discountMinor: 0, totalMinor: cart.subtotalMinor };
    let tracking: OrderTracking = { campaignId: null, segmentId: null, contactId: null, deviceId: null, channel: null };
    if (code !== undefined) {
      const checked = await checkOrderCode(tx, { code, truckId, customer, at: request.now, cart });
      totals = { discountMinor: checked.discountMinor, totalMinor: checked.totalMinor };
      tracking = checked.tracking;
    }

    const id = randomUUID();
    const inserted = await insertOrder(tx, {
      id,
      truckId,
      idempotencyKey,
      requestHash,
      customer,
      lines: cart.lines,
      itemCount: cart.itemCount,
      subtotalMinor: cart.subtotalMinor,
      ...totals,
      currency: cart.currency,
      code: code ?? null,
      tracking,
      localDate,
      at: request.now,
    });
    // A simultaneous request with the same key committed first; its order is read below.
    if (!inserted) return undefined;

    await reserveSpecials(tx, menu, truckId, localDate, cart.lines);
    const orderToken = await issueOrderToken(tx, id);
    return { id, orderToken };
  });

  if (!placed) {
    const raced = await replay(db, truckId, idempotencyKey, requestHash);
    if (raced) return raced;
    throw new CloudburstError('unavailable', `order with Idempotency-Key ${JSON.stringify(idempotencyKey)} was not found after a simultaneous request; retry`, {
      field: 'Idempotency-Key',
      value: idempotencyKey,
    });
  }

  const order = (await findOrderByKey(db, truckId, idempotencyKey))!.order;
  return { order, orderToken: placed.orderToken, created: true };
}

/** Returns the order placed earlier with the key, with a new token, or throws when the key came with another request. */
async function replay(db: Db, truckId: string, idempotencyKey: string, requestHash: string): Promise<PlacedOrder | undefined> {
  const existing = await findOrderByKey(db, truckId, idempotencyKey);
  if (!existing) return undefined;

  if (existing.requestHash !== requestHash) {
    throw new CloudburstError(
      'conflict',
      `Idempotency-Key ${JSON.stringify(idempotencyKey)} was already used for order ${existing.order.id} with another request; use a new key for a new order`,
      { field: 'Idempotency-Key', value: idempotencyKey, context: { orderId: existing.order.id } },
    );
  }
  const orderToken = await issueOrderToken(db, existing.order.id);
  return { order: existing.order, orderToken, created: false };
}

/**
 * Takes the units of each of today's specials in the cart. Items go in id order, so two
 * orders with the same specials lock their rows in the same order and cannot deadlock.
 */
async function reserveSpecials(tx: Queryable, menu: StoredMenu, truckId: string, localDate: string, lines: readonly PricedLine[]): Promise<void> {
  const specials = specialsOn(menu.menu, localDate);
  const units = new Map<string, { units: number; line: PricedLine }>();
  for (const line of lines) {
    if (!line.special) continue;
    const entry = units.get(line.itemId);
    if (entry) entry.units += line.quantity;
    else units.set(line.itemId, { units: line.quantity, line });
  }

  for (const itemId of [...units.keys()].sort()) {
    const { units: wanted, line } = units.get(itemId)!;
    const quantity = specials.get(itemId)!.quantity;
    const reserved = await reserveSpecial(tx, { truckId, localDate, itemId, quantity }, wanted);
    if (reserved) continue;

    const field = `lines.${line.index}.quantity`;
    throw new CloudburstError(
      'conflict',
      `invalid ${field}: ${line.quantity} (today's special ${line.name} (${itemId}) has fewer than ${wanted} left, because simultaneous orders took them)`,
      { field, value: line.quantity, context: { reason: 'special_limit', itemId } },
    );
  }
}

async function issueOrderToken(db: Queryable, orderId: string): Promise<string> {
  const token = randomBytes(ORDER_TOKEN_BYTES).toString('base64url');
  await insertOrderToken(db, orderId, hashToken(token));
  return token;
}

/** Normalizes the phone and email as redemption compares them, and resolves the device token to its device. */
async function parseCustomer(db: Queryable, raw: unknown): Promise<OrderCustomer> {
  const input = parseInput(customerSchema, raw, 'customer');
  const customer: OrderCustomer = {};
  if (input.name !== undefined) customer.name = input.name;

  if (input.phone !== undefined) {
    if (!input.phone.trim().startsWith('+')) {
      throw new CloudburstError('invalid_input', `invalid customer.phone: ${JSON.stringify(input.phone)} (expected an international number starting with +, such as +14155552671)`, {
        field: 'customer.phone',
        value: input.phone,
      });
    }
    // The country only matters for national numbers, which the check above excludes.
    const phone = normalizePhone(input.phone, 'US');
    if (!phone.ok) throw new CloudburstError('invalid_input', `invalid customer.phone: ${JSON.stringify(input.phone)} (${phone.reason})`, { field: 'customer.phone', value: input.phone });
    customer.phone = phone.e164;
  }

  if (input.email !== undefined) {
    const email = normalizeEmail(input.email);
    if (!email.ok) throw new CloudburstError('invalid_input', `invalid customer.email: ${JSON.stringify(input.email)} (${email.reason})`, { field: 'customer.email', value: input.email });
    customer.email = email.email;
  }

  if (input.deviceToken !== undefined) {
    const device = await findDeviceByToken(db, input.deviceToken);
    // The token is a secret, so the error names the field but never echoes it.
    if (!device) throw new CloudburstError('invalid_input', 'invalid customer.deviceToken: no registered device has this token (register at POST /v1/devices)', { field: 'customer.deviceToken' });
    customer.deviceId = device.deviceId;
  }

  if (input.smsUpdates === true) {
    if (customer.phone === undefined) {
      throw new CloudburstError('invalid_input', 'invalid customer.smsUpdates: true (a text when the order is ready needs customer.phone)', {
        field: 'customer.smsUpdates',
        value: true,
      });
    }
    customer.smsUpdates = true;
  }
  if (input.language !== undefined) customer.language = input.language;
  return customer;
}

/**
 * Fields of a priced line that a client may echo back from the menu or an earlier
 * quote. The server prices every line itself, so these are dropped, not trusted.
 */
const CLIENT_PRICE_FIELDS = ['name', 'priceMinor', 'unitBaseMinor', 'unitPriceMinor', 'lineTotalMinor', 'special'];

function withoutClientPrices(lines: unknown): unknown {
  if (!Array.isArray(lines)) return lines;
  return lines.map((line: unknown) => {
    if (typeof line !== 'object' || line === null || Array.isArray(line)) return line;
    const priced: Record<string, unknown> = { ...(line as Record<string, unknown>) };
    for (const field of CLIENT_PRICE_FIELDS) delete priced[field];
    return priced;
  });
}

/** SHA-256 of the parsed request, hex. Fields go in a fixed order, so equal requests hash alike. */
function hashRequest(lines: readonly CartLine[], code: string | undefined, customer: OrderCustomer): string {
  const canonical = {
    lines: lines.map((line) => ({ itemId: line.itemId, quantity: line.quantity, choices: line.choices })),
    code: code ?? null,
    customer: { name: customer.name ?? null, phone: customer.phone ?? null, email: customer.email ?? null, deviceId: customer.deviceId ?? null, smsUpdates: customer.smsUpdates ?? false, language: customer.language ?? null },
  };
  return createHash('sha256').update(JSON.stringify(canonical)).digest('hex');
}
