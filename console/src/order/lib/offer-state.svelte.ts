import type { RemovedCode } from './applied-code.js';
import { errorMessage, type PageMessage } from './errors.js';
import { ApiError, sendForBody } from '../../../../sdk/orders/http.js';
import { REQUEST_RETRY, retryRetriable } from './idempotency.js';
import { keepNamedTruck, offerFromLookup, type DisplayOffer } from './offer.js';
import { codeOfferRequest } from '../../../../sdk/orders/requests.js';

/** The offer on the page and its code: the lookup of a typed or linked code, and a code taken off the cart. */
export class OfferState {
  offer = $state<DisplayOffer | null>(null);
  busy = $state(false);
  error = $state<PageMessage | null>(null);
  /** The code taken off the cart, which the next order goes without until the customer applies it again. */
  removedCode = $state<RemovedCode | null>(null);

  /** Callback for each offer shown, so the page can open a truck it is valid at. */
  readonly #onShown: (offer: DisplayOffer) => void;

  constructor(onShown: (offer: DisplayOffer) => void) {
    this.#onShown = onShown;
  }

  async lookUp(code: string): Promise<void> {
    this.busy = true;
    this.error = null;
    try {
      const offer = offerFromLookup(await retryRetriable(() => sendForBody<unknown>(codeOfferRequest(code)), REQUEST_RETRY));
      // Applying a removed code again puts it back on the cart.
      if (this.removedCode?.code === offer.code) this.removedCode = null;
      this.show(offer);
    } catch (error) {
      this.error = error instanceof ApiError && error.status === 404 ? { key: 'code.error.unknown', params: { code } } : errorMessage(error, String);
    } finally {
      this.busy = false;
    }
  }

  show(next: DisplayOffer): void {
    this.offer = keepNamedTruck(next, this.offer);
    this.error = null;
    this.#onShown(this.offer);
  }
}
