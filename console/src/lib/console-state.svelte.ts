import type { LiveFrame } from '../../../common/protocol.js';
import { applyFrame, emptyModel, type LiveModel } from './live-model.js';
import { PickupBoard } from './pickup/pickup-board.svelte.js';

export interface ConsoleCounts {
  trucks: number;
  fences: number;
  devices: number;
  offers: number;
}

/**
 * Live model of trucks, fences, devices and offers, and the pickup board's orders. Each
 * collection is its own derived value, so a `devices` frame does not re-run effects that only
 * read `trucks`.
 */
export class ConsoleState {
  #model = $state.raw<LiveModel>(emptyModel());
  /** Receives the `order` frames, and learns of every snapshot so it can fetch its queue again. */
  readonly pickup = new PickupBoard();

  trucks = $derived(this.#model.trucks);
  fences = $derived(this.#model.fences);
  devices = $derived(this.#model.devices);
  offers = $derived(this.#model.offers);
  counts: ConsoleCounts = $derived({
    trucks: this.#model.trucks.size,
    fences: this.#model.fences.size,
    devices: this.#model.devices.size,
    offers: this.#model.offersSent,
  });

  apply(frame: LiveFrame, now: number = Date.now()): void {
    if (frame.type === 'order') {
      this.pickup.applyOrder(frame.order);
      return;
    }
    if (frame.type === 'snapshot') this.pickup.noteSnapshot();
    this.#model = applyFrame(this.#model, frame, now);
  }

  clear(): void {
    this.#model = emptyModel();
    this.pickup.clear();
  }
}
