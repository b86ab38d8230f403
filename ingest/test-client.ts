import { WebSocket } from 'ws';
import type { GatewayFrame } from '../common/protocol.js';

/** Maximum time in ms a test waits for a frame or a close before it fails. */
const WAIT_TIMEOUT_MS = 5_000;

/**
 * A raw WebSocket client for gateway tests. It records every frame the gateway
 * sends, in order, and lets a test wait for the next one.
 */
export class TestDeviceSocket {
  private readonly received: GatewayFrame[] = [];
  private readonly waiters: Array<() => void> = [];
  private readonly closePromise: Promise<{ code: number; reason: string }>;
  private closeInfo: { code: number; reason: string } | undefined;

  private constructor(readonly socket: WebSocket) {
    socket.on('message', (data) => {
      this.received.push(JSON.parse(data.toString()) as GatewayFrame);
      for (const wake of this.waiters.splice(0)) wake();
    });
    this.closePromise = new Promise((resolve) => {
      socket.on('close', (code, reason) => {
        this.closeInfo = { code, reason: reason.toString() };
        resolve(this.closeInfo);
        for (const wake of this.waiters.splice(0)) wake();
      });
    });
  }

  /** Opens a socket to `wsUrl` and resolves once the upgrade completed. */
  static async open(wsUrl: string): Promise<TestDeviceSocket> {
    const socket = new WebSocket(wsUrl, { perMessageDeflate: false });
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve());
      socket.once('error', reject);
    });
    return new TestDeviceSocket(socket);
  }

  /** Opens a socket and completes the hello, returning the welcome frame. */
  static async connect(wsUrl: string, token: string): Promise<{ device: TestDeviceSocket; welcome: Extract<GatewayFrame, { type: 'welcome' }> }> {
    const device = await TestDeviceSocket.open(wsUrl);
    device.send({ type: 'hello', token });
    const welcome = await device.next('welcome');
    return { device, welcome };
  }

  get isOpen(): boolean {
    return this.socket.readyState === WebSocket.OPEN;
  }

  /** Frames received and not yet returned by `next`. */
  get unread(): readonly GatewayFrame[] {
    return this.received;
  }

  /** Sends an object as JSON text, or a string or buffer as is. */
  send(frame: unknown, options: { binary?: boolean } = {}): void {
    if (typeof frame === 'string' || Buffer.isBuffer(frame)) {
      this.socket.send(frame, { binary: options.binary ?? Buffer.isBuffer(frame) });
    } else {
      this.socket.send(JSON.stringify(frame));
    }
  }

  /**
   * Returns the next unread frame and fails if it is not of `type`, so tests see
   * every frame in order. Rejects after WAIT_TIMEOUT_MS or when the socket closes first.
   */
  async next<T extends GatewayFrame['type']>(type: T): Promise<Extract<GatewayFrame, { type: T }>> {
    const deadline = Date.now() + WAIT_TIMEOUT_MS;
    while (this.received.length === 0) {
      if (this.closeInfo) throw new Error(`socket closed (${this.closeInfo.code} ${this.closeInfo.reason}) while waiting for a ${type} frame`);
      const remaining = deadline - Date.now();
      if (remaining <= 0) throw new Error(`timed out after ${WAIT_TIMEOUT_MS} ms waiting for a ${type} frame`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, remaining);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }

    const frame = this.received.shift()!;
    if (frame.type !== type) throw new Error(`expected a ${type} frame, got ${JSON.stringify(frame)}`);
    return frame as Extract<GatewayFrame, { type: T }>;
  }

  /** Resolves with the close code and reason, or rejects after WAIT_TIMEOUT_MS. */
  async closed(): Promise<{ code: number; reason: string }> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => reject(new Error(`timed out after ${WAIT_TIMEOUT_MS} ms waiting for the socket to close`)), WAIT_TIMEOUT_MS);
    });
    try {
      return await Promise.race([this.closePromise, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  close(): void {
    this.socket.close();
  }
}
