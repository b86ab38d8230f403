/**
 * Browser storage of the page: the device's credentials in localStorage, so a
 * phone registers once, and the order being followed in sessionStorage, so a reload
 * keeps the status view while a new tab starts fresh.
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
  return { orderId: value.orderId, orderToken: value.orderToken, deviceLinked: value.deviceLinked === true };
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
