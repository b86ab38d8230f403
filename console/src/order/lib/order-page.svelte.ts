import type { OfferPayload } from '../../../../common/protocol.js';
import type { CartLine } from '../../../../orders/cart.js';
import type { PublishedMenu } from '../../../../orders/menu.js';
import { codeAfterOrder, isFinalCodeRejection, type RemovedCode } from './applied-code.js';
import { previewCart, type CartPreview } from './cart.js';
import { CartState } from './cart-state.svelte.js';
import { Checkout } from './checkout.svelte.js';
import { DeviceLink } from './device-link.svelte.js';
import { errorMessage, type PageMessage } from './errors.js';
import { i18n } from './i18n.svelte.js';
import type { OrderLink } from './link.js';
import { offerAppliesAt, offerFromPush, truckForOffer, type DisplayOffer } from './offer.js';
import { OfferState } from './offer-state.svelte.js';
import { cancelUnpaidOrder, type CancelOutcome } from './order-cancel.js';
import { isFinalStatus, type CustomerOrder } from './order-status.js';
import { OrderTracker } from './order-tracker.svelte.js';
import { PaymentFlow } from './payment-flow.svelte.js';
import { buildOrderBody, type CustomerForm } from '../../../../sdk/orders/requests.js';
import { readLocationConsent, saveLocationConsent, type CartItemName, type KeyValueStore } from './storage.js';

export interface OrderPageOptions {
  link: OrderLink;
  /** localStorage: the device's credentials. */
  localStore: KeyValueStore | null;
  /** sessionStorage: the cart, the followed order and the location consent of this tab. */
  sessionStore: KeyValueStore | null;
  geolocation?: Geolocation | undefined;
}

/**
 * The state of the customer's order page: the offer and its code, the chosen truck and
 * its menu, the cart, and, once ordered, the payment and the order's status. OfferState
 * and CartState contain the offer's and the cart's state, and this class joins them to
 * place, change or leave an order.
 */
export class OrderPage {
  customer = $state<CustomerForm>({ name: '', phone: '', email: '', smsUpdates: false });
  payment: PaymentFlow = $state()!;
  /** True while the unpaid order is being cancelled for a change. */
  changingOrder = $state(false);
  /** Reason the followed order could not be changed, shown with its status. */
  statusNotice = $state<PageMessage | null>(null);

  readonly link: OrderLink;
  readonly tracker: OrderTracker;
  readonly device: DeviceLink;
  readonly checkout = new Checkout();
  readonly offerState = new OfferState((offer) => this.selectTruck(truckForOffer(offer, this.cart.truckId)));
  readonly cart: CartState;
  readonly #sessionStore: KeyValueStore | null;

  /** The offer whose code goes with the order: usable, valid at the chosen truck, and not removed. */
  readonly appliedOffer = $derived(
    this.offer !== null &&
      this.truckId !== null &&
      this.offer.state === 'usable' &&
      offerAppliesAt(this.offer, this.truckId) &&
      this.removedCode?.code !== this.offer.code
      ? this.offer
      : null,
  );

  readonly truckName = $derived(this.menuTruckName ?? this.offer?.trucks.find((truck) => truck.id === this.truckId)?.name ?? null);

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
    this.cart = new CartState(options.sessionStore);
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

  get offer(): DisplayOffer | null {
    return this.offerState.offer;
  }

  get codeBusy(): boolean {
    return this.offerState.busy;
  }

  get codeError(): PageMessage | null {
    return this.offerState.error;
  }

  get removedCode(): RemovedCode | null {
    return this.offerState.removedCode;
  }

  get truckId(): string | null {
    return this.cart.truckId;
  }

  get menu(): PublishedMenu | null {
    return this.cart.menu;
  }

  get menuError(): PageMessage | null {
    return this.cart.menuError;
  }

  /** The truck's name from the menu reply; null until it loads, or from a server that does not send it. */
  get menuTruckName(): string | null {
    return this.cart.menuTruckName;
  }

  get lines(): CartLine[] {
    return this.cart.lines;
  }

  get removedItems(): CartItemName[] {
    return this.cart.removedItems;
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

  lookUpCode(code: string): Promise<void> {
    return this.offerState.lookUp(code);
  }

  showOffer(next: DisplayOffer): void {
    this.offerState.show(next);
  }

  /**
   * Opens a truck's menu; null shows none, for the customer to pick. The cart starts
   * empty, and the menu restores the cart saved for this truck when it loads.
   */
  selectTruck(id: string | null): void {
    if (id === this.truckId) return;
    this.#openMenu(id);
  }

  #openMenu(id: string | null): void {
    this.checkout.clearErrors();
    this.cart.open(id);
  }

  addLine(line: CartLine): void {
    this.cart.addLine(line);
  }

  changeQuantity(index: number, quantity: number): void {
    this.cart.changeQuantity(index, quantity);
    this.checkout.clearErrors();
  }

  /**
   * Places the order with this phone's device token, so its updates are pushed here, and
   * follows it. Without a device (registration failed) the page polls instead.
   */
  async placeOrder(): Promise<void> {
    const { truckId, menu, preview } = this;
    if (truckId === null || menu === null || preview === null || !preview.priced.ok || this.lines.length === 0) return;
    if (!this.checkout.validate(this.customer)) return;
    let deviceToken = await this.device.ensureConnected();
    const code = this.appliedOffer?.code ?? null;
    const bodyWith = (token: string | null) => buildOrderBody({ truckId, lines: this.lines, code, customer: this.customer, deviceToken: token, language: i18n.locale });

    let placed = await this.checkout.place(bodyWith(deviceToken), (amount) => i18n.money(amount, menu.currency));
    if (placed === null && deviceToken !== null && this.checkout.rejection?.field === 'customer.deviceToken') {
      // The server has no record of this phone (its data was reset), so register it again and order once more.
      deviceToken = await this.device.renew();
      placed = await this.checkout.place(bodyWith(deviceToken), (amount) => i18n.money(amount, menu.currency));
    }
    if (placed === null) {
      if (code !== null && isFinalCodeRejection(this.checkout.rejection)) {
        // The same code would get the same rejection on every tap, so the next tap orders without it.
        this.offerState.removedCode = { code, reason: this.checkout.takeCodeError() ?? errorMessage(this.checkout.rejection, String) };
      }
      if (Object.keys(this.checkout.errors.lines).length > 0) void this.cart.loadMenu();
      return;
    }
    this.statusNotice = null;
    this.tracker.start({ orderId: placed.order.id, orderToken: placed.orderToken, deviceLinked: deviceToken !== null, truckName: this.truckName }, placed.order);
    this.payment = new PaymentFlow(this.tracker);
    this.cart.clear();
  }

  /** Takes the code off the cart, so the order goes without it. Applying the code again puts it back. */
  removeCode(): void {
    const code = this.appliedOffer?.code;
    if (code !== undefined) this.offerState.removedCode = { code, reason: null };
  }

  /**
   * Cancels an order that is placed and not paid, so its specials go back on sale, and
   * goes back to its truck's menu with its cart, for the customer to change it and place a
   * new order. The new order gets a new Idempotency-Key, because a placed order resets the
   * key. An order that left `placed` meanwhile, such as one paid, stays and shows its status.
   */
  async changeOrder(): Promise<void> {
    const { order, session } = this.tracker;
    if (order === null || session === null || order.status !== 'placed' || this.changingOrder) return;

    this.changingOrder = true;
    this.payment.notice = null;
    let outcome: CancelOutcome;
    try {
      outcome = await cancelUnpaidOrder(session);
    } catch (error) {
      this.payment.notice = errorMessage(error, String);
      return;
    } finally {
      this.changingOrder = false;
    }

    if (outcome.kind === 'not_placed' && !(await this.#cancelledMeanwhile())) return;
    this.#returnToMenu(order);
  }

  /**
   * Reads the order after the server rejected its cancel, and returns true when it is
   * cancelled anyway, such as by an earlier try whose reply was lost. Otherwise the page
   * shows the order's status with the reason it stays.
   */
  async #cancelledMeanwhile(): Promise<boolean> {
    try {
      await this.tracker.refresh();
    } catch (error) {
      this.payment.notice = errorMessage(error, String);
      return false;
    }
    const status = this.tracker.order?.status;
    if (status === 'cancelled') return true;
    if (status === 'placed') this.payment.notice = { key: 'payment.error.notCancelled', params: {} };
    else if (status !== undefined) this.statusNotice = { key: 'status.notChangeable', params: {} };
    return false;
  }

  #returnToMenu(order: CustomerOrder): void {
    this.cart.saveOrderLines(order);
    this.tracker.clear();
    this.payment = new PaymentFlow(this.tracker);
    this.#openMenu(order.truckId);
    // After a reload the page has lost the offer of the order's code, so it looks the code up again.
    if (order.code !== null && this.offer?.code !== order.code) void this.lookUpCode(order.code);
  }

  /**
   * Leaves a finished order for a new one at the same truck, with its menu read again,
   * since specials may have sold meanwhile. The finished order's code is removed when it
   * was redeemed, and looked up again otherwise, because its state may have changed.
   */
  startNewOrder(): void {
    const order = this.tracker.order;
    const refundReason = this.payment.refundReason;
    this.tracker.clear();
    this.payment = new PaymentFlow(this.tracker);
    this.statusNotice = null;
    if (order === null) return;

    this.#openMenu(order.truckId);
    const next = codeAfterOrder(order, refundReason);
    if (next.action === 'remove') this.offerState.removedCode = { code: next.code, reason: { key: 'code.error.redeemed', params: { code: next.code } } };
    else if (next.action === 'look_up') void this.lookUpCode(next.code);
  }
}
