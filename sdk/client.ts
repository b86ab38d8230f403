import { DeviceCloseCode, type DeviceMessage, type GatewayFrame, type OfferPayload, type OrderUpdate, type WirePing } from '../common/protocol.js';
import { backoffDelay, type BackoffOptions } from '../common/retry.js';
import { DeviceError } from './errors.js';
import { EventEmitter } from './events.js';
import { PingBuffer, type Renumbering } from './ping-buffer.js';
import { registerDevice, type RegisterOptions } from './register.js';
import { deviceSocketUrl, resolveWebSocket, WEBSOCKET_OPEN, type WebSocketConstructorLike, type WebSocketLike } from './websocket.js';

/**
 * Lifecycle of a client: `idle` until `connect()`, `connecting` while a socket opens,
 * waits for its welcome or waits to reconnect, `open` after a welcome, and `closed`
 * after `close()` or a rejection the SDK does not retry. `closed` is final.
 */
export type DeviceState = 'idle' | 'connecting' | 'open' | 'closed';

export interface DeviceEvents {
  /** An offer pushed by the server. The SDK has already sent its offer-ack. */
  offer: OfferPayload;
  /**
   * A campaign message sent to this device (the push channel). The server sends it again
   * after each welcome until it gets the message-ack, and this client emits each `id` once.
   * The SDK replies with a message-ack after the listeners ran, for a repeat too.
   */
  message: DeviceMessage;
  /** A status change of an order this device placed. The SDK has already sent its order-ack. */
  order: OrderUpdate;
  /** Every ping with a seq at or below this one is stored on the server or was rejected with an `error` event. */
  ack: number;
  /** An error frame from the gateway, or a connection the SDK will not retry. */
  error: DeviceError;
  state: DeviceState;
  /** The gateway accepted the token. `lastSeq` is the highest seq it has accepted for the device. */
  welcome: { deviceId: string; lastSeq: number };
  /** A ping dropped before it was acknowledged, because the buffer was full. */
  overflow: { dropped: WirePing };
  /** The connection dropped and the SDK reconnects after `delayMs`. `attempt` counts from 1 since the last welcome. */
  reconnect: { attempt: number; delayMs: number; code: number; reason: string };
  /** Pings queued before a welcome were moved above the server's lastSeq. See `sendPing`. */
  renumber: Renumbering;
}

export interface DeviceClientOptions {
  /** Base URL of the Cloudburst server (http, https, ws or wss). The socket connects to `{url}/v1/devices/connect`. */
  url: string;
  /** Device token from `CloudburstDevice.register`. */
  token: string;
  /** WebSocket class to use instead of the global one. Node 20 has no global WebSocket, so pass the `ws` package's class there. */
  WebSocket?: WebSocketConstructorLike;
  /** Maximum pings per frame. Default 50. The gateway rejects frames with more than its limit, 500 by default. */
  batchSize?: number;
  /** Time in ms that pings wait to be sent together. Default 100. 0 sends each ping at once. */
  flushIntervalMs?: number;
  /** Maximum unacknowledged pings kept. Default 10,000. The oldest is dropped with an `overflow` event. */
  maxBuffered?: number;
  /** Reconnect delays: exponential from `initialMs` up to `maxMs`, with equal jitter. Default 500 ms to 30 s. */
  backoff?: BackoffOptions;
  /** Source of randomness in [0, 1) for the jitter; tests replace it. */
  random?: () => number;
  /** Highest seq an earlier instance used for this device, for example a persisted `lastSeq`. Numbering continues above it. */
  lastSeq?: number;
}

const DEFAULT_BATCH_SIZE = 50;
const DEFAULT_FLUSH_INTERVAL_MS = 100;
const DEFAULT_MAX_BUFFERED = 10_000;
const DEFAULT_BACKOFF: BackoffOptions = { initialMs: 500, maxMs: 30_000 };
/** Maximum time in ms that `close()` waits for the server to complete the close handshake. */
const CLOSE_TIMEOUT_MS = 2_000;
const NORMAL_CLOSURE = 1000;
/**
 * Campaign message ids a client remembers to emit each message once. A device gets a
 * few messages per campaign, so this many ids span many campaigns.
 */
const MAX_REMEMBERED_MESSAGE_IDS = 1_000;

/**
 * A device's connection to Cloudburst: it streams location pings to the ingest
 * gateway and receives offers.
 *
 * Every ping stays in an ordered buffer until the gateway acknowledges it. After a
 * reconnect, the gateway's welcome carries the highest seq it has accepted, and the
 * client resends the later pings in order. While the buffer has room, no ping is
 * lost, and the gateway drops any resent seq it already produced.
 */
export class CloudburstDevice {
  /** Registers a new device. See `registerDevice`. */
  static register(baseUrl: string, options?: RegisterOptions): Promise<{ deviceId: string; token: string }> {
    return registerDevice(baseUrl, options);
  }

  readonly #token: string;
  private currentState: DeviceState = 'idle';
  private currentDeviceId: string | undefined;
  private socket: WebSocketLike | undefined;
  private reconnectAttempt = 0;
  private reconnectTimer: ReturnType<typeof setTimeout> | undefined;
  private flushTimer: ReturnType<typeof setTimeout> | undefined;
  private idleWaiters: Array<{ resolve: () => void; reject: (error: DeviceError) => void }> = [];
  private socketClosedWaiters: Array<() => void> = [];
  private readonly buffer: PingBuffer;
  /** Ids of the campaign messages emitted, oldest first. */
  private readonly emittedMessageIds = new Set<string>();
  private readonly events = new EventEmitter<DeviceEvents>();
  private readonly socketUrl: string;
  private readonly WebSocketClass: WebSocketConstructorLike;
  private readonly batchSize: number;
  private readonly flushIntervalMs: number;
  private readonly backoff: BackoffOptions;
  private readonly random: () => number;

  constructor(options: DeviceClientOptions) {
    if (typeof options.token !== 'string' || options.token.length === 0) {
      throw new TypeError('invalid token: expected the non-empty token returned by CloudburstDevice.register');
    }
    this.batchSize = requireInteger('batchSize', options.batchSize ?? DEFAULT_BATCH_SIZE, 1);
    this.flushIntervalMs = requireInteger('flushIntervalMs', options.flushIntervalMs ?? DEFAULT_FLUSH_INTERVAL_MS, 0);
    const maxBuffered = requireInteger('maxBuffered', options.maxBuffered ?? DEFAULT_MAX_BUFFERED, 1);
    const initialLastSeq = requireInteger('lastSeq', options.lastSeq ?? 0, 0);

    this.#token = options.token;
    this.socketUrl = deviceSocketUrl(options.url);
    this.WebSocketClass = resolveWebSocket(options.WebSocket);
    this.backoff = options.backoff ?? DEFAULT_BACKOFF;
    this.random = options.random ?? Math.random;
    this.buffer = new PingBuffer(maxBuffered, initialLastSeq);
  }

  get state(): DeviceState {
    return this.currentState;
  }

  /** Device id from the last welcome; undefined before the first one. */
  get deviceId(): string | undefined {
    return this.currentDeviceId;
  }

  /** Pings not yet acknowledged, sent or not. */
  get pendingCount(): number {
    return this.buffer.size;
  }

  /** Highest seq assigned so far. Persist it and pass it as the `lastSeq` option to continue the numbering in a new instance. */
  get lastSeq(): number {
    return this.buffer.lastSeq;
  }

  /** Adds a listener and returns a function that removes it. */
  on<E extends keyof DeviceEvents>(event: E, listener: (payload: DeviceEvents[E]) => void): () => void {
    return this.events.on(event, listener);
  }

  /** Opens the connection; the client reconnects on its own from then on. Does nothing unless the state is `idle`. */
  connect(): void {
    if (this.currentState === 'closed') {
      throw new Error('the client is closed; create a new CloudburstDevice to connect again');
    }
    if (this.currentState !== 'idle') return;
    this.openSocket();
  }

  /**
   * Assigns the next seq to a location fix, buffers it and returns the seq.
   * `ts` defaults to now and is rounded to whole milliseconds.
   *
   * Pings wait in the buffer until a welcome arrives. A welcome can show that the
   * server already accepted seqs that this client assigned but never sent. That
   * happens for a new instance with an old token and no `lastSeq` option. The SDK
   * then moves those pings above the server's lastSeq and reports the new seqs in a
   * `renumber` event. Otherwise the returned seq is final.
   *
   * Throws a RangeError that names the field for an invalid fix, and an Error after `close()`.
   */
  sendPing(fix: { lat: number; lon: number; accuracy: number; ts?: number }): number {
    requireNumber('lat', fix.lat, -90, 90);
    requireNumber('lon', fix.lon, -180, 180);
    requireNumber('accuracy', fix.accuracy, 0, Infinity);
    const ts = Math.round(fix.ts ?? Date.now());
    requireNumber('ts', ts, 0, Infinity);
    if (this.currentState === 'closed') {
      throw new Error('the client is closed; create a new CloudburstDevice to send pings');
    }

    const { seq, dropped } = this.buffer.add({ lat: fix.lat, lon: fix.lon, accuracy: fix.accuracy, ts });
    if (dropped) this.events.emit('overflow', { dropped });
    this.scheduleFlush();
    return seq;
  }

  /** Sends every buffered unsent ping now, in frames of at most `batchSize`. Does nothing unless the state is `open`. */
  flush(): void {
    clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    const socket = this.socket;
    if (this.currentState !== 'open' || socket?.readyState !== WEBSOCKET_OPEN) return;

    while (this.buffer.unsentCount > 0) {
      const pings = this.buffer.takeUnsent(this.batchSize);
      socket.send(JSON.stringify({ type: 'pings', pings }));
    }
  }

  /**
   * Resolves once every ping passed to `sendPing` was acknowledged or dropped on overflow.
   * Rejects with DeviceError `closed` if the client closes first.
   */
  onIdle(): Promise<void> {
    if (this.buffer.size === 0) return Promise.resolve();
    if (this.currentState === 'closed') return Promise.reject(this.closedWithPendingError());
    return new Promise((resolve, reject) => this.idleWaiters.push({ resolve, reject }));
  }

  /**
   * Closes the connection for good. Unacknowledged pings are discarded, so await
   * `onIdle()` first to deliver them. Resolves once the socket has closed, or after
   * 2 s if the server does not complete the close handshake.
   */
  async close(): Promise<void> {
    if (this.currentState === 'closed' && this.socket === undefined) return;
    this.setState('closed');
    this.clearTimers();
    this.rejectIdleWaiters();

    const socket = this.socket;
    if (socket === undefined) return;
    const socketClosed = new Promise<void>((resolve) => this.socketClosedWaiters.push(resolve));
    socket.close(NORMAL_CLOSURE, 'client closed');

    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<void>((resolve) => (timer = setTimeout(resolve, CLOSE_TIMEOUT_MS)));
    await Promise.race([socketClosed, timeout]);
    clearTimeout(timer);
    this.socket = undefined;
  }

  private openSocket(): void {
    this.setState('connecting');

    let socket: WebSocketLike;
    try {
      socket = new this.WebSocketClass(this.socketUrl);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      this.scheduleReconnect(0, `failed to create the WebSocket: ${reason}`);
      return;
    }
    this.socket = socket;

    // Events of a socket the client already replaced are ignored.
    socket.addEventListener('open', () => {
      if (this.socket === socket) socket.send(JSON.stringify({ type: 'hello', token: this.#token }));
    });
    socket.addEventListener('message', (event) => {
      if (this.socket === socket) this.handleMessage(event.data);
    });
    socket.addEventListener('close', (event) => {
      if (this.socket === socket) this.handleSocketClose(event.code, event.reason);
    });
    socket.addEventListener('error', () => {
      // A close event always follows, and the close handler reconnects.
    });
    // NOTE: the client sends no heartbeat of its own, because browsers cannot send
    // WebSocket pings. On a silently dropped network it stays `open` until TCP gives
    // up, and pings keep buffering until then.
  }

  private handleMessage(data: unknown): void {
    // After close() the socket may still deliver frames until the close handshake ends.
    if (this.currentState === 'closed') return;

    const frame = parseGatewayFrame(data);
    if (frame === undefined) {
      this.events.emit('error', new DeviceError('invalid_frame', `ignored a gateway frame that is not a JSON object with a known type: ${clip(data)}`));
      return;
    }

    switch (frame.type) {
      case 'welcome':
        return this.handleWelcome(frame);
      case 'ack':
        return this.handleAck(frame);
      case 'offer':
        return this.handleOffer(frame);
      case 'message':
        return this.handleCampaignMessage(frame);
      case 'order':
        return this.handleOrder(frame);
      case 'error':
        return this.handleError(frame);
    }
  }

  // welcome: { type: 'welcome', deviceId, lastSeq }, the gateway's reply to hello.
  // Drops the pings the server has, then resends the rest in order.
  private handleWelcome(frame: { deviceId: string; lastSeq: number }): void {
    const { renumbering } = this.buffer.reconcile(frame.lastSeq);

    this.currentDeviceId = frame.deviceId;
    this.reconnectAttempt = 0;
    this.setState('open');
    this.events.emit('welcome', { deviceId: frame.deviceId, lastSeq: frame.lastSeq });
    if (renumbering) this.events.emit('renumber', renumbering);

    this.flush();
    this.resolveIdleWaiters();
  }

  // ack: { type: 'ack', seq }. Every ping up to seq is stored or was rejected.
  private handleAck(frame: { seq: number }): void {
    this.buffer.acknowledge(frame.seq);
    this.events.emit('ack', frame.seq);
    this.resolveIdleWaiters();
  }

  // offer: { type: 'offer', offer }. Replies { type: 'offer-ack', offerId }.
  private handleOffer(frame: { offer: OfferPayload }): void {
    this.events.emit('offer', frame.offer);
    if (this.socket?.readyState === WEBSOCKET_OPEN) {
      this.socket.send(JSON.stringify({ type: 'offer-ack', offerId: frame.offer.offerId }));
    }
  }

  // message: { type: 'message', message }. Emits it unless this client already did, then
  // replies { type: 'message-ack', messageId }, also for a repeat whose first ack was lost.
  private handleCampaignMessage(frame: { message: DeviceMessage }): void {
    const messageId = frame.message.id;
    if (!this.emittedMessageIds.has(messageId)) {
      this.rememberMessageId(messageId);
      this.events.emit('message', frame.message);
    }
    if (this.socket?.readyState === WEBSOCKET_OPEN) {
      this.socket.send(JSON.stringify({ type: 'message-ack', messageId }));
    }
  }

  private rememberMessageId(messageId: string): void {
    this.emittedMessageIds.add(messageId);
    if (this.emittedMessageIds.size <= MAX_REMEMBERED_MESSAGE_IDS) return;
    const oldest = this.emittedMessageIds.values().next().value;
    if (oldest !== undefined) this.emittedMessageIds.delete(oldest);
  }

  // order: { type: 'order', order }. Replies { type: 'order-ack', orderId, status } once listeners ran,
  // so the server texts the customer instead only when no app showed the update.
  private handleOrder(frame: { order: OrderUpdate }): void {
    this.events.emit('order', frame.order);
    if (this.events.listenerCount('order') > 0 && this.socket?.readyState === WEBSOCKET_OPEN) {
      this.socket.send(JSON.stringify({ type: 'order-ack', orderId: frame.order.orderId, status: frame.order.status }));
    }
  }

  // error: { type: 'error', code, message, field?, value?, seq?, retriable? }.
  // Pings that were not acked stay buffered; the close that follows a fatal error decides about reconnecting.
  private handleError(frame: Extract<GatewayFrame, { type: 'error' }>): void {
    const error = new DeviceError(frame.code, frame.message, { field: frame.field, value: frame.value, seq: frame.seq, retriable: frame.retriable });
    this.events.emit('error', error);
  }

  private handleSocketClose(code: number, reason: string): void {
    this.socket = undefined;
    clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    for (const resolve of this.socketClosedWaiters.splice(0)) resolve();
    if (this.currentState === 'closed') return;

    // The gateway sends an `unauthorized` error frame before it closes with 4401, so
    // only a replacement needs its own error event.
    if (code === DeviceCloseCode.unauthorized || code === DeviceCloseCode.replaced) {
      this.setState('closed');
      this.clearTimers();
      if (code === DeviceCloseCode.replaced) {
        this.events.emit('error', new DeviceError('replaced', `a newer connection with this device's token replaced this one (close ${code}); not reconnecting`));
      }
      this.rejectIdleWaiters();
      return;
    }

    this.scheduleReconnect(code, reason);
  }

  private scheduleReconnect(code: number, reason: string): void {
    const delayMs = backoffDelay(this.reconnectAttempt, this.backoff, this.random);
    this.reconnectAttempt += 1;
    this.setState('connecting');
    this.events.emit('reconnect', { attempt: this.reconnectAttempt, delayMs, code, reason });

    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = undefined;
      if (this.currentState === 'connecting') this.openSocket();
    }, delayMs);
  }

  private scheduleFlush(): void {
    if (this.currentState !== 'open') return;
    if (this.flushIntervalMs === 0 || this.buffer.unsentCount >= this.batchSize) {
      this.flush();
      return;
    }
    this.flushTimer ??= setTimeout(() => this.flush(), this.flushIntervalMs);
  }

  private setState(state: DeviceState): void {
    if (this.currentState === state) return;
    this.currentState = state;
    this.events.emit('state', state);
  }

  private clearTimers(): void {
    clearTimeout(this.reconnectTimer);
    clearTimeout(this.flushTimer);
    this.reconnectTimer = undefined;
    this.flushTimer = undefined;
  }

  private resolveIdleWaiters(): void {
    if (this.buffer.size > 0) return;
    for (const waiter of this.idleWaiters.splice(0)) waiter.resolve();
  }

  private rejectIdleWaiters(): void {
    if (this.buffer.size === 0) {
      this.resolveIdleWaiters();
      return;
    }
    for (const waiter of this.idleWaiters.splice(0)) waiter.reject(this.closedWithPendingError());
  }

  private closedWithPendingError(): DeviceError {
    return new DeviceError('closed', `the client closed with ${this.buffer.size} unacknowledged pings`);
  }
}

const GATEWAY_FRAME_TYPES = new Set(['welcome', 'ack', 'offer', 'message', 'order', 'error']);

/** Parses a gateway frame, or returns undefined for a binary message, bad JSON or an unknown type. */
function parseGatewayFrame(data: unknown): GatewayFrame | undefined {
  if (typeof data !== 'string') return undefined;
  let body: unknown;
  try {
    body = JSON.parse(data);
  } catch {
    // The caller reports the frame as invalid.
    return undefined;
  }
  if (typeof body !== 'object' || body === null) return undefined;

  const type = (body as { type?: unknown }).type;
  if (typeof type !== 'string' || !GATEWAY_FRAME_TYPES.has(type)) return undefined;
  return body as GatewayFrame;
}

function clip(data: unknown): string {
  const text = typeof data === 'string' ? data : `${typeof data} message`;
  return text.length > 120 ? `${text.slice(0, 120)}…` : text;
}

function requireInteger(name: string, value: number, min: number): number {
  if (!Number.isSafeInteger(value) || value < min) {
    throw new RangeError(`invalid ${name}: ${String(value)} (expected an integer of at least ${min})`);
  }
  return value;
}

function requireNumber(name: string, value: number, min: number, max: number): void {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) {
    const range = max === Infinity ? `a finite number of at least ${min}` : `a number from ${min} to ${max}`;
    throw new RangeError(`invalid ${name}: ${String(value)} (expected ${range})`);
  }
}
