import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Logger } from '../common/logger.js';
import type { LiveDevice, LiveFrame, OfferPayload } from '../common/protocol.js';
import { tokensEqual } from './auth.js';

/** Device positions are coalesced and sent at most this often, so a busy stream does not flood the browser. */
const DEVICE_FLUSH_INTERVAL_MS = 250;
/** A console must send its hello frame within this time or it is disconnected. */
const HELLO_TIMEOUT_MS = 10_000;
/** Largest frame a console may send; it only ever sends a hello. */
const MAX_CLIENT_FRAME_BYTES = 4096;
/** Sockets with more than this many bytes queued are skipped for device updates until they catch up. */
const MAX_BUFFERED_BYTES = 4 * 1024 * 1024;
/** Positions kept for snapshots: the most recently moved devices only, so memory stays bounded. */
const MAX_TRACKED_DEVICES = 10_000;

export interface LiveFeedOptions {
  adminToken: string;
  logger: Logger;
  /** Builds the snapshot a console gets right after its hello frame. */
  snapshot: () => Promise<Extract<LiveFrame, { type: 'snapshot' }>>;
}

/**
 * The console's live feed on `/v1/live`: a snapshot on connect, then trucks,
 * fences, device positions and offers as they happen.
 */
export class LiveFeed {
  private readonly server = new WebSocketServer({ noServer: true, maxPayload: MAX_CLIENT_FRAME_BYTES, perMessageDeflate: false });
  private readonly clients = new Set<WebSocket>();
  private readonly pendingDevices = new Map<string, LiveDevice>();
  /** Latest position of recently moved devices, for snapshots. */
  private readonly lastPositions = new Map<string, LiveDevice>();
  private readonly timer: NodeJS.Timeout;
  private readonly logger: Logger;

  constructor(private readonly options: LiveFeedOptions) {
    this.logger = options.logger.child({ component: 'live-feed' });
    this.timer = setInterval(() => this.flushDevices(), DEVICE_FLUSH_INTERVAL_MS);
    this.timer.unref();
  }

  handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void {
    this.server.handleUpgrade(request, socket, head, (ws) => this.accept(ws));
  }

  get clientCount(): number {
    return this.clients.size;
  }

  devicePositions(): LiveDevice[] {
    return [...this.lastPositions.values()];
  }

  publishDevices(devices: LiveDevice[]): void {
    for (const device of devices) {
      this.pendingDevices.set(device.id, device);
      // Re-inserting moves the device to the end of the Map's order, so the first key is the stalest.
      this.lastPositions.delete(device.id);
      this.lastPositions.set(device.id, device);
      if (this.lastPositions.size > MAX_TRACKED_DEVICES) {
        this.lastPositions.delete(this.lastPositions.keys().next().value!);
      }
    }
  }

  publish(frame: LiveFrame): void {
    const text = JSON.stringify(frame);
    for (const client of this.clients) client.send(text);
  }

  publishOffer(offer: OfferPayload): void {
    this.publish({ type: 'offer', offer });
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    for (const client of this.clients) client.close(1001, 'server shutting down');
    this.clients.clear();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private accept(ws: WebSocket): void {
    const helloTimer = setTimeout(() => ws.close(4408, 'hello not received in time'), HELLO_TIMEOUT_MS);

    ws.once('message', (data, isBinary) => {
      clearTimeout(helloTimer);
      void this.onHello(ws, isBinary ? '' : data.toString());
    });
    ws.on('error', (error) => this.logger.warn({ err: error }, 'live feed socket error'));
    ws.on('close', () => {
      clearTimeout(helloTimer);
      this.clients.delete(ws);
    });
  }

  private async onHello(ws: WebSocket, text: string): Promise<void> {
    // Shape: { "type": "hello", "token": "<admin token>" }
    let token: unknown;
    try {
      const frame = JSON.parse(text) as { type?: unknown; token?: unknown };
      token = frame.type === 'hello' ? frame.token : undefined;
    } catch {
      token = undefined;
    }
    if (typeof token !== 'string' || !tokensEqual(token, this.options.adminToken)) {
      ws.send(JSON.stringify({ type: 'error', code: 'unauthorized', message: 'invalid admin token; send {"type":"hello","token":"<admin token>"} first' }));
      ws.close(4401, 'unauthorized');
      return;
    }

    try {
      const snapshot = await this.options.snapshot();
      if (ws.readyState !== ws.OPEN) return;
      ws.send(JSON.stringify(snapshot));
      this.clients.add(ws);
      this.logger.info({ clients: this.clients.size }, 'console connected');
    } catch (error) {
      this.logger.error({ err: error }, 'building the live snapshot failed');
      ws.send(JSON.stringify({ type: 'error', code: 'unavailable', message: 'snapshot failed; reconnect to try again' }));
      ws.close(1011, 'snapshot failed');
    }
  }

  private flushDevices(): void {
    if (this.pendingDevices.size === 0) return;
    const frame: LiveFrame = { type: 'devices', devices: [...this.pendingDevices.values()] };
    this.pendingDevices.clear();
    const text = JSON.stringify(frame);
    for (const client of this.clients) {
      if (client.bufferedAmount < MAX_BUFFERED_BYTES) client.send(text);
    }
  }
}
