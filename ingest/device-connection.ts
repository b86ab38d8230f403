import { WebSocket, type RawData } from 'ws';
import { CloudburstError, invalidInput } from '../common/errors.js';
import type { Logger } from '../common/logger.js';
import { DeviceCloseCode, type GatewayFrame, type PingRecord, type WireOrderStatus } from '../common/protocol.js';
import type { DeviceDirectory } from './device-directory.js';
import type { DeviceSession, DeviceSessions } from './device-sessions.js';
import { errorFrame, parseDeviceFrame, type ParsedDeviceFrame } from './frames.js';
import type { IngestLimits } from './limits.js';
import type { LogLimiter } from './log-limiter.js';
import { checkPingBatch } from './ping-validation.js';

/**
 * Lifecycle of a device connection: `awaiting-hello` until a hello frame arrives,
 * `authenticating` while the directory checks the token, `open` after the welcome,
 * `closing` once the gateway started the close handshake, `closed` when the socket is gone.
 */
export type ConnectionState = 'awaiting-hello' | 'authenticating' | 'open' | 'closing' | 'closed';

/** Services and callbacks that the gateway shares with each of its connections. */
export interface ConnectionContext {
  devices: DeviceDirectory;
  sessions: DeviceSessions<DeviceConnection>;
  limits: IngestLimits;
  logger: Logger;
  /** Rate-limited warnings about problems a client causes: invalid frames, unknown tokens, socket errors. */
  clientWarningLog: LogLimiter;
  now: () => number;
  isAccepting: () => boolean;
  /** Appends accepted pings to the bus. */
  produce: (records: PingRecord[]) => Promise<void>;
  /** Registers work that `stopAccepting` must wait for. */
  track: <T>(work: Promise<T>) => Promise<T>;
  onClosed: (connection: DeviceConnection) => void;
  onOfferAck?: (deviceId: string, offerId: string) => void;
  /** Called when the device's app showed an order update. It runs without being awaited, so it cannot hold up the connection. */
  onOrderAck?: (deviceId: string, orderId: string, status: WireOrderStatus) => void;
  /** Called when the device received a campaign message. It runs without being awaited, like onOrderAck. */
  onMessageAck?: (deviceId: string, messageId: string) => void;
  onDeviceConnected?: (deviceId: string) => void;
  onPingsAccepted?: (pings: PingRecord[]) => void;
}

/**
 * One device WebSocket. Frames are handled strictly in arrival order through a
 * promise queue, so acks leave in seq order. Work that touches the device's seqs
 * also runs in the device session's queue, which spans the device's connections.
 */
export class DeviceConnection {
  state: ConnectionState = 'awaiting-hello';
  deviceId: string | undefined;
  /** Cleared before each heartbeat ping and set again by the pong. */
  alive = true;

  private session: DeviceSession<DeviceConnection> | undefined;
  private frameQueue: Promise<void> = Promise.resolve();
  private queuedFrames = 0;
  private consecutiveInvalidFrames = 0;
  private readonly helloTimer: NodeJS.Timeout;
  private readonly logger: Logger;
  private readonly closedPromise: Promise<void>;
  private resolveClosed!: () => void;

  constructor(
    private readonly socket: WebSocket,
    readonly connectionId: string,
    private readonly context: ConnectionContext,
  ) {
    this.logger = context.logger.child({ connectionId });
    this.closedPromise = new Promise((resolve) => (this.resolveClosed = resolve));

    socket.on('message', (data, isBinary) => this.enqueueFrame(data, isBinary));
    socket.on('pong', () => (this.alive = true));
    socket.on('close', (code, reason) => this.handleSocketClose(code, reason.toString()));
    socket.on('error', (error) => context.clientWarningLog.warn({ err: error, connectionId, deviceId: this.deviceId }, 'device socket error'));

    this.helloTimer = setTimeout(() => this.handleHelloTimeout(), context.limits.helloTimeoutMs);
    this.helloTimer.unref();
  }

  /** Resolves when the socket has closed. */
  get closed(): Promise<void> {
    return this.closedPromise;
  }

  /** Sends a frame if the socket is open. Returns whether the frame was handed to the socket. */
  send(frame: GatewayFrame): boolean {
    if (this.socket.readyState !== WebSocket.OPEN) return false;
    this.socket.send(JSON.stringify(frame));
    return true;
  }

  /** Starts the close handshake. Frames still queued are dropped, because their acks could not be delivered. */
  close(code: number, reason: string): void {
    if (this.state === 'closing' || this.state === 'closed') return;
    this.state = 'closing';
    clearTimeout(this.helloTimer);
    this.socket.close(code, reason);
  }

  /** Sends a WebSocket ping. The pong sets `alive` again. */
  ping(): void {
    if (this.socket.readyState === WebSocket.OPEN) this.socket.ping();
  }

  /** Closes the socket without a close handshake. */
  terminate(): void {
    this.socket.terminate();
  }

  replace(): void {
    this.logger.info({ deviceId: this.deviceId }, 'device connection replaced by a newer one');
    this.close(DeviceCloseCode.replaced, 'replaced by a newer connection');
  }

  private enqueueFrame(data: RawData, isBinary: boolean): void {
    this.queuedFrames += 1;
    if (this.queuedFrames > this.context.limits.maxQueuedFrames && !this.socket.isPaused) {
      // Stop reading so that TCP flow control slows the device down instead of the queue growing.
      this.socket.pause();
    }

    this.frameQueue = this.frameQueue
      .then(() => this.handleFrame(data, isBinary))
      .catch((error: unknown) => {
        this.logger.error({ err: error, deviceId: this.deviceId }, 'failed to handle device frame');
        this.send(errorFrame(error));
      })
      .finally(() => {
        this.queuedFrames -= 1;
        if (this.socket.isPaused && this.queuedFrames <= this.context.limits.maxQueuedFrames / 2) this.socket.resume();
      });
  }

  private async handleFrame(data: RawData, isBinary: boolean): Promise<void> {
    if (this.state === 'closing' || this.state === 'closed') return;

    let frame: ParsedDeviceFrame;
    try {
      frame = parseDeviceFrame(data, isBinary, this.context.limits);
    } catch (error) {
      if (!(error instanceof CloudburstError)) throw error;
      this.rejectFrame(error);
      return;
    }
    this.consecutiveInvalidFrames = 0;

    switch (frame.type) {
      case 'hello':
        return this.handleHello(frame);
      case 'pings':
        return this.handlePings(frame);
      case 'offer-ack':
        return this.handleOfferAck(frame);
      case 'order-ack':
        return this.handleOrderAck(frame);
      case 'message-ack':
        return this.handleMessageAck(frame);
    }
  }

  // hello: { type: 'hello', token: string }, the first frame of a connection.
  // Replies { type: 'welcome', deviceId, lastSeq }, or an `unauthorized` error and close 4401.
  private async handleHello(frame: { token: string }): Promise<void> {
    if (this.state !== 'awaiting-hello') {
      this.rejectFrame(invalidInput('type', 'hello', '"pings", "offer-ack", "order-ack" or "message-ack", because this connection already sent hello'));
      return;
    }
    if (!this.context.isAccepting()) {
      this.logger.info({}, 'rejected hello because the gateway is shutting down');
      this.send(errorFrame(new CloudburstError('unavailable', 'the gateway is shutting down; reconnect later')));
      this.close(DeviceCloseCode.tryAgainLater, 'server shutting down');
      return;
    }

    this.state = 'authenticating';
    const identity = await this.authenticate(frame.token);
    if (identity === undefined || !this.isAuthenticating()) return;
    if (identity === null) {
      this.context.clientWarningLog.warn({ connectionId: this.connectionId }, 'rejected hello with an unknown device token');
      this.send(errorFrame(new CloudburstError('unauthorized', 'unknown device token; register the device again with POST /v1/devices')));
      this.close(DeviceCloseCode.unauthorized, 'unknown device token');
      return;
    }

    const { session, replaced } = this.context.sessions.attach(identity.deviceId, identity.lastSeq, this);
    this.session = session;
    this.deviceId = identity.deviceId;
    replaced?.replace();

    // Waits for any batch a replaced connection still has in flight, so lastSeq includes it.
    const lastSeq = await this.context.sessions.runExclusive(session, async () => session.lastSeq);
    if (!this.isAuthenticating()) return;

    clearTimeout(this.helloTimer);
    this.state = 'open';
    this.send({ type: 'welcome', deviceId: identity.deviceId, lastSeq });
    this.logger.info({ deviceId: identity.deviceId, lastSeq }, 'device connected');
    this.context.onDeviceConnected?.(identity.deviceId);
  }

  // pings: { type: 'pings', pings: WirePing[] } with seqs strictly increasing.
  // Replies with an error frame per rejected ping, then { type: 'ack', seq } once the valid pings are on the bus.
  private async handlePings(frame: { pings: unknown[] }): Promise<void> {
    const session = this.session;
    if (this.state !== 'open' || session === undefined) {
      this.rejectBeforeHello('pings');
      return;
    }
    if (!this.context.isAccepting()) {
      this.sendUnavailable('the gateway is shutting down');
      return;
    }

    await this.context.track(this.context.sessions.runExclusive(session, () => this.acceptPings(session, frame.pings)));
  }

  private async acceptPings(session: DeviceSession<DeviceConnection>, pings: unknown[]): Promise<void> {
    // A replaced or closing connection could not deliver the ack, so the device resends these pings.
    if (session.connection !== this || this.state !== 'open') return;
    if (!this.context.isAccepting()) {
      this.sendUnavailable('the gateway is shutting down');
      return;
    }

    const receivedAt = this.context.now();
    const batch = checkPingBatch(pings, { limits: this.context.limits, now: receivedAt, lastSeq: session.lastSeq });
    for (const { error, seq } of batch.rejected) {
      this.context.clientWarningLog.warn({ ...this.describeError(error), connectionId: this.connectionId, deviceId: session.deviceId, seq }, 'rejected invalid ping');
      this.send(errorFrame(error, seq));
    }

    const records: PingRecord[] = batch.valid.map((ping) => ({ ...ping, deviceId: session.deviceId, receivedAt }));
    if (records.length > 0) {
      try {
        await this.context.produce(records);
      } catch (error) {
        // Closing keeps a later batch on this socket from being acked past the lost pings.
        // The device reconnects and resumes after the lastSeq in its next welcome.
        this.logger.error({ err: error, deviceId: session.deviceId, pings: records.length }, 'failed to produce pings; closing so the device resends them');
        this.sendUnavailable('failed to store the pings');
        this.close(DeviceCloseCode.tryAgainLater, 'failed to store pings');
        return;
      }
    }

    if (batch.highestSeq === undefined) return;
    this.context.sessions.advance(session, batch.highestSeq);
    this.send({ type: 'ack', seq: session.lastSeq });
    if (records.length > 0) this.context.onPingsAccepted?.(records);
  }

  // offer-ack: { type: 'offer-ack', offerId: string }, sent when the device received an offer.
  // No reply.
  private async handleOfferAck(frame: { offerId: string }): Promise<void> {
    const deviceId = this.deviceId;
    if (this.state !== 'open' || deviceId === undefined) {
      this.rejectBeforeHello('offer-ack');
      return;
    }

    try {
      this.context.onOfferAck?.(deviceId, frame.offerId);
    } catch (error) {
      this.logger.error({ err: error, deviceId, offerId: frame.offerId }, 'offer-ack handler failed');
    }
  }

  // order-ack: { type: 'order-ack', orderId, status }, sent when the app showed an order update.
  // No reply.
  private handleOrderAck(frame: { orderId: string; status: WireOrderStatus }): void {
    const deviceId = this.deviceId;
    if (this.state !== 'open' || deviceId === undefined) {
      this.rejectBeforeHello('order-ack');
      return;
    }

    try {
      this.context.onOrderAck?.(deviceId, frame.orderId, frame.status);
    } catch (error) {
      this.logger.error({ err: error, deviceId, orderId: frame.orderId }, 'order-ack handler failed');
    }
  }

  // message-ack: { type: 'message-ack', messageId }, sent when the device received a campaign message.
  // No reply.
  private handleMessageAck(frame: { messageId: string }): void {
    const deviceId = this.deviceId;
    if (this.state !== 'open' || deviceId === undefined) {
      this.rejectBeforeHello('message-ack');
      return;
    }

    try {
      this.context.onMessageAck?.(deviceId, frame.messageId);
    } catch (error) {
      this.logger.error({ err: error, deviceId, messageId: frame.messageId }, 'message-ack handler failed');
    }
  }

  /** Returns the device identity, null for an unknown token, or undefined after a failure it already reported. */
  private async authenticate(token: string): Promise<{ deviceId: string; lastSeq: number } | null | undefined> {
    try {
      return await this.context.devices.authenticate(token);
    } catch (error) {
      this.logger.error({ err: error }, 'failed to authenticate device token');
      this.send(errorFrame(new CloudburstError('unavailable', 'failed to check the device token; reconnect later')));
      this.close(DeviceCloseCode.internalError, 'authentication failed');
      return undefined;
    }
  }

  /** Re-reads the state, which may have changed while a hello was waiting on a promise. */
  private isAuthenticating(): boolean {
    return this.state === 'authenticating';
  }

  private rejectFrame(error: CloudburstError): void {
    this.consecutiveInvalidFrames += 1;
    this.context.clientWarningLog.warn(
      { ...this.describeError(error), connectionId: this.connectionId, deviceId: this.deviceId, consecutive: this.consecutiveInvalidFrames },
      'rejected invalid device frame',
    );
    this.send(errorFrame(error));

    if (this.consecutiveInvalidFrames >= this.context.limits.maxConsecutiveInvalidFrames) {
      this.logger.warn({ deviceId: this.deviceId, consecutive: this.consecutiveInvalidFrames }, 'closing device connection after too many invalid frames');
      this.close(DeviceCloseCode.policyViolation, 'too many invalid frames');
    }
  }

  private rejectBeforeHello(frameType: string): void {
    this.context.clientWarningLog.warn({ connectionId: this.connectionId, frameType }, 'rejected frame before hello');
    const error = new CloudburstError('unauthorized', `unexpected "${frameType}" frame before hello; send { type: "hello", token } first`, {
      field: 'type',
      value: frameType,
    });
    this.send(errorFrame(error));
    this.close(DeviceCloseCode.unauthorized, 'hello required');
  }

  private sendUnavailable(reason: string): void {
    this.logger.debug({ deviceId: this.deviceId, reason }, 'rejected pings as unavailable');
    this.send(errorFrame(new CloudburstError('unavailable', `${reason}; the pings were not acknowledged, so resend them later`)));
  }

  /**
   * Log fields for a rejected input. The message is left out for `frame` and `token`
   * errors, because it may echo the token from a malformed hello.
   */
  private describeError(error: CloudburstError): Record<string, unknown> {
    const secretMayLeak = error.field === 'frame' || error.field === 'token';
    return secretMayLeak ? { code: error.code, field: error.field } : { code: error.code, field: error.field, error: error.message };
  }

  private handleHelloTimeout(): void {
    if (this.state !== 'awaiting-hello' && this.state !== 'authenticating') return;
    this.logger.info({ helloTimeoutMs: this.context.limits.helloTimeoutMs }, 'closing device connection: no hello in time');
    this.send(errorFrame(new CloudburstError('unauthorized', `timed out after ${this.context.limits.helloTimeoutMs} ms waiting for a valid hello`)));
    this.close(DeviceCloseCode.helloTimeout, 'hello timed out');
  }

  private handleSocketClose(code: number, reason: string): void {
    this.state = 'closed';
    clearTimeout(this.helloTimer);
    if (this.session) this.context.sessions.detach(this.session, this);

    this.logger.info({ deviceId: this.deviceId, code, reason }, 'device disconnected');
    this.context.onClosed(this);
    this.resolveClosed();
  }
}
