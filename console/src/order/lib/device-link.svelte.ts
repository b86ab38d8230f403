import type { OfferPayload, OrderUpdate } from '../../../../common/protocol.js';
import { CloudburstDevice, type DeviceState } from '../../../../sdk/index.js';
import type { LatLon } from './truck-choice.js';
import { forgetDeviceCredentials, readDeviceCredentials, saveDeviceCredentials, type DeviceCredentials, type KeyValueStore } from './storage.js';

/**
 * State of location sharing, as the page shows it:
 * - `unasked` until the customer chooses, `starting` while the browser requests permission;
 * - `sharing` once a fix arrived, `declined` after a refusal by the customer or the browser;
 * - `unavailable` in a browser without geolocation.
 */
export type LocationState = 'unasked' | 'starting' | 'sharing' | 'declined' | 'unavailable';

export interface DeviceLinkOptions {
  store: KeyValueStore | null;
  onOffer: (offer: OfferPayload) => void;
  onOrder: (update: OrderUpdate) => void;
  /** Called at each welcome: the page reads its order again, because updates made while offline were not pushed. */
  onWelcome: () => void;
  /** Server origin; the page's own by default. */
  origin?: string;
  geolocation?: Geolocation | undefined;
}

/** Platform label stored with the device. */
const PLATFORM = 'web';

/**
 * Wait before a new fix tries again to register after a failed registration: long enough
 * that a phone moving with fixes every second sends a few requests a minute, not sixty.
 */
const REGISTRATION_RETRY_MS = 30_000;

/**
 * This phone's device: registered once (the token stays in localStorage), connected
 * through the SDK, and fed with location fixes only after the customer agreed.
 */
export class DeviceLink {
  location = $state<LocationState>('unasked');
  connection = $state<DeviceState>('idle');
  /** Time of the last fix sent, epoch milliseconds. */
  lastFixAt = $state<number | null>(null);
  /** The last fix while sharing, to sort trucks by distance; null before the first fix and once sharing stops. */
  position = $state<LatLon | null>(null);

  readonly #options: DeviceLinkOptions;
  readonly #origin: string;
  #credentials: DeviceCredentials | null;
  #device: CloudburstDevice | null = null;
  #connecting: Promise<string | null> | null = null;
  #watchId: number | null = null;
  #reregistered = false;
  /** A fix that arrived before the device was connected; it is sent once the device exists. */
  #pendingFix: GeolocationPosition | null = null;
  /** Time of the last failed registration, epoch milliseconds. */
  #registrationFailedAt: number | null = null;

  constructor(options: DeviceLinkOptions) {
    this.#options = options;
    this.#origin = options.origin ?? location.origin;
    this.#credentials = readDeviceCredentials(options.store);
  }

  /** The device token to send with an order, once the device is registered. */
  get token(): string | null {
    return this.#credentials?.token ?? null;
  }

  /**
   * Registers the device unless it has a stored token, and connects it. Returns the
   * token, or null when registration failed; the page then works without pushes.
   */
  ensureConnected(): Promise<string | null> {
    this.#connecting ??= this.#connect().finally(() => {
      this.#connecting = null;
    });
    return this.#connecting;
  }

  /** Starts sharing the location after the customer agreed: connects, then sends each fix as a ping. */
  startLocation(): void {
    const geolocation = this.#options.geolocation;
    if (geolocation === undefined) {
      this.location = 'unavailable';
      return;
    }
    if (this.#watchId !== null) return;

    this.location = 'starting';
    void this.ensureConnected();
    this.#watchId = geolocation.watchPosition(
      (position) => this.#takeFix(position),
      (error) => {
        // Only a refusal ends the watch; a timeout or a lost fix is retried by the browser.
        if (error.code === error.PERMISSION_DENIED) this.stopLocation('declined');
        else console.warn(`cloudburst: no location fix yet (${error.message}); the browser keeps trying`);
      },
      { enableHighAccuracy: true, maximumAge: 10_000 },
    );
  }

  /** Stops sending the location; the connection stays for order updates. */
  stopLocation(state: LocationState = 'declined'): void {
    if (this.#watchId !== null) this.#options.geolocation?.clearWatch(this.#watchId);
    this.#watchId = null;
    this.location = state;
    this.position = null;
  }

  async dispose(): Promise<void> {
    this.stopLocation(this.location);
    await this.#device?.close();
    this.#device = null;
  }

  async #connect(): Promise<string | null> {
    if (this.#device !== null && this.#device.state !== 'closed') return this.token;

    if (this.#credentials === null) {
      try {
        const registered = await CloudburstDevice.register(this.#origin, { platform: PLATFORM });
        this.#credentials = { ...registered, lastSeq: 0 };
        this.#registrationFailedAt = null;
        saveDeviceCredentials(this.#options.store, this.#credentials);
      } catch (error) {
        this.#registrationFailedAt = Date.now();
        console.warn(`cloudburst: device registration failed, so offers and order updates are not pushed until it succeeds: ${error instanceof Error ? error.message : String(error)}`);
        return null;
      }
    }

    const device = new CloudburstDevice({ url: this.#origin, token: this.#credentials.token, lastSeq: this.#credentials.lastSeq });
    this.#device = device;
    device.on('state', (state) => {
      this.connection = state;
    });
    device.on('welcome', () => this.#options.onWelcome());
    device.on('offer', (offer) => this.#options.onOffer(offer));
    device.on('order', (update) => this.#options.onOrder(update));
    device.on('error', (error) => {
      console.warn(`cloudburst: device connection error ${error.code}: ${error.message}`);
      if (error.code === 'unauthorized') void this.#replaceUnknownDevice();
    });
    device.connect();
    if (this.#pendingFix !== null) this.#sendFix(this.#pendingFix);
    this.#pendingFix = null;
    return this.token;
  }

  /**
   * Registers anew when the server rejected the stored token with an order (its data was
   * reset), and returns the new token, or null when registration failed.
   */
  async renew(): Promise<string | null> {
    forgetDeviceCredentials(this.#options.store);
    this.#credentials = null;
    await this.#device?.close();
    this.#device = null;
    return this.ensureConnected();
  }

  /**
   * Registers anew once when the server rejects the stored token (its data was
   * reset), so the phone is not left without pushes for good.
   */
  async #replaceUnknownDevice(): Promise<void> {
    if (this.#reregistered) return;
    this.#reregistered = true;
    forgetDeviceCredentials(this.#options.store);
    this.#credentials = null;
    await this.#device?.close();
    this.#device = null;
    await this.ensureConnected();
  }

  #takeFix(position: GeolocationPosition): void {
    this.location = 'sharing';
    this.lastFixAt = position.timestamp;
    this.position = { lat: position.coords.latitude, lon: position.coords.longitude };
    if (this.#device !== null && this.#device.state !== 'closed') {
      this.#sendFix(position);
      return;
    }
    this.#pendingFix = position;
    const failedAt = this.#registrationFailedAt;
    if (failedAt !== null && Date.now() - failedAt >= REGISTRATION_RETRY_MS) void this.ensureConnected();
  }

  #sendFix(position: GeolocationPosition): void {
    const device = this.#device;
    if (device === null) return;
    try {
      device.sendPing({ lat: position.coords.latitude, lon: position.coords.longitude, accuracy: position.coords.accuracy, ts: position.timestamp });
    } catch (error) {
      // The SDK rejects a fix outside the valid ranges; the next fix is sent as usual.
      console.warn(`cloudburst: a location fix was not sent: ${error instanceof Error ? error.message : String(error)}`);
      return;
    }
    if (this.#credentials) {
      this.#credentials = { ...this.#credentials, lastSeq: device.lastSeq };
      saveDeviceCredentials(this.#options.store, this.#credentials);
    }
  }
}
