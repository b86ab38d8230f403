import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MemoryBus } from '../bus/memory-log.js';
import type { Bus, BusMessage, SubscribeOptions, Subscription } from '../bus/types.js';
import { silentLogger } from '../common/logger.js';
import type { OfferPayload, PingRecord, WirePing } from '../common/protocol.js';
import type { IngestLimits } from './limits.js';
import { TestDeviceSocket } from './test-client.js';
import { captureLogs, collectPings, MemoryDeviceDirectory, startTestGateway, waitUntil, type TestGateway } from './test-server.js';

const TOKEN = 'token-device-1';

function ping(seq: number): WirePing {
  return { seq, lat: 48.8566, lon: 2.3522, accuracy: 8, ts: Date.now() - 1_000 };
}

function pings(from: number, to: number): WirePing[] {
  return Array.from({ length: to - from + 1 }, (_, i) => ping(from + i));
}

function offer(offerId: string): OfferPayload {
  return {
    offerId,
    campaignId: 'campaign-1',
    campaignName: 'Lunch rush',
    deviceId: 'device-1',
    truck: { id: 'truck-1', name: 'Taco Cloud', lat: 48.857, lon: 2.352 },
    code: 'TACO-42',
    benefit: { kind: 'percent', value: 20, description: '20 % off' },
    validUntil: '2030-01-01T00:00:00.000Z',
    ping: { seq: 1, ts: Date.now(), lat: 48.8566, lon: 2.3522 },
    distanceM: 40,
    decidedAt: '2030-01-01T00:00:00.000Z',
  };
}

/**
 * A MemoryBus wrapper whose produce calls can be held open or made to fail,
 * to observe what the gateway does while the bus has not accepted a batch.
 */
class ControlledBus implements Bus {
  readonly kind = 'memory' as const;
  readonly durable = false;
  produceCalls = 0;
  private gate: Promise<void> | undefined;
  private openGate: (() => void) | undefined;
  private failures: Error[] = [];

  constructor(readonly inner: MemoryBus) {}

  /** Holds every produce call from now on until the returned function or `release` is called. */
  hold(): () => void {
    this.gate = new Promise((resolve) => (this.openGate = resolve));
    return () => this.release();
  }

  release(): void {
    this.gate = undefined;
    this.openGate?.();
  }

  /** Makes the next produce call reject with `error`. */
  failNext(error: Error): void {
    this.failures.push(error);
  }

  async produce<T>(topic: string, messages: BusMessage<T>[]): Promise<void> {
    this.produceCalls += 1;
    const failure = this.failures.shift();
    if (failure) throw failure;
    if (this.gate) await this.gate;
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

describe('IngestGateway', () => {
  let bus: ControlledBus;
  let directory: MemoryDeviceDirectory;
  let server: TestGateway;
  let collected: { records: PingRecord[]; stop: () => Promise<void> };
  let offerAcks: Array<[string, string]>;
  let orderAcks: Array<[string, string, string]>;
  let messageAcks: Array<[string, string]>;
  let connectedDevices: string[];
  let acceptedBatches: PingRecord[][];

  async function start(limits: Partial<IngestLimits> = {}): Promise<void> {
    server = await startTestGateway({
      bus,
      devices: directory,
      limits,
      onOfferAck: (deviceId, offerId) => offerAcks.push([deviceId, offerId]),
      onOrderAck: (deviceId, orderId, status) => orderAcks.push([deviceId, orderId, status]),
      onMessageAck: (deviceId, messageId) => messageAcks.push([deviceId, messageId]),
      onDeviceConnected: (deviceId) => connectedDevices.push(deviceId),
      onPingsAccepted: (records) => acceptedBatches.push(records),
    });
  }

  async function producedSeqs(): Promise<number[]> {
    await bus.drain();
    return collected.records.map((record) => record.seq);
  }

  beforeEach(async () => {
    bus = new ControlledBus(new MemoryBus({ logger: silentLogger() }));
    directory = new MemoryDeviceDirectory();
    directory.add('device-1', TOKEN);
    collected = await collectPings(bus);
    offerAcks = [];
    orderAcks = [];
    messageAcks = [];
    connectedDevices = [];
    acceptedBatches = [];
  });

  afterEach(async () => {
    // A failed test may leave produce held, and close() waits for produce calls in flight.
    bus.release();
    await server.close();
    await collected.stop();
    await bus.close();
  });

  describe('hello', () => {
    it('hello returns welcome with lastSeq', async () => {
      directory.add('device-2', 'token-device-2', 41);
      await start();

      const { welcome } = await TestDeviceSocket.connect(server.wsUrl, 'token-device-2');

      expect(welcome).toEqual({ type: 'welcome', deviceId: 'device-2', lastSeq: 41 });
      expect(connectedDevices).toEqual(['device-2']);
      expect(server.gateway.isConnected('device-2')).toBe(true);
      expect(server.gateway.connectionCount).toBe(1);
    });

    it('rejects an unknown token with 4401', async () => {
      await start();
      const device = await TestDeviceSocket.open(server.wsUrl);

      device.send({ type: 'hello', token: 'not-a-token' });
      const error = await device.next('error');
      const closed = await device.closed();

      expect(error.code).toBe('unauthorized');
      expect(error.message).toContain('unknown device token');
      expect(JSON.stringify(error)).not.toContain('not-a-token');
      expect(closed.code).toBe(4401);
    });

    it('rejects pings before hello with 4401', async () => {
      await start();
      const device = await TestDeviceSocket.open(server.wsUrl);

      device.send({ type: 'pings', pings: [ping(1)] });
      const error = await device.next('error');
      const closed = await device.closed();

      expect(error).toMatchObject({ code: 'unauthorized', field: 'type', value: 'pings' });
      expect(closed.code).toBe(4401);
      expect(await producedSeqs()).toEqual([]);
    });

    it('hello timeout closes with 4408', async () => {
      await start({ helloTimeoutMs: 50 });
      const device = await TestDeviceSocket.open(server.wsUrl);

      const error = await device.next('error');
      const closed = await device.closed();

      expect(error.message).toBe('timed out after 50 ms waiting for a valid hello');
      expect(closed).toEqual({ code: 4408, reason: 'hello timed out' });
    });

    it('newer connection replaces older with 4409', async () => {
      await start();
      const { device: first } = await TestDeviceSocket.connect(server.wsUrl, TOKEN);

      const { device: second } = await TestDeviceSocket.connect(server.wsUrl, TOKEN);
      const firstClosed = await first.closed();
      server.gateway.sendToDevice('device-1', { type: 'offer', offer: offer('offer-1') });

      expect(firstClosed.code).toBe(4409);
      expect((await second.next('offer')).offer.offerId).toBe('offer-1');
      await waitUntil(() => server.gateway.connectionCount === 1, 'the replaced socket is gone');
    });

    it('replacement welcome waits for in-flight batch', async () => {
      await start();
      const { device: first } = await TestDeviceSocket.connect(server.wsUrl, TOKEN);
      const release = bus.hold();
      first.send({ type: 'pings', pings: pings(1, 5) });
      await waitUntil(() => bus.produceCalls === 1, 'the first batch reaches produce');

      const second = await TestDeviceSocket.open(server.wsUrl);
      second.send({ type: 'hello', token: TOKEN });
      expect((await first.closed()).code).toBe(4409);
      release();
      const welcome = await second.next('welcome');

      expect(welcome.lastSeq).toBe(5);
      second.send({ type: 'pings', pings: pings(1, 6) });
      expect(await second.next('ack')).toEqual({ type: 'ack', seq: 6 });
      expect(await producedSeqs()).toEqual([1, 2, 3, 4, 5, 6]);
    });
  });

  describe('pings', () => {
    it('produces batch by device, then acks', async () => {
      await start();
      const { device } = await TestDeviceSocket.connect(server.wsUrl, TOKEN);

      device.send({ type: 'pings', pings: pings(1, 3) });
      const ack = await device.next('ack');

      expect(ack).toEqual({ type: 'ack', seq: 3 });
      expect(await producedSeqs()).toEqual([1, 2, 3]);
      expect(collected.records.every((record) => record.deviceId === 'device-1')).toBe(true);
      expect(acceptedBatches.map((batch) => batch.map((record) => record.seq))).toEqual([[1, 2, 3]]);
    });

    it('acks only after produce resolves', async () => {
      await start();
      const { device } = await TestDeviceSocket.connect(server.wsUrl, TOKEN);
      const release = bus.hold();

      device.send({ type: 'pings', pings: pings(1, 2) });
      await waitUntil(() => bus.produceCalls === 1, 'the batch reaches produce');
      // Frames on one socket arrive in order, so an ack sent before this offer would arrive first.
      server.gateway.sendToDevice('device-1', { type: 'offer', offer: offer('offer-probe') });
      const probe = await device.next('offer');
      release();
      const ack = await device.next('ack');

      expect(probe.offer.offerId).toBe('offer-probe');
      expect(ack.seq).toBe(2);
    });

    it('handles frames one at a time', async () => {
      await start();
      const { device } = await TestDeviceSocket.connect(server.wsUrl, TOKEN);
      const release = bus.hold();

      device.send({ type: 'pings', pings: pings(1, 2) });
      device.send({ type: 'pings', pings: pings(3, 4) });
      device.send({ type: 'pings', pings: pings(5, 6) });
      await waitUntil(() => bus.produceCalls === 1, 'the first batch reaches produce');
      server.gateway.sendToDevice('device-1', { type: 'offer', offer: offer('offer-probe') });
      await device.next('offer');
      const callsWhileHeld = bus.produceCalls;
      release();
      const acks = [await device.next('ack'), await device.next('ack'), await device.next('ack')];

      expect(callsWhileHeld).toBe(1);
      expect(acks.map((ack) => ack.seq)).toEqual([2, 4, 6]);
      expect(await producedSeqs()).toEqual([1, 2, 3, 4, 5, 6]);
    });

    it('paused flooding socket acks every frame', async () => {
      await start({ maxQueuedFrames: 2 });
      const { device } = await TestDeviceSocket.connect(server.wsUrl, TOKEN);
      const release = bus.hold();

      for (let frame = 0; frame < 10; frame++) device.send({ type: 'pings', pings: pings(frame * 3 + 1, frame * 3 + 3) });
      await waitUntil(() => bus.produceCalls === 1, 'the first batch reaches produce');
      release();
      const acks: number[] = [];
      for (let frame = 0; frame < 10; frame++) acks.push((await device.next('ack')).seq);

      expect(acks).toEqual([3, 6, 9, 12, 15, 18, 21, 24, 27, 30]);
      expect(await producedSeqs()).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
    });

    it('does not produce a resent seq twice', async () => {
      await start();
      const { device } = await TestDeviceSocket.connect(server.wsUrl, TOKEN);

      device.send({ type: 'pings', pings: pings(1, 3) });
      await device.next('ack');
      device.send({ type: 'pings', pings: pings(2, 4) });
      const overlapAck = await device.next('ack');
      device.send({ type: 'pings', pings: pings(1, 2) });
      const resendAck = await device.next('ack');

      expect(overlapAck.seq).toBe(4);
      expect(resendAck.seq).toBe(4);
      expect(await producedSeqs()).toEqual([1, 2, 3, 4]);
    });

    it('resend on new connection not produced', async () => {
      await start();
      const { device: first } = await TestDeviceSocket.connect(server.wsUrl, TOKEN);
      first.send({ type: 'pings', pings: pings(1, 3) });
      await first.next('ack');
      first.close();
      await first.closed();

      const { device: second, welcome } = await TestDeviceSocket.connect(server.wsUrl, TOKEN);
      second.send({ type: 'pings', pings: pings(1, 4) });
      const ack = await second.next('ack');

      expect(welcome.lastSeq).toBe(3);
      expect(ack.seq).toBe(4);
      expect(await producedSeqs()).toEqual([1, 2, 3, 4]);
    });

    it('failed produce closes without ack', async () => {
      await start();
      const { device: first } = await TestDeviceSocket.connect(server.wsUrl, TOKEN);
      bus.failNext(new Error('broker down'));

      first.send({ type: 'pings', pings: pings(1, 2) });
      first.send({ type: 'pings', pings: pings(3, 4) });
      const error = await first.next('error');
      const closed = await first.closed();
      const unreadAfterClose = first.unread.length;
      const { device: second, welcome } = await TestDeviceSocket.connect(server.wsUrl, TOKEN);
      second.send({ type: 'pings', pings: pings(1, 4) });
      const ack = await second.next('ack');

      expect(error).toMatchObject({ code: 'unavailable', retriable: true });
      expect(error.message).toContain('failed to store the pings');
      expect(error.message).not.toContain('broker down');
      expect(closed).toEqual({ code: 1013, reason: 'failed to store pings' });
      // The batch queued behind the failed one must not be acked, or the device would drop seqs 1 and 2.
      expect(unreadAfterClose).toBe(0);
      expect(welcome.lastSeq).toBe(0);
      expect(ack.seq).toBe(4);
      expect(await producedSeqs()).toEqual([1, 2, 3, 4]);
    });

    it('failed produce leaves rejected ping unacked', async () => {
      await start();
      const { device } = await TestDeviceSocket.connect(server.wsUrl, TOKEN);
      bus.failNext(new Error('broker down'));

      device.send({ type: 'pings', pings: [ping(1), { ...ping(2), lat: 95 }] });
      expect((await device.next('error')).seq).toBe(2);
      expect((await device.next('error')).code).toBe('unavailable');
      await device.closed();
      const { welcome } = await TestDeviceSocket.connect(server.wsUrl, TOKEN);

      expect(welcome.lastSeq).toBe(0);
    });
  });

  describe('offers', () => {
    it('passes offer-ack to onOfferAck', async () => {
      await start();
      const { device } = await TestDeviceSocket.connect(server.wsUrl, TOKEN);

      device.send({ type: 'offer-ack', offerId: 'offer-7' });
      await waitUntil(() => offerAcks.length === 1, 'onOfferAck is called');

      expect(offerAcks).toEqual([['device-1', 'offer-7']]);
    });

    it('passes order-ack to onOrderAck, rejects a bad one', async () => {
      const acks: Array<[string, string, string]> = [];
      orderAcks = acks;
      await start();
      const { device } = await TestDeviceSocket.connect(server.wsUrl, TOKEN);

      device.send({ type: 'order-ack', orderId: 'not-an-order', status: 'ready' });
      const badId = await device.next('error');
      device.send({ type: 'order-ack', orderId: '6F1C1F8E-3B1A-4A55-9D7E-0C2B5D1E8A11', status: 'eaten' });
      const badStatus = await device.next('error');
      device.send({ type: 'order-ack', orderId: '6F1C1F8E-3B1A-4A55-9D7E-0C2B5D1E8A11', status: 'ready' });
      await waitUntil(() => acks.length === 1, 'onOrderAck is called');

      expect(badId).toMatchObject({ code: 'invalid_input', field: 'orderId', value: 'not-an-order' });
      expect(badStatus).toMatchObject({ code: 'invalid_input', field: 'status', value: 'eaten' });
      expect(acks).toEqual([['device-1', '6f1c1f8e-3b1a-4a55-9d7e-0c2b5d1e8a11', 'ready']]);
    });

    it('passes message-ack to onMessageAck, rejects a bad one', async () => {
      await start();
      const { device } = await TestDeviceSocket.connect(server.wsUrl, TOKEN);

      device.send({ type: 'message-ack', messageId: 'not-a-job' });
      const badId = await device.next('error');
      device.send({ type: 'message-ack', messageId: '0B6E2B4C-9C1D-4F0A-8E57-3D2A1C4B5E6F' });
      await waitUntil(() => messageAcks.length === 1, 'onMessageAck is called');

      expect(badId).toEqual({
        type: 'error',
        code: 'invalid_input',
        message: 'invalid messageId: "not-a-job" (expected the id of a received message, a UUID)',
        field: 'messageId',
        value: 'not-a-job',
      });
      expect(messageAcks).toEqual([['device-1', '0b6e2b4c-9c1d-4f0a-8e57-3d2a1c4b5e6f']]);
      expect(device.isOpen).toBe(true);
    });

    it('rejects message-ack before hello with 4401', async () => {
      await start();
      const device = await TestDeviceSocket.open(server.wsUrl);

      device.send({ type: 'message-ack', messageId: '0b6e2b4c-9c1d-4f0a-8e57-3d2a1c4b5e6f' });
      const error = await device.next('error');
      const closed = await device.closed();

      expect(error).toMatchObject({ code: 'unauthorized', field: 'type', value: 'message-ack' });
      expect(closed.code).toBe(4401);
      expect(messageAcks).toEqual([]);
    });

    it('sendToDevice false when disconnected', async () => {
      await start();

      expect(server.gateway.sendToDevice('device-1', { type: 'offer', offer: offer('offer-1') })).toBe(false);
      expect(server.gateway.isConnected('device-1')).toBe(false);
    });
  });

  describe('lastSeq persistence', () => {
    it('saves lastSeq after the save delay', async () => {
      await start({ seqSaveDelayMs: 20 });
      const { device } = await TestDeviceSocket.connect(server.wsUrl, TOKEN);

      device.send({ type: 'pings', pings: pings(1, 3) });
      device.send({ type: 'pings', pings: pings(4, 9) });
      await device.next('ack');
      await device.next('ack');
      await waitUntil(() => directory.lastSeq('device-1') === 9, 'lastSeq 9 is saved');

      expect(directory.saveCalls).toBe(1);
      expect(device.isOpen).toBe(true);
    });

    it('saves lastSeq at once on disconnect', async () => {
      await start({ seqSaveDelayMs: 60_000 });
      const { device } = await TestDeviceSocket.connect(server.wsUrl, TOKEN);

      device.send({ type: 'pings', pings: pings(1, 4) });
      await device.next('ack');
      const savedBeforeClose = directory.lastSeq('device-1');
      device.close();
      await waitUntil(() => directory.lastSeq('device-1') === 4, 'lastSeq 4 is saved');

      expect(savedBeforeClose).toBe(0);
    });
  });

  describe('shutdown', () => {
    it('stopAccepting finishes only in-flight batches', async () => {
      await start();
      const { device } = await TestDeviceSocket.connect(server.wsUrl, TOKEN);
      const release = bus.hold();
      device.send({ type: 'pings', pings: pings(1, 3) });
      await waitUntil(() => bus.produceCalls === 1, 'the first batch reaches produce');

      let stopped = false;
      const stopping = server.gateway.stopAccepting().then(() => (stopped = true));
      device.send({ type: 'pings', pings: pings(4, 5) });
      const upgrade = TestDeviceSocket.open(server.wsUrl);
      await expect(upgrade).rejects.toThrow('Unexpected server response: 503');
      const stoppedWhileHeld = stopped;
      release();
      await stopping;
      const ack = await device.next('ack');
      const error = await device.next('error');

      expect(stoppedWhileHeld).toBe(false);
      expect(ack.seq).toBe(3);
      expect(error).toMatchObject({ code: 'unavailable', retriable: true });
      expect(await producedSeqs()).toEqual([1, 2, 3]);
      expect(device.isOpen).toBe(true);
    });

    it('close sends 1001 and saves lastSeq', async () => {
      directory.add('device-2', 'token-device-2');
      await start({ seqSaveDelayMs: 60_000 });
      const { device: first } = await TestDeviceSocket.connect(server.wsUrl, TOKEN);
      const { device: second } = await TestDeviceSocket.connect(server.wsUrl, 'token-device-2');
      first.send({ type: 'pings', pings: pings(1, 7) });
      await first.next('ack');

      await server.gateway.close();
      const firstClosed = await first.closed();
      const secondClosed = await second.closed();

      expect(firstClosed).toEqual({ code: 1001, reason: 'server shutting down' });
      expect(secondClosed.code).toBe(1001);
      expect(directory.lastSeq('device-1')).toBe(7);
      expect(server.gateway.connectionCount).toBe(0);
    });
  });

  describe('heartbeat', () => {
    it('terminates socket that sends no pong', async () => {
      await start({ heartbeatIntervalMs: 30 });
      const { device } = await TestDeviceSocket.connect(server.wsUrl, TOKEN);

      // A paused client socket reads nothing, so it never sends a pong for the gateway's pings.
      device.socket.pause();
      await waitUntil(() => server.gateway.connectionCount === 0, 'the gateway drops the silent socket');
      device.socket.resume();

      expect(server.gateway.isConnected('device-1')).toBe(false);
      expect((await device.closed()).code).toBe(1006);
    });
  });
});

describe('IngestGateway logs', () => {
  it('logs device ids, never tokens', async () => {
    const bus = new MemoryBus({ logger: silentLogger() });
    const directory = new MemoryDeviceDirectory();
    const secret = 'secret-token-4f9a';
    directory.add('device-1', secret);
    const { logger, lines } = captureLogs();
    const server = await startTestGateway({ bus, devices: directory, logger });

    try {
      const device = await TestDeviceSocket.open(server.wsUrl);
      device.send(`{"type":"hello","token":"${secret}"`);
      await device.next('error');
      device.send({ type: 'hello', token: 123 });
      await device.next('error');
      device.send({ type: 'hello', token: `${secret}-wrong` });
      await device.next('error');
      await device.closed();
      const { device: valid } = await TestDeviceSocket.connect(server.wsUrl, secret);
      valid.close();
      await waitUntil(() => lines.some((line) => line.msg === 'device disconnected' && line.deviceId === 'device-1'), 'the disconnect is logged');
    } finally {
      await server.close();
      await bus.close();
    }

    expect(lines.some((line) => line.msg === 'device connected' && line.deviceId === 'device-1')).toBe(true);
    expect(lines.some((line) => line.msg === 'rejected invalid device frame' && line.field === 'frame')).toBe(true);
    expect(lines.some((line) => line.msg === 'rejected hello with an unknown device token')).toBe(true);
    expect(JSON.stringify(lines)).not.toContain(secret);
  });
});
