import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Logger } from '../common/logger.js';
import { DeviceCloseCode, type GatewayFrame, type PingRecord, type WireOrderStatus } from '../common/protocol.js';
import { Topics, type Bus } from '../bus/types.js';
import { DeviceConnection, type ConnectionContext } from './device-connection.js';
import type { DeviceDirectory } from './device-directory.js';
import { DeviceSessions } from './device-sessions.js';
import { resolveIngestLimits, type IngestLimits } from './limits.js';
import { LogLimiter } from './log-limiter.js';

export type { DeviceDirectory } from './device-directory.js';

export interface IngestGatewayOptions {
  bus: Bus;
  devices: DeviceDirectory;
  logger: Logger;
  /** Overrides of DEFAULT_INGEST_LIMITS. */
  limits?: Partial<IngestLimits>;
  /** Called when a device confirms that it received an offer. */
  onOfferAck?: (deviceId: string, offerId: string) => void;
  /** Called when a device's app showed an order update. */
  onOrderAck?: (deviceId: string, orderId: string, status: WireOrderStatus) => void;
  /** Called when a device confirms that it received a campaign message; `messageId` is the send job's id. */
  onMessageAck?: (deviceId: string, messageId: string) => void;
  /** Called after a device got its welcome frame. */
  onDeviceConnected?: (deviceId: string) => void;
  /** Called with the pings of one frame after the bus accepted them. */
  onPingsAccepted?: (pings: PingRecord[]) => void;
  /** Server clock in ms since the epoch; tests replace it. */
  now?: () => number;
}

/**
 * Lifecycle of the gateway: `accepting` devices and pings, `stopping` after
 * `stopAccepting()` (upgrades get 503 and pings get a retriable error), `closed` after `close()`.
 */
export type GatewayState = 'accepting' | 'stopping' | 'closed';

/**
 * The WebSocket endpoint that devices stream pings to. It authenticates each
 * connection with a hello frame, validates pings, produces them to the `pings`
 * topic keyed by device id and acknowledges them once the bus accepted them.
 */
export class IngestGateway {
  private gatewayState: GatewayState = 'accepting';
  private readonly server: WebSocketServer;
  private readonly connections = new Set<DeviceConnection>();
  private readonly sessions: DeviceSessions<DeviceConnection>;
  private readonly inFlight = new Set<Promise<unknown>>();
  private readonly context: ConnectionContext;
  private readonly heartbeatTimer: NodeJS.Timeout;
  private readonly limits: IngestLimits;
  private readonly logger: Logger;
  private nextConnectionNumber = 1;
  private closePromise: Promise<void> | undefined;

  constructor(private readonly options: IngestGatewayOptions) {
    this.limits = resolveIngestLimits(options.limits);
    this.logger = options.logger.child({ component: 'ingest-gateway' });
    this.server = new WebSocketServer({
      noServer: true,
      maxPayload: this.limits.maxMessageBytes,
      perMessageDeflate: false,
      clientTracking: false,
    });
    this.sessions = new DeviceSessions({ devices: options.devices, logger: this.logger, saveDelayMs: this.limits.seqSaveDelayMs });

    this.context = {
      devices: options.devices,
      sessions: this.sessions,
      limits: this.limits,
      logger: this.logger,
      clientWarningLog: new LogLimiter(this.logger, { maxPerWindow: 20, windowMs: 10_000 }),
      now: options.now ?? Date.now,
      isAccepting: () => this.gatewayState === 'accepting',
      produce: (records) => this.produce(records),
      track: (work) => this.track(work),
      onClosed: (connection) => this.connections.delete(connection),
      onOfferAck: options.onOfferAck,
      onOrderAck: options.onOrderAck,
      onMessageAck: options.onMessageAck,
      onDeviceConnected: options.onDeviceConnected,
      onPingsAccepted: options.onPingsAccepted,
    };

    this.heartbeatTimer = setInterval(() => this.checkHeartbeats(), this.limits.heartbeatIntervalMs);
    this.heartbeatTimer.unref();
  }

  get state(): GatewayState {
    return this.gatewayState;
  }

  /** Number of open device sockets, including those that have not sent hello yet. */
  get connectionCount(): number {
    return this.connections.size;
  }

  /** Completes a WebSocket upgrade on the device endpoint, or responds 503 once the gateway stopped accepting. */
  handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void {
    if (this.gatewayState !== 'accepting') {
      this.logger.debug({ state: this.gatewayState }, 'rejected device upgrade with 503');
      rejectUpgrade(socket, 503, 'Service Unavailable', 'the gateway is shutting down; reconnect later');
      return;
    }
    this.server.handleUpgrade(request, socket, head, (ws) => this.accept(ws));
  }

  /** Sends a frame to the device's current connection. Returns true when it went to an open, welcomed socket. */
  sendToDevice(deviceId: string, frame: GatewayFrame): boolean {
    const connection = this.sessions.get(deviceId)?.connection;
    if (connection?.state !== 'open') return false;
    return connection.send(frame);
  }

  /** Returns whether the device has a welcomed connection. */
  isConnected(deviceId: string): boolean {
    return this.sessions.get(deviceId)?.connection?.state === 'open';
  }

  /**
   * Rejects new upgrades with 503 and new pings frames with a retriable `unavailable`
   * error, without acking them, so devices resend them later. Resolves once the
   * pings frames already in progress were produced and acked.
   *
   * NOTE: the wait has no time limit, so a bus whose produce never settles blocks
   * this call and `close()`. Bound the whole shutdown in the caller.
   */
  async stopAccepting(): Promise<void> {
    if (this.gatewayState === 'accepting') {
      this.gatewayState = 'stopping';
      this.logger.info({ connections: this.connections.size, inFlight: this.inFlight.size }, 'ingest gateway stopped accepting');
    }
    await Promise.allSettled([...this.inFlight]);
  }

  /**
   * Closes every device socket with 1001, waits for the frames in progress, and
   * writes each device's lastSeq to the directory. Sockets that have not completed
   * the close handshake after `closeTimeoutMs` are terminated.
   */
  close(): Promise<void> {
    this.closePromise ??= this.closeNow();
    return this.closePromise;
  }

  private async closeNow(): Promise<void> {
    this.gatewayState = 'closed';
    clearInterval(this.heartbeatTimer);
    const connections = [...this.connections];
    this.logger.info({ connections: connections.length }, 'ingest gateway closing');

    for (const connection of connections) connection.close(DeviceCloseCode.goingAway, 'server shutting down');
    await Promise.allSettled([...this.inFlight]);
    await this.waitForSockets(connections);

    await this.sessions.close();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.logger.info({}, 'ingest gateway closed');
  }

  private async waitForSockets(connections: DeviceConnection[]): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), this.limits.closeTimeoutMs);
    });
    const allClosed = Promise.all(connections.map((connection) => connection.closed));

    const outcome = await Promise.race([allClosed, timeout]);
    clearTimeout(timer);
    if (outcome !== 'timeout') return;

    const open = connections.filter((connection) => connection.state !== 'closed');
    this.logger.warn({ sockets: open.length, closeTimeoutMs: this.limits.closeTimeoutMs }, 'terminating device sockets that did not complete the close handshake');
    for (const connection of open) connection.terminate();
    await allClosed;
  }

  private accept(socket: WebSocket): void {
    const connectionId = `c${this.nextConnectionNumber++}`;
    if (this.gatewayState !== 'accepting') {
      // The gateway stopped while the handshake was completing.
      socket.close(DeviceCloseCode.tryAgainLater, 'server shutting down');
      return;
    }

    const connection = new DeviceConnection(socket, connectionId, this.context);
    this.connections.add(connection);
    this.logger.debug({ connectionId }, 'device socket opened');
  }

  private async produce(records: PingRecord[]): Promise<void> {
    await this.options.bus.produce(
      Topics.pings,
      records.map((record) => ({ key: record.deviceId, value: record })),
    );
  }

  private async track<T>(work: Promise<T>): Promise<T> {
    this.inFlight.add(work);
    try {
      return await work;
    } finally {
      this.inFlight.delete(work);
    }
  }

  private checkHeartbeats(): void {
    for (const connection of this.connections) {
      if (!connection.alive) {
        this.logger.info({ connectionId: connection.connectionId, deviceId: connection.deviceId }, 'terminating device socket: no pong since the last heartbeat');
        connection.terminate();
        continue;
      }
      connection.alive = false;
      connection.ping();
    }
  }
}

function rejectUpgrade(socket: Duplex, status: number, statusText: string, body: string): void {
  socket.once('finish', () => socket.destroy());
  socket.end(
    `HTTP/1.1 ${status} ${statusText}\r\n` +
      'Connection: close\r\n' +
      'Content-Type: text/plain; charset=utf-8\r\n' +
      `Content-Length: ${Buffer.byteLength(body)}\r\n` +
      '\r\n' +
      body,
  );
}
