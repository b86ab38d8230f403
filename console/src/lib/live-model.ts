import type { LiveDevice, LiveFence, LiveFrame, LiveTruck, OfferPayload } from '../../../common/protocol.js';

/** Number of recent offers the console keeps. Older ones drop off the list and the map. */
export const MAX_RECENT_OFFERS = 100;

/** A device with the browser time (ms since the epoch) when its position last arrived. */
export interface DeviceEntry extends LiveDevice {
  receivedAt: number;
}

/** An offer with the browser time when it arrived, or its decision time if it came in a snapshot. */
export interface OfferEntry {
  offer: OfferPayload;
  receivedAt: number;
}

/**
 * State built from the live feed's frames so far. Every update returns a new model and keeps the
 * parts it did not change, so callers can detect changes by comparing references.
 */
export interface LiveModel {
  trucks: ReadonlyMap<string, LiveTruck>;
  fences: ReadonlyMap<string, LiveFence>;
  devices: ReadonlyMap<string, DeviceEntry>;
  /** Newest first, at most MAX_RECENT_OFFERS. */
  offers: readonly OfferEntry[];
  /** Offers in the last snapshot plus every offer frame after it, including offers no longer kept. */
  offersSent: number;
}

export function emptyModel(): LiveModel {
  return { trucks: new Map(), fences: new Map(), devices: new Map(), offers: [], offersSent: 0 };
}

/** Applies one live frame at browser time `now` (ms since the epoch). */
export function applyFrame(model: LiveModel, frame: LiveFrame, now: number): LiveModel {
  switch (frame.type) {
    case 'snapshot':
      return applySnapshot(frame, now);
    case 'truck':
      return { ...model, trucks: new Map(model.trucks).set(frame.truck.id, frame.truck) };
    case 'fence':
      return { ...model, fences: new Map(model.fences).set(frame.fence.id, frame.fence) };
    case 'fence-removed': {
      if (!model.fences.has(frame.fenceId)) return model;
      const fences = new Map(model.fences);
      fences.delete(frame.fenceId);
      return { ...model, fences };
    }
    case 'devices': {
      if (frame.devices.length === 0) return model;
      const devices = new Map(model.devices);
      for (const device of frame.devices) devices.set(device.id, { ...device, receivedAt: now });
      return { ...model, devices };
    }
    case 'offer': {
      // A reconnect can deliver an offer both in the new snapshot and as a frame.
      if (model.offers.some((entry) => entry.offer.offerId === frame.offer.offerId)) return model;
      const offers = newestFirst([{ offer: frame.offer, receivedAt: now }, ...model.offers]);
      return { ...model, offers, offersSent: model.offersSent + 1 };
    }
    // Orders belong to the pickup board, and errors to the feed's status.
    case 'order':
    case 'error':
      return model;
  }
}

function applySnapshot(frame: Extract<LiveFrame, { type: 'snapshot' }>, now: number): LiveModel {
  const unique = new Map(frame.offers.map((offer) => [offer.offerId, offer]));
  const offers = [...unique.values()].map((offer) => ({ offer, receivedAt: Date.parse(offer.decidedAt) || now }));
  return {
    trucks: new Map(frame.trucks.map((truck) => [truck.id, truck])),
    fences: new Map(frame.fences.map((fence) => [fence.id, fence])),
    devices: new Map(frame.devices.map((device) => [device.id, { ...device, receivedAt: device.ts }])),
    offers: newestFirst(offers),
    // NOTE: the snapshot carries only the offers the server chose to send, so after a (re)connect
    // this counts from that list rather than from the campaign's full history.
    offersSent: unique.size,
  };
}

function newestFirst(entries: OfferEntry[]): OfferEntry[] {
  return entries.sort((a, b) => decidedAtMs(b) - decidedAtMs(a)).slice(0, MAX_RECENT_OFFERS);
}

function decidedAtMs(entry: OfferEntry): number {
  return Date.parse(entry.offer.decidedAt) || entry.receivedAt;
}
