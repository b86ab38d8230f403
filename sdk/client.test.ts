import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { MemoryBus } from '../bus/memory-log.js';
import type { Bus, BusMessage, SubscribeOptions, Subscription } from '../bus/types.js';
import { silentLogger } from '../common/logger.js';
import type { DeviceMessage, OfferPayload, OrderUpdate, PingRecord } from '../common/protocol.js';
import { sleep } from '../common/retry.js';
import { collectPings, MemoryDeviceDirectory, startTestGateway, waitUntil, type TestGateway } from '../ingest/test-server.js';
import { CloudburstDevice, type DeviceClientOptions, type DeviceEvents, type DeviceState } from './client.js';
import { DeviceError } from './errors.js';

const TOKEN = 'token-device-1';

/** A MemoryBus whose produce calls resolve after a random 0–8 ms, so that sockets die while batches are in flight. */
class SlowBus implements Bus {
  readonly kind = 'memory' as const;
  readonly durable = false;

  constructor(readonly inner: MemoryBus) {}

  async produce<T>(topic: string, messages: BusMessage<T>[]): Promise<void> {
    await sleep(Math.floor(Math.random() * 9));
    await this.inner.produce(topic, messages);
  }

  subscribe<T>(options: SubscribeOptions<T>): Promise<Subscription> {
    return this.inner.subscribe(options);
  }

  committedOffsets(topic: string, groupId: string): Promise<Map<number, number>> {
    return this.inner.committedOffsets(topic, groupId);
  }

  drain(): Promise<void> {
    return this.inner.drain();
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}

function fix(i: number): { lat: number; lon: number; accuracy: number } {
  return { lat: 40.7128 + i * 1e-6, lon: -74.006, accuracy: 10 };
}

function offer(offerId: string): OfferPayload {
  return {
    offerId,
    campaignId: 'campaign-1',
    campaignName: 'Lunch rush',
    deviceId: 'device-1',
    truck: { id: 'truck-1', name: 'Taco Cloud', lat: 40.713, lon: -74.006 },
    code: 'TACO-42',
    benefit: { kind: 'percent', value: 20, description: '20 % off' },
    validUntil: '2030-01-01T00:00:00.000Z',
    ping: { seq: 1, ts: Date.now(), lat: 40.7128, lon: -74.006 },
    distanceM: 40,
    decidedAt: '2030-01-01T00:00:00.000Z',
  };
}

function campaignMessage(id: string): DeviceMessage {
  return { id, deviceId: 'device-1', campaignId: 'campaign-1', title: 'Taco Cloud', body: '20 % off today: TACO-42' };
}

/** Records every event of a client, in order, for assertions. */
function recordEvents(device: CloudburstDevice): { [E in keyof DeviceEvents]: Array<DeviceEvents[E]> } {
  const log = { offer: [], message: [], order: [], ack: [], error: [], state: [], welcome: [], overflow: [], reconnect: [], renumber: [] } as {
    [E in keyof DeviceEvents]: Array<DeviceEvents[E]>;
  };
  for (const event of Object.keys(log) as Array<keyof DeviceEvents>) {
    device.on(event, (payload) => (log[event] as unknown[]).push(payload));
  }
  return log;
}

/** Asserts that the records contain seqs 1..count of the device exactly once and in order. */
function expectExactlyOnce(records: PingRecord[], deviceId: string, count: number): void {
  const seqs = records.filter((record) => record.deviceId === deviceId).map((record) => record.seq);
  const expected = Array.from({ length: count }, (_, i) => i + 1);
  const missing = expected.filter((seq) => !seqs.includes(seq));
  const duplicates = seqs.filter((seq, index) => seqs.indexOf(seq) !== index);

  expect(missing).toEqual([]);
  expect(duplicates).toEqual([]);
  expect(seqs).toEqual(expected);
}

describe('CloudburstDevice against a real gateway', () => {
  let bus: Bus;
  let directory: MemoryDeviceDirectory;
  let server: TestGateway;
  let collected: { records: PingRecord[]; stop: () => Promise<void> };
  let offerAcks: Array<[string, string]>;
  let orderAcks: Array<[string, string, string]>;
  let messageAcks: Array<[string, string]>;
  let acceptedBatchSizes: number[];
  const clients: CloudburstDevice[] = [];

  async function startServer(port?: number): Promise<TestGateway> {
    return startTestGateway({
      bus,
      devices: directory,
      port,
      onOfferAck: (deviceId, offerId) => offerAcks.push([deviceId, offerId]),
      onOrderAck: (deviceId, orderId, status) => orderAcks.push([deviceId, orderId, status]),
      onMessageAck: (deviceId, messageId) => messageAcks.push([deviceId, messageId]),
      onPingsAccepted: (records) => acceptedBatchSizes.push(records.length),
    });
  }

  function createClient(options: Partial<DeviceClientOptions> = {}): CloudburstDevice {
    const client = new CloudburstDevice({
      url: server.url,
      token: TOKEN,
      WebSocket,
      backoff: { initialMs: 5, maxMs: 40 },
      ...options,
    });
    clients.push(client);
    return client;
  }

  async function drainedRecords(): Promise<PingRecord[]> {
    await bus.drain();
    return collected.records;
  }

  beforeEach(async () => {
    bus = new SlowBus(new MemoryBus({ logger: silentLogger() }));
    directory = new MemoryDeviceDirectory();
    directory.add('device-1', TOKEN);
    collected = await collectPings(bus);
    offerAcks = [];
    orderAcks = [];
    messageAcks = [];
    acceptedBatchSizes = [];
    server = await startServer();
  });

  afterEach(async () => {
    await Promise.all(clients.splice(0).map((client) => client.close()));
    await server.close();
    await collected.stop();
    await bus.close();
  });

  it('sends pings until idle', async () => {
    const client = createClient();
    const events = recordEvents(client);

    client.connect();
    const seqs = [client.sendPing(fix(1)), client.sendPing(fix(2)), client.sendPing(fix(3))];
    await client.onIdle();

    expect(seqs).toEqual([1, 2, 3]);
    expect(events.state).toEqual(['connecting', 'open']);
    expect(events.welcome).toEqual([{ deviceId: 'device-1', lastSeq: 0 }]);
    expect(client.deviceId).toBe('device-1');
    expect(client.pendingCount).toBe(0);
    expect(events.ack.at(-1)).toBe(3);
    expectExactlyOnce(await drainedRecords(), 'device-1', 3);
  });

  it('exactly once despite killed sockets', async () => {
    const total = 2_000;
    // Reconnects within 1–4 ms, often while the killed connection's batch is still in produce.
    const client = createClient({ batchSize: 50, flushIntervalMs: 2, backoff: { initialMs: 2, maxMs: 4 } });
    const events = recordEvents(client);
    let kills = 0;
    let pendingAtKills = 0;

    client.connect();
    for (let i = 1; i <= total; i++) {
      client.sendPing(fix(i));
      if (i % 100 !== 0) continue;
      await sleep(1);
      await waitUntil(() => client.state === 'open', 'the client is open again');
      pendingAtKills += client.pendingCount;
      const reconnectsBefore = events.reconnect.length;
      kills += server.destroySockets();
      await waitUntil(() => events.reconnect.length > reconnectsBefore, 'the client sees the dead socket');
    }
    await client.onIdle();

    expect(kills).toBe(20);
    expect(pendingAtKills).toBeGreaterThan(0);
    expect(events.reconnect.length).toBeGreaterThanOrEqual(20);
    expect(events.overflow).toEqual([]);
    expectExactlyOnce(await drainedRecords(), 'device-1', total);
  });

  it('exactly once across server restart', async () => {
    const total = 600;
    const client = createClient({ batchSize: 25, flushIntervalMs: 2 });
    const port = server.port;

    client.connect();
    for (let i = 1; i <= total / 2; i++) client.sendPing(fix(i));
    await sleep(5);
    await server.close();
    // The socket's close event can arrive after close() resolves on a busy machine.
    await expect.poll(() => client.state, { timeout: 5_000 }).toBe('connecting');
    for (let i = total / 2 + 1; i <= total; i++) client.sendPing(fix(i));
    server = await startServer(port);
    await client.onIdle();

    // The gateway saves lastSeq after a short delay, and the first server may have closed before any ack.
    await expect.poll(() => directory.lastSeq('device-1'), { timeout: 5_000 }).toBeGreaterThan(0);
    expectExactlyOnce(await drainedRecords(), 'device-1', total);
  });

  it('new instance continues above server lastSeq', async () => {
    const first = createClient();
    first.connect();
    for (let i = 1; i <= 10; i++) first.sendPing(fix(i));
    await first.onIdle();
    await first.close();

    const second = createClient();
    const events = recordEvents(second);
    const queuedSeqs = [second.sendPing(fix(11)), second.sendPing(fix(12)), second.sendPing(fix(13))];
    second.connect();
    await second.onIdle();
    const nextSeq = second.sendPing(fix(14));
    await second.onIdle();

    expect(queuedSeqs).toEqual([1, 2, 3]);
    expect(events.renumber).toEqual([{ offset: 10, fromSeq: 11, toSeq: 13 }]);
    expect(nextSeq).toBe(14);
    expectExactlyOnce(await drainedRecords(), 'device-1', 14);
  });

  it('lastSeq option avoids renumbering', async () => {
    directory.add('device-2', 'token-device-2', 7);
    const client = createClient({ token: 'token-device-2', lastSeq: 7 });
    const events = recordEvents(client);

    const seq = client.sendPing(fix(1));
    client.connect();
    await client.onIdle();

    expect(seq).toBe(8);
    expect(events.renumber).toEqual([]);
    expect(client.lastSeq).toBe(8);
  });

  it('delivers and acks offers', async () => {
    const client = createClient();
    const received: OfferPayload[] = [];
    client.on('offer', (payload) => received.push(payload));
    client.connect();
    await waitUntil(() => server.gateway.isConnected('device-1'), 'the device is connected');

    const sent = server.gateway.sendToDevice('device-1', { type: 'offer', offer: offer('offer-1') });
    await waitUntil(() => offerAcks.length === 1, 'the offer-ack reaches the gateway');

    expect(sent).toBe(true);
    expect(received.map((payload) => payload.offerId)).toEqual(['offer-1']);
    expect(offerAcks).toEqual([['device-1', 'offer-1']]);
  });

  it('delivers and acks order updates', async () => {
    const client = createClient();
    const received: OrderUpdate[] = [];
    client.on('order', (update) => received.push(update));
    client.connect();
    await waitUntil(() => server.gateway.isConnected('device-1'), 'the device is connected');

    const update: OrderUpdate = {
      orderId: '6f1c1f8e-3b1a-4a55-9d7e-0c2b5d1e8a11',
      truckId: 'truck-1',
      status: 'ready',
      pickupNumber: '007',
      estimatedReadyAt: '2030-01-01T12:10:00.000Z',
      updatedAt: '2030-01-01T12:09:00.000Z',
    };
    server.gateway.sendToDevice('device-1', { type: 'order', order: update });
    await waitUntil(() => orderAcks.length === 1, 'the order-ack reaches the gateway');

    expect(received).toEqual([update]);
    expect(orderAcks).toEqual([['device-1', update.orderId, 'ready']]);
  });

  it('emits a message once, acks every copy', async () => {
    const client = createClient();
    const events = recordEvents(client);
    client.connect();
    await waitUntil(() => events.welcome.length === 1, 'the first welcome');
    const first = campaignMessage('0b6e2b4c-9c1d-4f0a-8e57-3d2a1c4b5e6f');
    const second = campaignMessage('7d4f0e2a-1b3c-4d5e-8f9a-0b1c2d3e4f5a');

    server.gateway.sendToDevice('device-1', { type: 'message', message: first });
    server.gateway.sendToDevice('device-1', { type: 'message', message: first });
    await waitUntil(() => messageAcks.length === 2, 'both message-acks reach the gateway');
    // The server sends unacknowledged messages again after a reconnect.
    server.destroySockets();
    await waitUntil(() => events.welcome.length === 2 && server.gateway.isConnected('device-1'), 'the second welcome');
    server.gateway.sendToDevice('device-1', { type: 'message', message: first });
    server.gateway.sendToDevice('device-1', { type: 'message', message: second });
    await waitUntil(() => messageAcks.length === 4, 'the message-acks after the reconnect');

    expect(events.message).toEqual([first, second]);
    expect(messageAcks).toEqual([
      ['device-1', first.id],
      ['device-1', first.id],
      ['device-1', first.id],
      ['device-1', second.id],
    ]);
  });

  it('forgets the oldest of 1000 message ids', async () => {
    const client = createClient();
    const events = recordEvents(client);
    client.connect();
    await waitUntil(() => server.gateway.isConnected('device-1'), 'the device is connected');
    const ids = Array.from({ length: 1_001 }, (_, i) => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`);

    for (const id of ids) server.gateway.sendToDevice('device-1', { type: 'message', message: campaignMessage(id) });
    server.gateway.sendToDevice('device-1', { type: 'message', message: campaignMessage(ids[1]!) });
    server.gateway.sendToDevice('device-1', { type: 'message', message: campaignMessage(ids[0]!) });
    await waitUntil(() => messageAcks.length === 1_003, 'every message-ack reaches the gateway');

    expect(events.message).toHaveLength(1_002);
    expect(events.message.at(-1)!.id).toBe(ids[0]);
    expect(events.message.at(-2)!.id).toBe(ids[1_000]);
  });

  it('reports rejected ping, still idles', async () => {
    const client = createClient();
    const events = recordEvents(client);
    client.connect();

    client.sendPing(fix(1));
    const staleSeq = client.sendPing({ ...fix(2), ts: Date.now() - 8 * 86_400_000 });
    client.sendPing(fix(3));
    await client.onIdle();

    expect(events.error).toHaveLength(1);
    expect(events.error[0]).toBeInstanceOf(DeviceError);
    expect(events.error[0]).toMatchObject({ code: 'invalid_input', field: 'pings.1.ts', seq: staleSeq });
    expect((await drainedRecords()).map((record) => record.seq)).toEqual([1, 3]);
  });

  it('sends full batches at once', async () => {
    const client = createClient({ batchSize: 10, flushIntervalMs: 60_000 });
    client.connect();
    await waitUntil(() => client.state === 'open', 'the client is open');

    for (let i = 1; i <= 25; i++) client.sendPing(fix(i));
    await waitUntil(() => client.pendingCount === 5, 'the two full batches are acked');
    const sizesBeforeFlush = [...acceptedBatchSizes];
    client.flush();
    await client.onIdle();

    expect(sizesBeforeFlush).toEqual([10, 10]);
    expect(acceptedBatchSizes).toEqual([10, 10, 5]);
  });

  it('zero flush interval sends each ping', async () => {
    const client = createClient({ flushIntervalMs: 0 });
    client.connect();
    await waitUntil(() => client.state === 'open', 'the client is open');

    for (let i = 1; i <= 3; i++) client.sendPing(fix(i));
    await client.onIdle();

    expect(acceptedBatchSizes).toEqual([1, 1, 1]);
  });

  it('overflow drops oldest pings', async () => {
    const client = createClient({ maxBuffered: 5 });
    const events = recordEvents(client);

    for (let i = 1; i <= 8; i++) client.sendPing(fix(i));
    client.connect();
    await client.onIdle();

    expect(events.overflow.map((event) => event.dropped.seq)).toEqual([1, 2, 3]);
    expect((await drainedRecords()).map((record) => record.seq)).toEqual([4, 5, 6, 7, 8]);
  });

  it('unknown token stops reconnecting', async () => {
    const client = createClient({ token: 'not-a-token' });
    const events = recordEvents(client);
    client.sendPing(fix(1));
    const idle = client.onIdle();

    client.connect();
    await expect(idle).rejects.toMatchObject({ code: 'closed' });

    expect(client.state).toBe('closed');
    expect(events.error.map((error) => error.code)).toEqual(['unauthorized']);
    expect(events.reconnect).toEqual([]);
    expect(() => client.connect()).toThrow('the client is closed');
  });

  it('replaced connection stops', async () => {
    const first = createClient();
    const events = recordEvents(first);
    first.connect();
    await waitUntil(() => first.state === 'open', 'the first client is open');

    const second = createClient();
    second.connect();
    await waitUntil(() => first.state === 'closed', 'the first client is closed');

    expect(events.error.map((error) => error.code)).toEqual(['replaced']);
    expect(events.reconnect).toEqual([]);
    await waitUntil(() => second.state === 'open', 'the second client is open');
  });

  it('welcome resets reconnect attempt', async () => {
    const client = createClient({ backoff: { initialMs: 20, maxMs: 1_000 }, random: () => 0 });
    const events = recordEvents(client);
    client.connect();

    for (let round = 0; round < 3; round++) {
      await waitUntil(() => client.state === 'open', 'the client is open');
      server.destroySockets();
      await waitUntil(() => events.reconnect.length === round + 1, 'the client schedules a reconnect');
    }

    expect(events.reconnect.map((event) => [event.attempt, event.delayMs])).toEqual([
      [1, 10],
      [1, 10],
      [1, 10],
    ]);
  });

  it('close ends the connection', async () => {
    const client = createClient();
    const states: DeviceState[] = [];
    client.on('state', (state) => states.push(state));
    client.connect();
    client.sendPing(fix(1));
    await client.onIdle();

    await client.close();
    await waitUntil(() => server.gateway.connectionCount === 0, 'the gateway sees the close');

    expect(states).toEqual(['connecting', 'open', 'closed']);
    expect(server.gateway.isConnected('device-1')).toBe(false);
    expect(() => client.sendPing(fix(2))).toThrow('the client is closed');
  });
});

describe('CloudburstDevice reconnect backoff', () => {
  it('delays grow with equal jitter', async () => {
    // Reserve a port on 127.0.0.1 and release it, so that connections to it are refused.
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const port = (probe.address() as AddressInfo).port;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    const randoms = [0, 1, 0.5, 0, 1, 0.25];
    let draw = 0;
    const client = new CloudburstDevice({
      url: `http://127.0.0.1:${port}`,
      token: TOKEN,
      WebSocket,
      backoff: { initialMs: 10, maxMs: 80 },
      random: () => randoms[draw++ % randoms.length]!,
    });
    const events = recordEvents(client);

    try {
      client.connect();
      await waitUntil(() => events.reconnect.length >= randoms.length, `${randoms.length} reconnects are scheduled`);
    } finally {
      await client.close();
    }

    // Ceilings 10, 20, 40, 80, 80, 80 ms: half fixed, half scaled by the random draw.
    expect(events.reconnect.slice(0, randoms.length).map((event) => event.delayMs)).toEqual([5, 20, 30, 40, 80, 50]);
    expect(events.reconnect.slice(0, randoms.length).map((event) => event.attempt)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(events.reconnect[0]!.code).toBe(1006);
    expect(client.state).toBe('closed');
  });
});

describe('CloudburstDevice input checks', () => {
  function offlineClient(options: Partial<DeviceClientOptions> = {}): CloudburstDevice {
    return new CloudburstDevice({ url: 'http://127.0.0.1:9', token: TOKEN, WebSocket, ...options });
  }

  it('rejects an invalid fix', () => {
    const client = offlineClient();

    expect(() => client.sendPing({ lat: 91, lon: 0, accuracy: 5 })).toThrow('invalid lat: 91 (expected a number from -90 to 90)');
    expect(() => client.sendPing({ lat: 0, lon: Number.NaN, accuracy: 5 })).toThrow('invalid lon: NaN (expected a number from -180 to 180)');
    expect(() => client.sendPing({ lat: 0, lon: 0, accuracy: -1 })).toThrow('invalid accuracy: -1 (expected a finite number of at least 0)');
    expect(client.pendingCount).toBe(0);
  });

  it('rejects invalid options', () => {
    expect(() => offlineClient({ batchSize: 0 })).toThrow('invalid batchSize: 0 (expected an integer of at least 1)');
    expect(() => offlineClient({ flushIntervalMs: -1 })).toThrow('invalid flushIntervalMs: -1 (expected an integer of at least 0)');
    expect(() => offlineClient({ token: '' })).toThrow('invalid token');
    expect(() => offlineClient({ url: 'ftp://example.com' })).toThrow('invalid url');
  });
});
