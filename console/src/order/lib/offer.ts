import type { OfferBenefit, OfferPayload } from '../../../../common/protocol.js';
import type { MessageParams } from '../../lib/messages/index.js';
import type { OrderMessageKey } from '../messages/index.js';

/**
 * The offer the page shows, from either source: pushed to this phone by the SDK's
 * `offer` event, or looked up with `GET /v1/codes/:code/offer` for a code from a link
 * or typed by hand.
 */

/** Whether a code can be used for an order now, as the code lookup reports it. */
export type CodeOfferState = 'usable' | 'not_yet_valid' | 'expired' | 'redeemed' | 'campaign_ended';

const CODE_OFFER_STATES: readonly CodeOfferState[] = ['usable', 'not_yet_valid', 'expired', 'redeemed', 'campaign_ended'];

export interface OfferTruck {
  id: string;
  name: string;
  /** IANA time zone, known for looked-up codes only. */
  timeZone?: string;
  /** Position in degrees, to sort the trucks by distance; missing from a server that does not send it. */
  lat?: number;
  lon?: number;
}

export interface DisplayOffer {
  code: string;
  campaignName: string;
  benefit: OfferBenefit & { minSpendMinor?: number };
  /** ISO 8601 instant after which the code is no longer accepted. */
  validUntil: string;
  state: CodeOfferState;
  trucks: OfferTruck[];
  /** `push` for an offer sent to this phone, `lookup` for a code from a link or typed. */
  source: 'push' | 'lookup';
  /**
   * The truck the offer was sent for, which the page opens without asking: a pushed
   * offer's truck, kept when the same code is looked up later. Null for a code from a
   * link or typed, whose campaign may name many trucks.
   */
  namedTruckId: string | null;
}

/** Converts a pushed offer. Its state follows from its end: a push arrives while the code is valid. */
export function offerFromPush(offer: OfferPayload, now: number = Date.now()): DisplayOffer {
  return {
    code: offer.code,
    campaignName: offer.campaignName,
    benefit: offer.benefit,
    validUntil: offer.validUntil,
    state: now >= Date.parse(offer.validUntil) ? 'expired' : 'usable',
    trucks: [{ id: offer.truck.id, name: offer.truck.name, lat: offer.truck.lat, lon: offer.truck.lon }],
    source: 'push',
    namedTruckId: offer.truck.id,
  };
}

/**
 * Reads the reply of `GET /v1/codes/:code/offer`.
 *
 * @throws TypeError naming the first field that is missing or malformed
 */
export function offerFromLookup(body: unknown): DisplayOffer {
  const offer = (body as { offer?: Record<string, unknown> } | null)?.offer;
  if (typeof offer !== 'object' || offer === null) throw new TypeError('invalid code offer reply: missing "offer" object');
  for (const field of ['code', 'campaignName', 'validUntil'] as const) {
    if (typeof offer[field] !== 'string') throw new TypeError(`invalid code offer reply: offer.${field} is ${JSON.stringify(offer[field])} (expected a string)`);
  }
  const benefit = offer.benefit as DisplayOffer['benefit'] | undefined;
  if (typeof benefit?.kind !== 'string' || typeof benefit.description !== 'string') {
    throw new TypeError('invalid code offer reply: offer.benefit lacks a kind and description');
  }
  if (!Array.isArray(offer.trucks)) throw new TypeError('invalid code offer reply: offer.trucks is not an array');

  // A server older than the state field sends none; the order step then reports any problem.
  const state = CODE_OFFER_STATES.find((candidate) => candidate === offer.state) ?? 'usable';
  const trucks = (offer.trucks as Array<Partial<OfferTruck>>).map((truck, index) => {
    if (typeof truck.id !== 'string' || typeof truck.name !== 'string') throw new TypeError(`invalid code offer reply: offer.trucks.${index} lacks an id and name`);
    const read: OfferTruck = { id: truck.id, name: truck.name };
    if (truck.timeZone !== undefined) read.timeZone = truck.timeZone;
    if (Number.isFinite(truck.lat) && Number.isFinite(truck.lon)) {
      read.lat = truck.lat;
      read.lon = truck.lon;
    }
    return read;
  });
  // The reply lists the trucks in no promised order; by name is how a customer scans a list.
  trucks.sort((a, b) => a.name.localeCompare(b.name));
  return {
    code: offer.code as string,
    campaignName: offer.campaignName as string,
    benefit,
    validUntil: offer.validUntil as string,
    state,
    trucks,
    source: 'lookup',
    namedTruckId: null,
  };
}

/**
 * Returns the message of the benefit in the page's words, built from its fields. The
 * campaign's own description is English, so it is the fallback only for a benefit the
 * fields cannot describe.
 */
export function benefitMessage(
  benefit: DisplayOffer['benefit'],
  formatMoney: (amountMinor: number, currency: string) => string,
): { key: OrderMessageKey; params: MessageParams } {
  if (benefit.kind === 'percent' && benefit.value !== undefined) return { key: 'benefit.percent', params: { value: benefit.value } };
  if (benefit.kind === 'amount' && benefit.value !== undefined && benefit.currency !== undefined) {
    return { key: 'benefit.amount', params: { amount: formatMoney(benefit.value, benefit.currency) } };
  }
  if (benefit.kind === 'free_item' && benefit.item !== undefined) return { key: 'benefit.freeItem', params: { item: benefit.item } };
  return { key: 'benefit.described', params: { description: benefit.description } };
}

/** Returns the message of the benefit's minimum spend, or null without one. */
export function minSpendMessage(
  benefit: DisplayOffer['benefit'],
  formatMoney: (amountMinor: number, currency: string) => string,
): { key: OrderMessageKey; params: MessageParams } | null {
  if (benefit.minSpendMinor === undefined || benefit.currency === undefined) return null;
  return { key: 'benefit.minSpend', params: { amount: formatMoney(benefit.minSpendMinor, benefit.currency) } };
}

/**
 * Carries the truck a pushed offer named over to a lookup of the same code, whose reply
 * lists every truck of the campaign, so the page stays at the truck the offer was sent for.
 */
export function keepNamedTruck(next: DisplayOffer, previous: DisplayOffer | null): DisplayOffer {
  const named = previous?.namedTruckId ?? null;
  if (next.namedTruckId !== null || named === null || previous?.code !== next.code || !offerAppliesAt(next, named)) return next;
  return { ...next, namedTruckId: named };
}

/**
 * Returns the truck whose menu the page opens for an offer: the chosen truck when the
 * code applies there, else the truck the offer names, else its only truck, else null for
 * the customer to pick one.
 */
export function truckForOffer(offer: DisplayOffer, chosenTruckId: string | null): string | null {
  if (chosenTruckId !== null && offerAppliesAt(offer, chosenTruckId)) return chosenTruckId;
  if (offer.namedTruckId !== null && offerAppliesAt(offer, offer.namedTruckId)) return offer.namedTruckId;
  return offer.trucks.length === 1 ? offer.trucks[0]!.id : null;
}

/** Returns true when the offer's code applies at the truck. */
export function offerAppliesAt(offer: DisplayOffer, truckId: string): boolean {
  return offer.trucks.some((truck) => truck.id === truckId);
}
