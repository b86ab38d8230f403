import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MemoryBus } from '../bus/memory-log.js';
import { silentLogger } from '../common/logger.js';
import type { WirePing } from '../common/protocol.js';
import { TestDeviceSocket } from './test-client.js';
import { collectPings, MemoryDeviceDirectory, startTestGateway, type TestGateway } from './test-server.js';

const NOW = Date.UTC(2025, 5, 1, 12, 0, 0);
const TOKEN = 'token-device-1';
const OVERSIZED_FRAME = JSON.stringify({ type: 'pings', pings: [], padding: 'x'.repeat(300_000) });

function ping(seq: number, overrides: Partial<Record<keyof WirePing, unknown>> = {}): Record<string, unknown> {
  return { seq, lat: 52.52, lon: 13.405, accuracy: 12, ts: NOW - 1_000, ...overrides };
}

describe('ingest gateway with invalid frames', () => {
  let bus: MemoryBus;
  let directory: MemoryDeviceDirectory;
  let server: TestGateway;
  let collected: Awaited<ReturnType<typeof collectPings>>;

  beforeEach(async () => {
    bus = new MemoryBus({ logger: silentLogger() });
    directory = new MemoryDeviceDirectory();
    directory.add('device-1', TOKEN);
    server = await startTestGateway({ bus, devices: directory, now: () => NOW });
    collected = await collectPings(bus);
  });

  afterEach(async () => {
    await collected.stop();
    await server.close();
    await bus.close();
  });

  /** Sends a valid ping with `seq` and checks that it is acked and reaches the bus. */
  async function expectUsable(device: TestDeviceSocket, seq: number): Promise<void> {
    device.send({ type: 'pings', pings: [ping(seq)] });
    expect(await device.next('ack')).toEqual({ type: 'ack', seq });
    await bus.drain();
    expect(collected.records.map((record) => record.seq)).toContain(seq);
    expect(device.isOpen).toBe(true);
  }

  const frameCases: Array<{ name: string; frame: unknown; binary?: boolean; code: string; field: string; value: unknown; message: string }> = [
    { name: 'non-JSON text', frame: 'not json', code: 'invalid_input', field: 'frame', value: 'not json', message: 'invalid frame: "not json" (expected JSON text' },
    { name: 'binary message', frame: Buffer.from('{"type":"pings","pings":[]}'), binary: true, code: 'invalid_input', field: 'frame', value: 'binary', message: 'invalid frame: binary message of 27 bytes (expected JSON text)' },
    { name: 'JSON array', frame: '[1,2]', code: 'invalid_input', field: 'frame', value: '[1,2]', message: 'invalid frame: [1,2] (expected a JSON object with a "type" field)' },
    { name: 'unknown type', frame: { type: 'bogus' }, code: 'invalid_input', field: 'type', value: 'bogus', message: 'invalid type: "bogus" (expected one of "hello", "pings", "offer-ack", "order-ack", "message-ack")' },
    { name: 'missing type', frame: { pings: [] }, code: 'invalid_input', field: 'type', value: undefined, message: 'invalid type: missing (expected one of' },
    { name: 'pings not an array', frame: { type: 'pings', pings: { seq: 1 } }, code: 'invalid_input', field: 'pings', value: '{"seq":1}', message: 'invalid pings: {"seq":1} (expected an array of pings)' },
    {
      name: 'too many pings',
      frame: { type: 'pings', pings: Array.from({ length: 501 }, (_, i) => ping(i + 1)) },
      code: 'payload_too_large',
      field: 'pings',
      value: 501,
      message: 'invalid pings: 501 pings (expected at most 500 per frame)',
    },
    {
      name: 'frame too large',
      frame: OVERSIZED_FRAME,
      code: 'payload_too_large',
      field: 'frame',
      value: OVERSIZED_FRAME.length,
      message: `invalid frame: ${OVERSIZED_FRAME.length} bytes (expected at most 262144 bytes`,
    },
    { name: 'offer-ack without offerId', frame: { type: 'offer-ack' }, code: 'invalid_input', field: 'offerId', value: undefined, message: 'invalid offerId: missing' },
    {
      name: 'message-ack without messageId',
      frame: { type: 'message-ack' },
      code: 'invalid_input',
      field: 'messageId',
      value: undefined,
      message: 'invalid messageId: missing (expected the id of a received message, a UUID)',
    },
    {
      name: 'message-ack with a messageId that is not a UUID',
      frame: { type: 'message-ack', messageId: 'job-17' },
      code: 'invalid_input',
      field: 'messageId',
      value: 'job-17',
      message: 'invalid messageId: "job-17" (expected the id of a received message, a UUID)',
    },
    { name: 'message-ack with a numeric messageId', frame: { type: 'message-ack', messageId: 17 }, code: 'invalid_input', field: 'messageId', value: 17, message: 'invalid messageId: 17' },
    { name: 'second hello', frame: { type: 'hello', token: TOKEN }, code: 'invalid_input', field: 'type', value: 'hello', message: 'invalid type: "hello"' },
  ];

  for (const testCase of frameCases) {
    it(`rejects ${testCase.name} and stays usable`, async () => {
      const { device } = await TestDeviceSocket.connect(server.wsUrl, TOKEN);

      device.send(testCase.frame, { binary: testCase.binary });
      const error = await device.next('error');

      expect(error.code).toBe(testCase.code);
      expect(error.field).toBe(testCase.field);
      expect(error.value).toEqual(testCase.value);
      expect(error.message).toContain(testCase.message);
      expect(error.seq).toBeUndefined();
      await expectUsable(device, 1);
    });
  }

  const pingCases: Array<{ name: string; ping: Record<string, unknown>; field: string; value: unknown; message: string }> = [
    { name: 'lat 91', ping: ping(1, { lat: 91 }), field: 'pings.0.lat', value: 91, message: 'invalid pings.0.lat: 91 (expected a number from -90 to 90)' },
    { name: 'lon -181', ping: ping(1, { lon: -181 }), field: 'pings.0.lon', value: -181, message: 'invalid pings.0.lon: -181 (expected a number from -180 to 180)' },
    { name: 'lat "NaN"', ping: ping(1, { lat: 'NaN' }), field: 'pings.0.lat', value: 'NaN', message: 'invalid pings.0.lat: "NaN" (expected a number from -90 to 90)' },
    { name: 'missing lon', ping: ping(1, { lon: undefined }), field: 'pings.0.lon', value: undefined, message: 'invalid pings.0.lon: missing' },
    { name: 'accuracy -1', ping: ping(1, { accuracy: -1 }), field: 'pings.0.accuracy', value: -1, message: 'invalid pings.0.accuracy: -1 (expected a radius in metres from 0 to 100000)' },
    { name: 'accuracy above 100 km', ping: ping(1, { accuracy: 100_001 }), field: 'pings.0.accuracy', value: 100_001, message: 'invalid pings.0.accuracy: 100001' },
    {
      name: 'ts 10 minutes ahead',
      ping: ping(1, { ts: NOW + 10 * 60_000 }),
      field: 'pings.0.ts',
      value: NOW + 10 * 60_000,
      message: `invalid pings.0.ts: ${NOW + 10 * 60_000} (expected an integer time in ms since the epoch from ${NOW - 7 * 86_400_000} to ${NOW + 300_000}`,
    },
    { name: 'ts 8 days old', ping: ping(1, { ts: NOW - 8 * 86_400_000 }), field: 'pings.0.ts', value: NOW - 8 * 86_400_000, message: `invalid pings.0.ts: ${NOW - 8 * 86_400_000}` },
    { name: 'ts fractional', ping: ping(1, { ts: NOW - 0.5 }), field: 'pings.0.ts', value: NOW - 0.5, message: `invalid pings.0.ts: ${NOW - 0.5}` },
  ];

  for (const testCase of pingCases) {
    it(`rejects ping with ${testCase.name} and acks its seq`, async () => {
      const { device } = await TestDeviceSocket.connect(server.wsUrl, TOKEN);

      device.send({ type: 'pings', pings: [testCase.ping] });
      const error = await device.next('error');
      const ack = await device.next('ack');

      expect(error.code).toBe('invalid_input');
      expect(error.field).toBe(testCase.field);
      expect(error.value).toEqual(testCase.value);
      expect(error.message).toContain(testCase.message);
      expect(error.seq).toBe(1);
      expect(ack.seq).toBe(1);
      await bus.drain();
      expect(collected.records).toEqual([]);
      await expectUsable(device, 2);
    });
  }

  const seqCases: Array<{ name: string; seq: unknown; value: unknown }> = [
    { name: 'fractional', seq: 1.5, value: 1.5 },
    { name: 'zero', seq: 0, value: 0 },
    { name: 'negative', seq: -3, value: -3 },
    { name: 'a string', seq: '1', value: '1' },
    { name: 'above the safe integer range', seq: 2 ** 53, value: 2 ** 53 },
  ];

  for (const testCase of seqCases) {
    it(`rejects ping whose seq is ${testCase.name}`, async () => {
      const { device } = await TestDeviceSocket.connect(server.wsUrl, TOKEN);

      device.send({ type: 'pings', pings: [ping(0, { seq: testCase.seq })] });
      const error = await device.next('error');

      expect(error.field).toBe('pings.0.seq');
      expect(error.value).toEqual(testCase.value);
      expect(error.message).toContain('(expected a positive safe integer)');
      expect(error.seq).toBeUndefined();
      // No seq was valid, so there is nothing to ack: the next frame is the ack of the valid batch.
      await expectUsable(device, 1);
    });
  }

  it('rejects ping that is not an object', async () => {
    const { device } = await TestDeviceSocket.connect(server.wsUrl, TOKEN);

    device.send({ type: 'pings', pings: [null] });
    const error = await device.next('error');

    expect(error.field).toBe('pings.0');
    expect(error.value).toBeNull();
    expect(error.message).toBe('invalid pings.0: null (expected an object with seq, lat, lon, accuracy and ts)');
    await expectUsable(device, 1);
  });

  it('rejects seq out of order within a frame', async () => {
    const { device } = await TestDeviceSocket.connect(server.wsUrl, TOKEN);

    device.send({ type: 'pings', pings: [ping(5), ping(3)] });
    const error = await device.next('error');
    const ack = await device.next('ack');

    expect(error.field).toBe('pings.1.seq');
    expect(error.value).toBe(3);
    expect(error.message).toBe('invalid pings.1.seq: 3 (expected a seq greater than 5, the previous seq in this frame)');
    expect(ack.seq).toBe(5);
    await bus.drain();
    expect(collected.records.map((record) => record.seq)).toEqual([5]);
  });

  it('produces only the valid pings of a mixed batch', async () => {
    const { device } = await TestDeviceSocket.connect(server.wsUrl, TOKEN);

    device.send({
      type: 'pings',
      pings: [ping(1), ping(2, { lat: 91 }), ping(3), ping(4, { accuracy: -1 }), ping(5)],
    });
    const firstError = await device.next('error');
    const secondError = await device.next('error');
    const ack = await device.next('ack');

    expect(firstError.seq).toBe(2);
    expect(firstError.field).toBe('pings.1.lat');
    expect(secondError.seq).toBe(4);
    expect(secondError.field).toBe('pings.3.accuracy');
    expect(ack.seq).toBe(5);
    await bus.drain();
    expect(collected.records.map((record) => record.seq)).toEqual([1, 3, 5]);
    expect(collected.records[0]).toEqual({ ...ping(1), deviceId: 'device-1', receivedAt: NOW });
  });

  it('drops unknown ping fields from the record', async () => {
    const { device } = await TestDeviceSocket.connect(server.wsUrl, TOKEN);

    device.send({ type: 'pings', pings: [ping(1, { extra: 'x' } as Record<string, unknown>)] });
    await device.next('ack');

    await bus.drain();
    expect(Object.keys(collected.records[0]!).sort()).toEqual(['accuracy', 'deviceId', 'lat', 'lon', 'receivedAt', 'seq', 'ts']);
  });

  it('accepts boundary values', async () => {
    const { device } = await TestDeviceSocket.connect(server.wsUrl, TOKEN);

    device.send({
      type: 'pings',
      pings: [
        ping(1, { lat: 90, lon: 180, accuracy: 0 }),
        ping(2, { lat: -90, lon: -180, accuracy: 100_000 }),
        ping(3, { ts: NOW + 300_000 }),
        ping(4, { ts: NOW - 7 * 86_400_000 }),
      ],
    });

    expect(await device.next('ack')).toEqual({ type: 'ack', seq: 4 });
    await bus.drain();
    expect(collected.records.map((record) => record.seq)).toEqual([1, 2, 3, 4]);
  });

  const helloCases: Array<{ name: string; frame: Record<string, unknown>; value: unknown; message: string }> = [
    { name: 'missing token', frame: { type: 'hello' }, value: undefined, message: 'invalid token: missing (expected the non-empty device token' },
    { name: 'empty token', frame: { type: 'hello', token: '' }, value: '', message: 'invalid token: "" (expected the non-empty device token' },
    { name: 'numeric token', frame: { type: 'hello', token: 42 }, value: 42, message: 'invalid token: 42 (expected' },
    { name: 'oversized token', frame: { type: 'hello', token: 's'.repeat(600) }, value: '600 characters', message: 'invalid token: a string of 600 characters (expected at most 512 characters)' },
  ];

  for (const testCase of helloCases) {
    it(`rejects hello with ${testCase.name} and accepts a valid hello after it`, async () => {
      const device = await TestDeviceSocket.open(server.wsUrl);

      device.send(testCase.frame);
      const error = await device.next('error');
      device.send({ type: 'hello', token: TOKEN });
      const welcome = await device.next('welcome');

      expect(error.code).toBe('invalid_input');
      expect(error.field).toBe('token');
      expect(error.value).toEqual(testCase.value);
      expect(error.message).toContain(testCase.message);
      expect(welcome).toEqual({ type: 'welcome', deviceId: 'device-1', lastSeq: 0 });
      await expectUsable(device, 1);
    });
  }
});

describe('ingest gateway with a run of invalid frames', () => {
  it('closes with 1008 after the limit of consecutive invalid frames', async () => {
    const bus = new MemoryBus({ logger: silentLogger() });
    const directory = new MemoryDeviceDirectory();
    directory.add('device-1', TOKEN);
    const server = await startTestGateway({ bus, devices: directory, limits: { maxConsecutiveInvalidFrames: 5 } });
    try {
      const { device } = await TestDeviceSocket.connect(server.wsUrl, TOKEN);

      // A valid frame in between resets the count.
      for (let i = 0; i < 4; i++) device.send('garbage');
      device.send({ type: 'pings', pings: [] });
      for (let i = 0; i < 5; i++) device.send('garbage');
      for (let i = 0; i < 9; i++) expect((await device.next('error')).field).toBe('frame');
      const closed = await device.closed();

      expect(closed).toEqual({ code: 1008, reason: 'too many invalid frames' });
    } finally {
      await server.close();
      await bus.close();
    }
  });
});
