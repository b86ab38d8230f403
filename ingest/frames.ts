import type { RawData } from 'ws';
import { CloudburstError, invalidInput } from '../common/errors.js';
import type { GatewayFrame, WireOrderStatus } from '../common/protocol.js';
import type { IngestLimits } from './limits.js';

/**
 * A device frame whose envelope is valid. The pings of a `pings` frame are still
 * unchecked, because one bad ping must not reject the whole batch (see ping-validation.ts).
 */
export type ParsedDeviceFrame =
  | { type: 'hello'; token: string }
  | { type: 'pings'; pings: unknown[] }
  | { type: 'offer-ack'; offerId: string }
  | { type: 'order-ack'; orderId: string; status: WireOrderStatus }
  | { type: 'message-ack'; messageId: string };

/** Maximum token length. Real tokens are 43 base64url characters, so this only bounds abuse. */
const MAX_TOKEN_CHARS = 512;
/** Maximum offer id length. Offer ids are UUIDs, so this only bounds abuse. */
const MAX_OFFER_ID_CHARS = 200;

const FRAME_TYPES = ['hello', 'pings', 'offer-ack', 'order-ack', 'message-ack'] as const;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const WIRE_ORDER_STATUSES: readonly WireOrderStatus[] = ['placed', 'paid', 'preparing', 'ready', 'picked_up', 'cancelled', 'refunded'];

/**
 * Parses one WebSocket message into a device frame and checks its envelope.
 * Throws a CloudburstError whose `field` is `frame`, `type`, `token`, `pings`, `offerId`, `orderId`, `status` or `messageId`.
 */
export function parseDeviceFrame(data: RawData, isBinary: boolean, limits: IngestLimits): ParsedDeviceFrame {
  const bytes = rawDataToBuffer(data);

  if (isBinary) {
    throw new CloudburstError('invalid_input', `invalid frame: binary message of ${bytes.length} bytes (expected JSON text)`, {
      field: 'frame',
      value: 'binary',
    });
  }
  if (bytes.length > limits.maxFrameBytes) {
    throw new CloudburstError(
      'payload_too_large',
      `invalid frame: ${bytes.length} bytes (expected at most ${limits.maxFrameBytes} bytes; send fewer pings per frame)`,
      { field: 'frame', value: bytes.length },
    );
  }

  const text = bytes.toString('utf8');
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw invalidInput('frame', text, `JSON text; the parser failed with: ${reason}`);
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw invalidInput('frame', body, 'a JSON object with a "type" field');
  }

  const frame = body as Record<string, unknown>;
  switch (frame.type) {
    case 'hello':
      return { type: 'hello', token: readToken(frame.token) };
    case 'pings':
      return { type: 'pings', pings: readPingList(frame.pings, limits) };
    case 'offer-ack':
      return { type: 'offer-ack', offerId: readOfferId(frame.offerId) };
    case 'order-ack':
      return { type: 'order-ack', ...readOrderAck(frame) };
    case 'message-ack':
      return { type: 'message-ack', messageId: readMessageId(frame.messageId) };
    default:
      throw invalidInput('type', frame.type, `one of ${FRAME_TYPES.map((t) => `"${t}"`).join(', ')}`);
  }
}

/**
 * Maps an error to the error frame sent to the device. Errors other than
 * CloudburstError become `internal` so that no internal detail leaks to the client.
 */
export function errorFrame(error: unknown, seq?: number): Extract<GatewayFrame, { type: 'error' }> {
  if (!(error instanceof CloudburstError)) {
    return { type: 'error', code: 'internal', message: 'internal error; the gateway logged the details', ...(seq === undefined ? {} : { seq }) };
  }

  const frame: Extract<GatewayFrame, { type: 'error' }> = { type: 'error', code: error.code, message: error.message };
  if (error.field !== undefined) frame.field = error.field;
  if (error.value !== undefined) frame.value = error.value;
  if (seq !== undefined) frame.seq = seq;
  if (error.retriable) frame.retriable = true;
  return frame;
}

function rawDataToBuffer(data: RawData): Buffer {
  if (Buffer.isBuffer(data)) return data;
  if (Array.isArray(data)) return Buffer.concat(data);
  return Buffer.from(data);
}

function readToken(token: unknown): string {
  // The token is a secret, so a string is described by its length and never echoed.
  if (typeof token === 'string' && token.length > MAX_TOKEN_CHARS) {
    throw new CloudburstError(
      'invalid_input',
      `invalid token: a string of ${token.length} characters (expected at most ${MAX_TOKEN_CHARS} characters)`,
      { field: 'token', value: `${token.length} characters` },
    );
  }
  if (typeof token !== 'string' || token.length === 0) {
    throw invalidInput('token', token, 'the non-empty device token returned by POST /v1/devices');
  }
  return token;
}

function readPingList(pings: unknown, limits: IngestLimits): unknown[] {
  if (!Array.isArray(pings)) {
    throw invalidInput('pings', pings, 'an array of pings');
  }
  if (pings.length > limits.maxPingsPerFrame) {
    throw new CloudburstError(
      'payload_too_large',
      `invalid pings: ${pings.length} pings (expected at most ${limits.maxPingsPerFrame} per frame)`,
      { field: 'pings', value: pings.length },
    );
  }
  return pings;
}

function readOfferId(offerId: unknown): string {
  if (typeof offerId !== 'string' || offerId.length === 0 || offerId.length > MAX_OFFER_ID_CHARS) {
    throw invalidInput('offerId', offerId, `the offerId of a received offer (a string of 1 to ${MAX_OFFER_ID_CHARS} characters)`);
  }
  return offerId;
}

function readOrderAck(frame: Record<string, unknown>): { orderId: string; status: WireOrderStatus } {
  const { orderId, status } = frame;
  if (typeof orderId !== 'string' || !UUID.test(orderId)) throw invalidInput('orderId', orderId, 'the orderId of a received order update (a UUID)');
  if (!WIRE_ORDER_STATUSES.includes(status as WireOrderStatus)) {
    throw invalidInput('status', status, `the status of that update (one of ${WIRE_ORDER_STATUSES.join(', ')})`);
  }
  return { orderId: orderId.toLowerCase(), status: status as WireOrderStatus };
}

function readMessageId(messageId: unknown): string {
  if (typeof messageId !== 'string' || !UUID.test(messageId)) {
    throw invalidInput('messageId', messageId, 'the id of a received message, a UUID');
  }
  return messageId.toLowerCase();
}
