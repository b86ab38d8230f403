import type { LiveOrder } from '../../../../common/protocol.js';
import { shortenId } from '../format.js';

/**
 * Formats an ISO 8601 instant as a time of day in `locale`, such as "12:15 PM" or "12:15", in
 * `timeZone` (the truck's). Without a zone, or with one the browser does not know, it uses the
 * browser's zone. A malformed instant is returned as written.
 */
export function formatClockTime(instant: string, locale: string, timeZone?: string): string {
  const date = new Date(instant);
  if (Number.isNaN(date.getTime())) return instant;
  try {
    return new Intl.DateTimeFormat(locale, { timeStyle: 'short', timeZone }).format(date);
  } catch (error) {
    if (!(error instanceof RangeError) || timeZone === undefined) throw error;
    return new Intl.DateTimeFormat(locale, { timeStyle: 'short' }).format(date);
  }
}

/** Joins the names of a line's choices as a list in `locale`, such as "Cheddar, Bacon" or "切达、培根". */
export function formatChoices(choices: readonly string[], locale: string): string {
  // The narrow conjunction lists without a word for "and" in English and in Chinese.
  return new Intl.ListFormat(locale, { style: 'narrow', type: 'conjunction' }).format(choices);
}

/** Returns the number called out at the window, or the order's short id for an order not yet paid, which has none. */
export function orderLabel(order: Pick<LiveOrder, 'id' | 'pickupNumber'>): string {
  return order.pickupNumber ?? shortenId(order.id);
}
