/**
 * Wire types of the two WebSocket endpoints:
 * - `/v1/devices/connect`: the device SDK and the ingest gateway;
 * - `/v1/live`: the admin console's live feed.
 * Every frame is one JSON object with a `type` field. This module is pure so the
 * browser SDK and the console can import it.
 */

// ---------------------------------------------------------------------------
// Device protocol

/** One location fix as the device sends it. */
export interface WirePing {
  /** Per-device sequence number, strictly increasing from 1. */
  seq: number;
  lat: number;
  lon: number;
  /** Horizontal accuracy radius in metres (68 % confidence, as browsers report it). */
  accuracy: number;
  /** Fix time, milliseconds since the epoch. */
  ts: number;
}

/** Path of the device WebSocket endpoint, relative to the server's base URL. */
export const DEVICE_CONNECT_PATH = '/v1/devices/connect';

/**
 * WebSocket close codes on device connections. The SDK reconnects after every
 * close except `unauthorized` and `replaced`.
 */
export const DeviceCloseCode = {
  /** The server is shutting down. */
  goingAway: 1001,
  /** The client sent too many invalid frames in a row. */
  policyViolation: 1008,
  /** The gateway failed to authenticate the token, for example because the store is down. */
  internalError: 1011,
  /** The gateway is stopping, or the bus failed to accept a batch of pings. */
  tryAgainLater: 1013,
  /** The hello token is unknown, or another frame came before the hello. */
  unauthorized: 4401,
  /** No hello arrived within the gateway's hello timeout. */
  helloTimeout: 4408,
  /** A newer connection for the same device replaced this one. */
  replaced: 4409,
} as const;

export type DeviceFrame =
  | { type: 'hello'; token: string }
  | { type: 'pings'; pings: WirePing[] }
  | { type: 'offer-ack'; offerId: string }
  /** The phone showed an order update; a ready order is then not texted to the customer. */
  | { type: 'order-ack'; orderId: string; status: OrderUpdate['status'] }
  /** The device received a campaign message; its send job becomes `delivered` and is not pushed again. */
  | { type: 'message-ack'; messageId: string };

export interface OfferBenefit {
  kind: 'percent' | 'amount' | 'free_item';
  /** Percent (above 0, at most 100) or amount in minor units; absent for a free item. */
  value?: number;
  currency?: string;
  item?: string;
  description: string;
}

/** An offer as pushed to the device and shown on the console. */
export interface OfferPayload {
  offerId: string;
  campaignId: string;
  campaignName: string;
  deviceId: string;
  truck: { id: string; name: string; lat: number; lon: number };
  code: string;
  benefit: OfferBenefit;
  /** ISO 8601 instant after which the code is no longer accepted. */
  validUntil: string;
  /** The ping that triggered the offer. */
  ping: { seq: number; ts: number; lat: number; lon: number };
  distanceM: number;
  /** ISO 8601 instant when the engine decided. */
  decidedAt: string;
  /** The campaign's push text for nearby phones, rendered for this offer, when it has one. */
  message?: { title: string; body: string };
}

/**
 * A scheduled campaign message sent to the device SDK (the push channel). The server
 * sends it again after each welcome until the device replies with a message-ack.
 */
export interface DeviceMessage {
  /** The send job's id, a UUID: the same message delivered twice has the same id. */
  id: string;
  deviceId: string;
  campaignId: string;
  title?: string;
  body: string;
  code?: string;
}

/** Status of an order; the same list as orders/status.ts, repeated so this module has no imports. */
export type WireOrderStatus = 'placed' | 'paid' | 'preparing' | 'ready' | 'picked_up' | 'cancelled' | 'refunded';

/** Status update of an order, sent to the device that placed it at each status change. */
export interface OrderUpdate {
  orderId: string;
  truckId: string;
  status: WireOrderStatus;
  /** Called out at the pickup window; set once the order is paid. */
  pickupNumber: string | null;
  /** ISO 8601; set once the order is paid. */
  estimatedReadyAt: string | null;
  /** ISO 8601 instant of this status change. */
  updatedAt: string;
}

export type GatewayFrame =
  | { type: 'welcome'; deviceId: string; lastSeq: number }
  /** The order's new status. The SDK replies with an order-ack. */
  | { type: 'order'; order: OrderUpdate }
  /** A campaign message. The SDK replies with a message-ack. */
  | { type: 'message'; message: DeviceMessage }
  /** Every ping with seq <= `seq` is durable on the bus or was rejected with an error frame. */
  | { type: 'ack'; seq: number }
  | { type: 'offer'; offer: OfferPayload }
  | {
      type: 'error';
      code: string;
      message: string;
      field?: string;
      value?: unknown;
      /** Set when the error concerns one ping of a batch. */
      seq?: number;
      retriable?: boolean;
    };

/** Pings with this ping's record shape travel on the `pings` topic, keyed by device id. */
export interface PingRecord extends WirePing {
  deviceId: string;
  /** Server receive time, milliseconds since the epoch. */
  receivedAt: number;
}

// ---------------------------------------------------------------------------
// Live feed protocol (admin console)

export interface LiveTruck {
  id: string;
  name: string;
  lat: number;
  lon: number;
  permitLocationId: string | null;
  timeZone: string;
}

export interface LiveFence {
  id: string;
  campaignId: string;
  truckId: string;
  lat: number;
  lon: number;
  radiusM: number;
  activeFrom: string;
  activeUntil: string;
}

export interface LiveDevice {
  id: string;
  lat: number;
  lon: number;
  ts: number;
}

/** One line of an order on the pickup board. */
export interface LiveOrderLine {
  itemId: string;
  name: string;
  quantity: number;
  /** Names of the chosen options, such as "Extra salsa". */
  choices: string[];
}

/** An order as the staff's pickup board shows it. */
export interface LiveOrder {
  id: string;
  truckId: string;
  status: WireOrderStatus;
  pickupNumber: string | null;
  /** The name the customer gave, if any. */
  customerName: string | null;
  lines: LiveOrderLine[];
  itemCount: number;
  totalMinor: number;
  currency: string;
  /** ISO 8601 instants. */
  paidAt: string | null;
  estimatedReadyAt: string | null;
  createdAt: string;
  updatedAt: string;
}

export type LiveClientFrame = { type: 'hello'; token: string };

export type LiveFrame =
  | { type: 'snapshot'; trucks: LiveTruck[]; fences: LiveFence[]; offers: OfferPayload[]; devices: LiveDevice[] }
  | { type: 'truck'; truck: LiveTruck }
  | { type: 'fence'; fence: LiveFence }
  | { type: 'fence-removed'; fenceId: string }
  /** Latest position of devices that moved since the previous frame (sent at most a few times a second). */
  | { type: 'devices'; devices: LiveDevice[] }
  | { type: 'offer'; offer: OfferPayload }
  /** An order was placed, paid or moved: the pickup board's queue changes. */
  | { type: 'order'; order: LiveOrder }
  | { type: 'error'; code: string; message: string };
