/**
 * Test helpers: an in-memory device directory, a collector for the `pings` topic
 * and an HTTP server on 127.0.0.1 that routes upgrades on the device endpoint to a
 * real IngestGateway.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable, type Duplex } from 'node:stream';
import pino from 'pino';
import { Topics, type Bus } from '../bus/types.js';
import { silentLogger, type Logger } from '../common/logger.js';
import { DEVICE_CONNECT_PATH, type PingRecord } from '../common/protocol.js';
import type { DeviceDirectory } from './device-directory.js';
import { IngestGateway, type IngestGatewayOptions } from './gateway.js';

/** A DeviceDirectory in memory. It keeps tokens in clear text, so it is for tests only. */
export class MemoryDeviceDirectory implements DeviceDirectory {
  private readonly byToken = new Map<string, string>();
  private readonly lastSeqs = new Map<string, number>();
  /** Number of saveLastSeq calls, to check that saves are debounced. */
  saveCalls = 0;

  add(deviceId: string, token: string, lastSeq = 0): void {
    this.byToken.set(token, deviceId);
    this.lastSeqs.set(deviceId, lastSeq);
  }

  lastSeq(deviceId: string): number | undefined {
    return this.lastSeqs.get(deviceId);
  }

  async authenticate(token: string): Promise<{ deviceId: string; lastSeq: number } | null> {
    const deviceId = this.byToken.get(token);
    if (deviceId === undefined) return null;
    return { deviceId, lastSeq: this.lastSeqs.get(deviceId) ?? 0 };
  }

  async saveLastSeq(deviceId: string, lastSeq: number): Promise<void> {
    this.saveCalls += 1;
    this.lastSeqs.set(deviceId, Math.max(this.lastSeqs.get(deviceId) ?? 0, lastSeq));
  }
}

/**
 * Subscribes a fresh consumer group to the `pings` topic from the beginning and
 * collects every record value. Call `bus.drain()` before reading `records`.
 */
export async function collectPings(bus: Bus): Promise<{ records: PingRecord[]; stop: () => Promise<void> }> {
  const records: PingRecord[] = [];
  const subscription = await bus.subscribe<PingRecord>({
    topic: Topics.pings,
    groupId: `test-collector-${collectorNumber++}`,
    fromBeginning: true,
    handler: async (batch) => {
      for (const record of batch) records.push(record.value);
    },
  });
  return { records, stop: () => subscription.stop() };
}

let collectorNumber = 1;

/** Creates a debug-level pino logger that keeps every line as a parsed object, for tests that inspect logs. */
export function captureLogs(): { logger: Logger; lines: Array<Record<string, unknown>> } {
  const lines: Array<Record<string, unknown>> = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
      callback();
    },
  });
  return { logger: pino({ level: 'debug' }, stream), lines };
}

/** Polls `condition` every 5 ms and rejects with `description` if it is still false after `timeoutMs`. */
export async function waitUntil(condition: () => boolean, description: string, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting until ${description}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

export interface TestGateway {
  gateway: IngestGateway;
  server: Server;
  /** Base URL, `http://127.0.0.1:<port>`. */
  url: string;
  /** URL of the device WebSocket endpoint. */
  wsUrl: string;
  port: number;
  /** Destroys every upgraded TCP socket without a close frame, as a network failure would. Returns how many it destroyed. */
  destroySockets(): number;
  /** Stops the gateway, closes it and closes the HTTP server. */
  close(): Promise<void>;
}

/** Starts an IngestGateway behind an HTTP server on 127.0.0.1. `port` 0 (the default) picks a free port. */
export async function startTestGateway(
  options: Omit<IngestGatewayOptions, 'logger'> & { logger?: IngestGatewayOptions['logger']; port?: number },
): Promise<TestGateway> {
  const gateway = new IngestGateway({ ...options, logger: options.logger ?? silentLogger() });
  const upgradedSockets = new Set<Duplex>();

  const server = createServer((_request, response) => {
    response.writeHead(404).end();
  });
  server.on('upgrade', (request, socket, head) => {
    const path = new URL(request.url ?? '/', 'http://localhost').pathname;
    if (path !== DEVICE_CONNECT_PATH) {
      socket.destroy();
      return;
    }
    upgradedSockets.add(socket);
    socket.once('close', () => upgradedSockets.delete(socket));
    gateway.handleUpgrade(request, socket, head);
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;

  return {
    gateway,
    server,
    port,
    url: `http://127.0.0.1:${port}`,
    wsUrl: `ws://127.0.0.1:${port}${DEVICE_CONNECT_PATH}`,
    destroySockets() {
      const sockets = [...upgradedSockets].filter((socket) => !socket.destroyed);
      for (const socket of sockets) socket.destroy();
      return sockets.length;
    },
    async close() {
      await gateway.stopAccepting();
      await gateway.close();
      server.closeAllConnections();
      await new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
    },
  };
}
