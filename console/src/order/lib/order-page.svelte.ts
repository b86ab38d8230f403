import type { OfferPayload } from '../../../../common/protocol.js';
import type { CartLine } from '../../../../orders/cart.js';
import type { PublishedMenu } from '../../../../orders/menu.js';
import { addToCart, previewCart, setQuantity, type CartPreview } from './cart.js';
import { Checkout } from './checkout.svelte.js';
import { DeviceLink } from './device-link.svelte.js';
import { errorMessage, type PageMessage } from './errors.js';
import { ApiError, sendForBody } from '../../../../sdk/orders/http.js';
import { i18n } from './i18n.svelte.js';
import { REQUEST_RETRY, retryRetriable } from './idempotency.js';
import type { OrderLink } from './link.js';
import { readPublishedMenu } from './menu.js';
import { offerAppliesAt, offerFromLookup, offerFromPush, type DisplayOffer } from './offer.js';
import { isFinalStatus } from './order-status.js';
import { OrderTracker } from './order-tracker.svelte.js';
import { PaymentFlow } from './payment-flow.svelte.js';
import { buildOrderBody, codeOfferRequest, menuRequest, type CustomerForm } from '../../../../sdk/orders/requests.js';
import { readLocationConsent, saveLocationConsent, type KeyValueStore } from './storage.js';

export interface OrderPageOptions {
  link: OrderLink;
  /** localStorage: the device's credentials. */
  localStore: KeyValueStore | null;
  /** sessionStorage: the followed order and the location consent of this tab. */
  sessionStore: KeyValueStore | null;
  geolocation?: Geolocation | undefined;
}

/**
 * The state of the customer's order page: the offer and its code, the chosen truck and
 * its menu, the cart, and, once ordered, the payment and the order's status.
 */
export class OrderPage {
  offer = $state<DisplayOffer | null>(null);
  codeBusy = $state(false);
  codeError = $state<PageMessage | null>(null);
  truckId = $state<string | null>(null);
  menu = $state<PublishedMenu | null>(null);
  menuError = $state<PageMessage | null>(null);
  lines = $state<CartLine[]>([]);
  customer = $state<CustomerForm>({ name: '', phone: '', email: '', smsUpdates: false });
  payment: PaymentFlow = $state()!;

  readonly link: OrderLink;
  readonly tracker: OrderTracker;
  readonly device: DeviceLink;
  readonly checkout = new Checkout();
  readonly #sessionStore: KeyValueStore | null;
  /** Counts menu loads, so the reply of a load that a newer one replaced is dropped. */
  #menuLoad = 0;

  /** The offer whose code goes with the order: usable, and valid at the chosen truck. */
  readonly appliedOffer = $derived(
    this.offer !== null && this.truckId !== null && this.offer.state === 'usable' && offerAppliesAt(this.offer, this.truckId) ? this.offer : null,
  );

  readonly truckName = $derived(this.offer?.trucks.find((truck) => truck.id === this.truckId)?.name ?? null);

  readonly preview = $derived.by((): CartPreview | null => {
    if (this.menu === null) return null;
    try {
      return previewCart(this.menu, this.lines, this.appliedOffer?.benefit);
    } catch (error) {
      // The server applies a benefit this preview could not; the preview then shows the cart without it.
      console.warn('cloudburst: the discount preview failed', error);
      return previewCart(this.menu, this.lines);
    }
  });

  constructor(options: OrderPageOptions) {
    this.link = options.link;
    this.#sessionStore = options.sessionStore;
    this.tracker = new OrderTracker(options.sessionStore);
    this.payment = new PaymentFlow(this.tracker);
    this.device = new DeviceLink({
      store: options.localStore,
      geolocation: options.geolocation,
      onOffer: (offer) => this.receiveOffer(offer),
      onOrder: (update) => this.tracker.applyUpdate(update),
      onWelcome: () => {
        if (this.tracker.session) void this.tracker.refresh().catch((error: unknown) => console.warn('cloudburst: reading the order after a reconnect failed', error));
      },
    });
  }

  /** True while the order's updates arrive by push. */
  get live(): boolean {
    return this.tracker.session?.deviceLinked === true && this.device.connection === 'open';
  }

  /**
   * True while the page must poll the order: it is followed and not final, and no push
   * can arrive or it was never read. Read it through a `$derived`, so an effect reruns
   * when the value changes rather than at every new reading of the order.
   */
  get needsPolling(): boolean {
    const { session, order } = this.tracker;
    if (session === null || (order !== null && isFinalStatus(order.status))) return false;
    return order === null || !this.live;
  }

  /** Starts what the link and the tab's earlier choices ask for: the code lookup, the truck's menu, location sharing. */
  start(): void {
    if (this.link.truckId) this.selectTruck(this.link.truckId);
    if (this.link.code) void this.lookUpCode(this.link.code);
    if (readLocationConsent(this.#sessionStore)) this.shareLocation();
    // An order followed before a reload gets its pushes again.
    else if (this.tracker.session?.deviceLinked) void this.device.ensureConnected();
  }

  shareLocation(): void {
    saveLocationConsent(this.#sessionStore, true);
    this.device.startLocation();
  }

  declineLocation(): void {
    saveLocationConsent(this.#sessionStore, false);
    this.device.stopLocation('declined');
  }

  receiveOffer(payload: OfferPayload): void {
    // A pushed offer does not replace one the customer is already ordering with.
    if (this.offer !== null && this.lines.length > 0) return;
    this.showOffer(offerFromPush(payload));
  }

  async lookUpCode(code: string): Promise<void> {
    this.codeBusy = true;
    this.codeError = null;
    try {
      this.showOffer(offerFromLookup(await retryRetriable(() => sendForBody<unknown>(codeOfferRequest(code)), REQUEST_RETRY)));
    } catch (error) {
      this.codeError = error instanceof ApiError && error.status === 404 ? { key: 'code.error.unknown', params: { code } } : errorMessage(error, String);
    } finally {
      this.codeBusy = false;
    }
  }

  /** Opens a truck's menu with an empty cart; null shows none, for the customer to pick. */
  selectTruck(id: string | null): void {
    if (id === this.truckId) return;
    this.truckId = id;
    this.menu = null;
    this.menuError = null;
    this.lines = [];
    this.checkout.clearErrors();
    if (id !== null) void this.loadMenu();
  }

  /** Loads the chosen truck's menu; a cart the server rejected triggers it again, because the menu may have changed. */
  async loadMenu(): Promise<void> {
    const truckId = this.truckId;
    if (truckId === null) return;
    const load = ++this.#menuLoad;
    try {
      const body = await retryRetriable(() => sendForBody<unknown>(menuRequest(truckId)), REQUEST_RETRY);
      if (load === this.#menuLoad) this.menu = readPublishedMenu(body);
    } catch (error) {
      if (load !== this.#menuLoad) return;
      this.menu = null;
      this.menuError = errorMessage(error, String);
    }
  }

  addLine(line: CartLine): void {
    this.lines = addToCart(this.lines, line);
  }

  changeQuantity(index: number, quantity: number): void {
    this.lines = setQuantity(this.lines, index, quantity);
    this.checkout.clearErrors();
  }

  /**
   * Places the order with this phone's device token, so its updates are pushed here, and
   * follows it. Without a device (registration failed) the page polls instead.
   */
  async placeOrder(): Promise<void> {
    const { truckId, menu, preview } = this;
    if (truckId === null || menu === null || preview === null || !preview.priced.ok || this.lines.length === 0) return;
    const deviceToken = await this.device.ensureConnected();
    const body = buildOrderBody({ truckId, lines: this.lines, code: this.appliedOffer?.code ?? null, customer: this.customer, deviceToken, language: i18n.locale });

    const placed = await this.checkout.place(body, (amount) => i18n.money(amount, menu.currency));
    if (placed === null) {
      if (Object.keys(this.checkout.errors.lines).length > 0) void this.loadMenu();
      return;
    }
    this.tracker.start({ orderId: placed.order.id, orderToken: placed.orderToken, deviceLinked: deviceToken !== null }, placed.order);
    this.payment = new PaymentFlow(this.tracker);
    this.lines = [];
  }

  startNewOrder(): void {
    this.tracker.clear();
    this.payment = new PaymentFlow(this.tracker);
  }

  showOffer(next: DisplayOffer): void {
    this.offer = next;
    this.codeError = null;
    if (this.truckId !== null && offerAppliesAt(next, this.truckId)) return;
    this.selectTruck(next.trucks.length === 1 ? next.trucks[0]!.id : null);
  }
}
