import type { CartLine } from '../../../../orders/cart.js';
import type { Translations } from '../../../../orders/menu.js';

/**
 * Browser storage of the page: the device's credentials in localStorage, so a
 * phone registers once, and the cart and the order being followed in sessionStorage,
 * so a reload keeps them while a new tab starts fresh.
 */

/** The part of the Web Storage API the page uses; tests pass a Map-backed one. */
export interface KeyValueStore {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

const DEVICE_KEY = 'cloudburst.order.device';
const ORDER_SESSION_KEY = 'cloudburst.order.session';
const LOCATION_CONSENT_KEY = 'cloudburst.order.locationConsent';
const CART_KEY = 'cloudburst.order.cart';

export interface DeviceCredentials {
  deviceId: string;
  /** Secret of `POST /v1/devices`, shown by the server once. */
  token: string;
  /** Highest ping seq used, so a new page continues the numbering. */
  lastSeq: number;
}

export interface OrderSession {
  orderId: string;
  /** Secret of `POST /v1/orders` for `Authorization: Bearer`. */
  orderToken: string;
  /** True when the order was placed with this phone's device token, so the server pushes its updates. */
  deviceLinked: boolean;
  /** Name of the order's truck, for the status view after a reload; null when the page did not know it. */
  truckName: string | null;
}

/** An item's name as the cart saw it, so the page can name an item that has left the menu since. */
export interface CartItemName {
  name: string;
  translations?: Translations;
}

/** The cart of one truck, kept until the order is placed. */
export interface StoredCart {
  truckId: string;
  lines: CartLine[];
  /** By item id, for each item in `lines`. */
  names: Record<string, CartItemName>;
}

/**
 * Returns the browser's storage, or null where it is unavailable (some privacy modes
 * throw on access). The page then works without remembering anything.
 */
export function browserStorage(kind: 'local' | 'session'): KeyValueStore | null {
  try {
    const storage = kind === 'local' ? window.localStorage : window.sessionStorage;
    const probe = '__cloudburst_probe__';
    storage.setItem(probe, probe);
    storage.removeItem(probe);
    return storage;
  } catch {
    // Reported by the null result; the callers keep the values in memory only.
    return null;
  }
}

function readObject(store: KeyValueStore | null, key: string): Record<string, unknown> | null {
  const text = store?.getItem(key);
  if (!text) return null;
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
  } catch {
    // A value another version of the page wrote in another shape is dropped.
    return null;
  }
}

function write(store: KeyValueStore | null, key: string, value: unknown): void {
  try {
    store?.setItem(key, JSON.stringify(value));
  } catch {
    // A full storage quota keeps the value for this page only.
  }
}

export function readDeviceCredentials(store: KeyValueStore | null): DeviceCredentials | null {
  const value = readObject(store, DEVICE_KEY);
  if (typeof value?.deviceId !== 'string' || typeof value.token !== 'string' || value.token === '') return null;
  const lastSeq = Number.isSafeInteger(value.lastSeq) && (value.lastSeq as number) >= 0 ? (value.lastSeq as number) : 0;
  return { deviceId: value.deviceId, token: value.token, lastSeq };
}

export function saveDeviceCredentials(store: KeyValueStore | null, credentials: DeviceCredentials): void {
  write(store, DEVICE_KEY, credentials);
}

export function forgetDeviceCredentials(store: KeyValueStore | null): void {
  store?.removeItem(DEVICE_KEY);
}

export function readOrderSession(store: KeyValueStore | null): OrderSession | null {
  const value = readObject(store, ORDER_SESSION_KEY);
  if (typeof value?.orderId !== 'string' || typeof value.orderToken !== 'string' || value.orderToken === '') return null;
  return { orderId: value.orderId, orderToken: value.orderToken, deviceLinked: value.deviceLinked === true, truckName: typeof value.truckName === 'string' ? value.truckName : null };
}

export function saveOrderSession(store: KeyValueStore | null, session: OrderSession): void {
  write(store, ORDER_SESSION_KEY, session);
}

export function clearOrderSession(store: KeyValueStore | null): void {
  store?.removeItem(ORDER_SESSION_KEY);
}

/** True when the customer agreed to share their location earlier in this tab. */
export function readLocationConsent(store: KeyValueStore | null): boolean {
  return store?.getItem(LOCATION_CONSENT_KEY) === JSON.stringify('granted');
}

export function saveLocationConsent(store: KeyValueStore | null, granted: boolean): void {
  if (granted) write(store, LOCATION_CONSENT_KEY, 'granted');
  else store?.removeItem(LOCATION_CONSENT_KEY);
}

/** Reads the saved cart. Lines of another shape are dropped, and a cart without valid lines reads as none. */
export function readCart(store: KeyValueStore | null): StoredCart | null {
  const value = readObject(store, CART_KEY);
  if (typeof value?.truckId !== 'string' || !Array.isArray(value.lines)) return null;

  const lines = value.lines.filter(isCartLine).map((line) => ({ itemId: line.itemId, quantity: line.quantity, choices: [...line.choices] }));
  if (lines.length === 0) return null;
  const names: Record<string, CartItemName> = {};
  const storedNames = typeof value.names === 'object' && value.names !== null ? (value.names as Record<string, unknown>) : {};
  for (const [itemId, entry] of Object.entries(storedNames)) {
    const name = (entry as { name?: unknown } | null)?.name;
    if (typeof name !== 'string') continue;
    const translations = (entry as { translations?: unknown }).translations;
    names[itemId] = typeof translations === 'object' && translations !== null ? { name, translations: translations as Translations } : { name };
  }
  return { truckId: value.truckId, lines, names };
}

/** Saves the cart, or removes the saved one when the cart is empty. */
export function saveCart(store: KeyValueStore | null, cart: StoredCart): void {
  if (cart.lines.length === 0) clearCart(store);
  else write(store, CART_KEY, cart);
}

export function clearCart(store: KeyValueStore | null): void {
  store?.removeItem(CART_KEY);
}

function isCartLine(value: unknown): value is CartLine {
  const line = value as Partial<CartLine> | null;
  return (
    typeof line?.itemId === 'string' &&
    Number.isSafeInteger(line.quantity) &&
    (line.quantity as number) >= 1 &&
    Array.isArray(line.choices) &&
    line.choices.every((choice) => typeof choice === 'string')
  );
}
