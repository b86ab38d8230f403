import type { CartLine } from '../../../../orders/cart.js';
import type { PublishedMenu } from '../../../../orders/menu.js';
import { addToCart, setQuantity } from './cart.js';
import { cartSnapshot, restoreCart, savedCartOf } from './cart-restore.js';
import { errorMessage, type PageMessage } from './errors.js';
import { ApiError, sendForBody } from '../../../../sdk/orders/http.js';
import { REQUEST_RETRY, retryRetriable } from './idempotency.js';
import { readMenuTruck, readPublishedMenu } from './menu.js';
import type { CustomerOrder } from './order-status.js';
import { menuRequest } from '../../../../sdk/orders/requests.js';
import { clearCart, readCart, saveCart, type CartItemName, type KeyValueStore } from './storage.js';

/**
 * The chosen truck, its menu and the cart at it. Each edit of the cart is saved in the
 * tab's sessionStorage, so a reload restores it once the menu loads.
 */
export class CartState {
  truckId = $state<string | null>(null);
  menu = $state<PublishedMenu | null>(null);
  menuError = $state<PageMessage | null>(null);
  /** The truck's name from the menu reply; null until it loads, or from a server that does not send it. */
  menuTruckName = $state<string | null>(null);
  lines = $state<CartLine[]>([]);
  /** Items of the cart saved before a reload that the menu no longer offers, for the cart's notice. */
  removedItems = $state<CartItemName[]>([]);

  readonly #sessionStore: KeyValueStore | null;
  /** Counts menu loads, so the reply of a load that a newer one replaced is dropped. */
  #menuLoad = 0;

  constructor(sessionStore: KeyValueStore | null) {
    this.#sessionStore = sessionStore;
  }

  /** Opens a truck's menu, or none for null, with an empty cart until the menu restores the lines saved for that truck. */
  open(id: string | null): void {
    this.truckId = id;
    this.menu = null;
    this.menuError = null;
    this.menuTruckName = null;
    this.lines = [];
    this.removedItems = [];
    if (id !== null) void this.loadMenu();
  }

  /**
   * Loads the chosen truck's menu; a cart the server rejected triggers it again, because
   * the menu may have changed. An empty cart takes the lines saved for this truck, less
   * those the menu no longer offers.
   */
  async loadMenu(): Promise<void> {
    const truckId = this.truckId;
    if (truckId === null) return;
    const load = ++this.#menuLoad;
    try {
      const body = await retryRetriable(() => sendForBody<unknown>(menuRequest(truckId)), REQUEST_RETRY);
      if (load !== this.#menuLoad) return;
      this.menu = readPublishedMenu(body);
      this.menuTruckName = readMenuTruck(body)?.name ?? null;
    } catch (error) {
      if (load !== this.#menuLoad) return;
      this.menu = null;
      this.menuError = error instanceof ApiError && error.status === 404 ? { key: 'menu.error.notFound', params: {} } : errorMessage(error, String);
      return;
    }

    const saved = readCart(this.#sessionStore);
    if (this.lines.length === 0 && saved !== null && saved.truckId === truckId) {
      const restored = restoreCart(saved, this.menu);
      this.#setLines(restored.lines);
      this.removedItems = restored.removed;
    }
  }

  addLine(line: CartLine): void {
    this.#setLines(addToCart(this.lines, line));
  }

  changeQuantity(index: number, quantity: number): void {
    this.#setLines(setQuantity(this.lines, index, quantity));
  }

  /** Empties the cart of a placed order and deletes its saved copy. */
  clear(): void {
    this.lines = [];
    clearCart(this.#sessionStore);
  }

  /** Saves an order's lines as the tab's cart, so its truck's menu restores them when it opens. */
  saveOrderLines(order: CustomerOrder): void {
    saveCart(this.#sessionStore, savedCartOf(order));
  }

  /** Sets the cart and saves it for this tab, so a reload keeps it until the order is placed. */
  #setLines(lines: CartLine[]): void {
    this.lines = lines;
    this.removedItems = [];
    if (this.truckId !== null) saveCart(this.#sessionStore, cartSnapshot(this.truckId, lines, this.menu));
  }
}
