import { invalidInput } from '../common/errors.js';

/**
 * Pickup numbers and ready-time estimates for the pickup window. Pure: the store keeps
 * the counter per truck and local day, and passes the queue in.
 */

/** Digits of a pickup number. Three are short to call out and cover any one truck's day. */
export const PICKUP_NUMBER_DIGITS = 3;

/**
 * Formats the day's `sequence`-th paid order of a truck (1-based, restarting each local
 * day) as the number called out at the window: 1 is "001" and 999 is "999". The
 * sequence 1000 and later are "1000", "1001" and so on: the number grows a digit rather
 * than wrapping back to "001", so two orders of one day never share a number.
 *
 * @throws invalid_input unless `sequence` is an integer of at least 1
 */
export function pickupNumber(sequence: number): string {
  if (!Number.isSafeInteger(sequence) || sequence < 1) throw invalidInput('sequence', sequence, 'an integer of at least 1');
  return String(sequence).padStart(PICKUP_NUMBER_DIGITS, '0');
}

/**
 * Reads a pickup number as staff type it ("7", "007" or " 1000 ") back into its sequence.
 *
 * @throws invalid_input unless `text` is digits for a sequence of at least 1
 */
export function parsePickupNumber(text: string): number {
  const trimmed = text.trim();
  const sequence = /^\d{1,15}$/.test(trimmed) ? Number(trimmed) : Number.NaN;
  if (!(sequence >= 1)) throw invalidInput('pickupNumber', text, 'a pickup number such as "007"');
  return sequence;
}

/** Maximum seconds per item accepted. More than an hour is a unit mistake, such as milliseconds given as seconds. */
const MAX_PREP_SECONDS_PER_ITEM = 3_600;

/** Maximum fixed seconds per order accepted, for the same reason. */
const MAX_BASE_SECONDS = 3_600;

export interface QueuedOrder {
  /** Units in the order. */
  items: number;
  /** Epoch milliseconds when this order is expected ready, when already estimated or promised. */
  readyAt?: number;
}

export interface ReadyEstimateInput {
  /** Epoch milliseconds. */
  now: number;
  /** Units in the order being estimated. */
  items: number;
  /** Seconds the truck needs per unit. */
  prepSecondsPerItem: number;
  /** Seconds the truck needs per order whatever its size: ticket, packing, calling out. */
  baseSeconds: number;
  /** Paid orders ahead of this one that are not ready yet, first in line first. */
  queue: readonly QueuedOrder[];
}

/**
 * Estimates when an order will be ready, in epoch milliseconds.
 *
 * Model: the truck prepares one order at a time, in queue order, and an order takes
 * `baseSeconds + items * prepSecondsPerItem`. Starting from `now`, each order ahead ends
 * at its `readyAt` when it has one, else after its own duration. An order ahead whose
 * `readyAt` has passed is taken to finish now. The new order starts when the last order
 * ahead ends.
 *
 * NOTE: the model has no parallel stations. A truck with two cooks works orders in
 * parallel, so for it this estimate runs long.
 *
 * @throws invalid_input naming the field (such as `queue.2.items`) for a value out of range
 */
export function estimateReadyAt(input: ReadyEstimateInput): number {
  const { now, items, prepSecondsPerItem, baseSeconds, queue } = input;
  if (!Number.isFinite(now)) throw invalidInput('now', now, 'epoch milliseconds');
  checkItems('items', items);
  if (!(prepSecondsPerItem >= 0 && prepSecondsPerItem <= MAX_PREP_SECONDS_PER_ITEM)) {
    throw invalidInput('prepSecondsPerItem', prepSecondsPerItem, `seconds from 0 to ${MAX_PREP_SECONDS_PER_ITEM}`);
  }
  if (!(baseSeconds >= 0 && baseSeconds <= MAX_BASE_SECONDS)) {
    throw invalidInput('baseSeconds', baseSeconds, `seconds from 0 to ${MAX_BASE_SECONDS}`);
  }

  const durationMs = (units: number) => (baseSeconds + units * prepSecondsPerItem) * 1000;

  let kitchenFreeAt = now;
  queue.forEach((order, index) => {
    checkItems(`queue.${index}.items`, order.items);
    if (order.readyAt === undefined) {
      kitchenFreeAt += durationMs(order.items);
      return;
    }
    if (!Number.isFinite(order.readyAt)) throw invalidInput(`queue.${index}.readyAt`, order.readyAt, 'epoch milliseconds');
    kitchenFreeAt = Math.max(kitchenFreeAt, order.readyAt);
  });

  return Math.round(kitchenFreeAt + durationMs(items));
}

function checkItems(field: string, items: number): void {
  if (!Number.isSafeInteger(items) || items < 1) throw invalidInput(field, items, 'an integer of at least 1');
}
