/**
 * Cloudburst device SDK for browsers and Node. It imports no Node module, so it
 * bundles for the browser as it is. In Node 20, pass the `ws` package's WebSocket
 * class as the `WebSocket` option.
 */
export { CloudburstDevice, type DeviceClientOptions, type DeviceEvents, type DeviceState } from './client.js';
export { DeviceError } from './errors.js';
export type { Renumbering } from './ping-buffer.js';
export { registerDevice, type RegisterOptions } from './register.js';
export { deviceSocketUrl, type WebSocketConstructorLike, type WebSocketLike } from './websocket.js';
export type { OfferBenefit, OfferPayload, WirePing } from '../common/protocol.js';
export { OrderClient, type CustomerOrder, type OrderClientOptions, type PaymentReply } from './orders/client.js';
export { ApiError } from './orders/http.js';
export { buildOrderBody, type CardFields, type OrderLanguage, type OrderRequestBody } from './orders/requests.js';
export type { OrderUpdate } from '../common/protocol.js';
