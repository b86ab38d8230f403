/**
 * One process of the device swarm that bench/ingest.ts starts. It registers its
 * devices with `POST /v1/devices`, connects each with the device protocol the SDK
 * speaks (hello with the token, welcome, pings frames, cumulative acks, an offer-ack
 * for each offer), then runs the phases the parent sends over IPC and reports back.
 * It closes its sockets and exits on `close`, on SIGINT or SIGTERM, or when the
 * parent goes away.
 *
 * The SDK keeps a ping buffer, timers and reconnect logic per device. This minimal
 * client keeps only counters, so one process can drive thousands of sockets.
 */
import { performance } from 'node:perf_hooks';
import { WebSocket, type RawData } from 'ws';
import type { GatewayFrame, OfferPayload, WirePing } from '../common/protocol.js';
import { DEVICE_CONNECT_PATH } from '../common/protocol.js';
import { seededRandom } from '../common/seeded-random.js';
import { registerDevice } from '../sdk/register.js';
import { pause } from './deadline.js';
import { approachPoints, buildDevicePath, maxApproachPings, pathIndex, type DevicePath, type LatLon } from './positions.js';
import type { Counts, ProcessUse, SwarmCommand, SwarmErrors, SwarmReport } from './swarm-protocol.js';

const ACCURACY_M = 10;
/** Maximum time from opening a socket to its welcome. The gateway itself closes a socket that sent no hello within 10 s. */
const WELCOME_TIMEOUT_MS = 30_000;
/** Maximum time for the close handshakes of all sockets, after which the remaining sockets are terminated. */
const CLOSE_TIMEOUT_MS = 5_000;
/** Maximum distinct descriptions per error counter. Further ones are counted under "other". */
const MAX_ERROR_KINDS = 50;
const POLL_MS = 20;

interface Device {
  index: number;
  token: string;
  path: DevicePath;
  socket: WebSocket | undefined;
  /** True between the welcome and the close. */
  open: boolean;
  /** Highest seq sent. */
  lastSeq: number;
  ackedSeq: number;
  /** Pings sent so far, which picks the next point of the walk. */
  steps: number;
  /** Pings sent in the current latency phase. */
  latencyPings: number;
  /** Latency-phase ping from which the device walks into its home truck's fence, or -1. */
  enterAt: number;
  /** The points of that walk, once it started. */
  approach: LatLon[] | undefined;
  /** Seqs and send times of measured pings waiting for their ack, oldest first. */
  pendingSeqs: number[];
  pendingSentAt: number[];
  /** Send time of each ping of the walk into the fence, by seq. */
  walkSentAt: Map<number, number>;
}

interface ThroughputPhase {
  kind: 'throughput';
  window: number;
  batch: number;
  running: boolean;
  sent: number;
  frames: number;
  ackedInWindow: number;
}

interface LatencyPhase {
  kind: 'latency';
  /** Pings sent at or after this time (performance.now) are measured. */
  measureFrom: number;
  sent: number;
  skipped: number;
  offersExpected: number;
  offersReceived: number;
  offersUnmatched: number;
  ackLatenciesMs: number[];
  offerLatenciesMs: number[];
}

const errors: SwarmErrors = { registration: {}, connection: {}, errorFrames: {}, closes: {}, socketErrors: {} };
const totals = { acked: 0, rejected: 0, unexpectedOffers: 0 };
const devices: Device[] = [];
let fenceRadiusM = 0;
let phase: ThroughputPhase | LatencyPhase | undefined;
let closing: Promise<void> | undefined;
/** Aborted when the process starts closing, which ends every wait early. */
const shutdown = new AbortController();

// ---------------------------------------------------------------------------
// Setup

async function setup(command: Extract<SwarmCommand, { type: 'setup' }>): Promise<void> {
  fenceRadiusM = command.radiusM;
  const registerStart = performance.now();
  const indexes = Array.from({ length: command.devices }, (_, i) => command.firstDevice + i);
  await forEachConcurrently(indexes, command.registerConcurrency, async (index) => {
    const path = buildDevicePath(index, command.trucks, command.radiusM);
    try {
      const { token } = await registerDevice(command.url, { platform: 'bench' });
      devices.push({
        index,
        token,
        path,
        socket: undefined,
        open: false,
        lastSeq: 0,
        ackedSeq: 0,
        steps: 0,
        latencyPings: 0,
        enterAt: -1,
        approach: undefined,
        pendingSeqs: [],
        pendingSentAt: [],
        walkSentAt: new Map(),
      });
    } catch (error) {
      count(errors.registration, (error as Error).message);
    }
  });
  const registerMs = performance.now() - registerStart;
  // Registrations finish in any order; index order keeps the choice of walkers the same on every run.
  devices.sort((a, b) => a.index - b.index);

  const connectStart = performance.now();
  const socketUrl = `${command.url.replace(/^http/, 'ws')}${DEVICE_CONNECT_PATH}`;
  await forEachConcurrently(devices, command.connectConcurrency, (device) => connect(device, socketUrl));
  const connectMs = performance.now() - connectStart;

  report({
    type: 'ready',
    registered: devices.length,
    connected: devices.filter((device) => device.open).length,
    registerMs: Math.round(registerMs),
    connectMs: Math.round(connectMs),
    ...snapshotTotals(),
  });
}

/** Opens the device's socket and sends hello. Resolves once the welcome arrived or the attempt failed. */
function connect(device: Device, socketUrl: string): Promise<void> {
  return new Promise((resolve) => {
    const socket = new WebSocket(socketUrl, { perMessageDeflate: false, handshakeTimeout: WELCOME_TIMEOUT_MS });
    device.socket = socket;
    let welcomed = false;
    /** Why the attempt failed, counted once when the socket closes before the welcome. */
    let failure: string | undefined;
    const settle = () => {
      clearTimeout(timer);
      resolve();
    };
    const timer = setTimeout(() => {
      failure ??= `no welcome within ${WELCOME_TIMEOUT_MS} ms`;
      socket.terminate();
    }, WELCOME_TIMEOUT_MS);

    socket.on('open', () => socket.send(JSON.stringify({ type: 'hello', token: device.token })));
    socket.on('message', (data: RawData) => {
      const frame = JSON.parse(data.toString()) as GatewayFrame;
      if (frame.type === 'welcome' && !welcomed) {
        welcomed = true;
        device.open = true;
        device.lastSeq = frame.lastSeq;
        device.ackedSeq = frame.lastSeq;
        settle();
        return;
      }
      handleFrame(device, frame);
    });
    socket.on('error', (error: NodeJS.ErrnoException) => {
      if (welcomed) count(errors.socketErrors, error.code ?? error.message);
      else failure ??= error.code ?? error.message;
    });
    socket.on('close', (code: number, reason: Buffer) => {
      device.open = false;
      if (!welcomed) {
        count(errors.connection, failure ?? `closed with ${code} before the welcome`);
        settle();
      } else if (closing === undefined) {
        count(errors.closes, `${code} ${reason.toString()}`.trim());
      }
    });
  });
}

// ---------------------------------------------------------------------------
// Frames from the gateway

function handleFrame(device: Device, frame: GatewayFrame): void {
  switch (frame.type) {
    case 'ack':
      handleAck(device, frame.seq);
      return;
    case 'offer':
      handleOffer(device, frame.offer);
      return;
    case 'error':
      count(errors.errorFrames, frame.field === undefined ? frame.code : `${frame.code} ${frame.field}`);
      if (frame.seq !== undefined) totals.rejected += 1;
      return;
    case 'welcome':
      count(errors.errorFrames, 'second welcome on one socket');
      return;
  }
}

// ack: every ping up to seq was produced to the bus or rejected with an error frame.
function handleAck(device: Device, seq: number): void {
  if (seq <= device.ackedSeq) return;
  const newlyAcked = seq - device.ackedSeq;
  device.ackedSeq = seq;
  totals.acked += newlyAcked;

  if (phase?.kind === 'throughput' && phase.running) {
    phase.ackedInWindow += newlyAcked;
    topUp(device, phase);
  } else if (phase?.kind === 'latency') {
    const now = performance.now();
    while (device.pendingSeqs.length > 0 && device.pendingSeqs[0]! <= seq) {
      device.pendingSeqs.shift();
      phase.ackLatenciesMs.push(now - device.pendingSentAt.shift()!);
    }
  }
}

// offer: the device replies with offer-ack, as the SDK does, so delivery records the push as delivered.
function handleOffer(device: Device, offer: OfferPayload): void {
  const now = performance.now();
  device.socket?.send(JSON.stringify({ type: 'offer-ack', offerId: offer.offerId }));

  if (phase?.kind !== 'latency') {
    totals.unexpectedOffers += 1;
    return;
  }
  const sentAt = device.walkSentAt.get(offer.ping.seq);
  if (sentAt === undefined) {
    phase.offersUnmatched += 1;
    return;
  }
  phase.offersReceived += 1;
  if (sentAt >= phase.measureFrom) phase.offerLatenciesMs.push(now - sentAt);
}

/**
 * Sends `count` pings in one frame and returns the send time: the next points of the
 * device's walk outside the fences, or `at` for each.
 */
function sendPings(device: Device, count: number, at?: LatLon): number {
  const ts = Date.now();
  const pings: WirePing[] = [];
  for (let i = 0; i < count; i++) {
    let point = at;
    if (point === undefined) {
      const index = pathIndex(device.steps++) * 2;
      point = { lat: device.path.outside[index]!, lon: device.path.outside[index + 1]! };
    }
    pings.push({ seq: ++device.lastSeq, lat: point.lat, lon: point.lon, accuracy: ACCURACY_M, ts });
  }

  const sentAt = performance.now();
  device.socket!.send(JSON.stringify({ type: 'pings', pings }));
  return sentAt;
}

// ---------------------------------------------------------------------------
// Throughput phase: each device keeps `window` pings unacknowledged, in frames of up to `batch`.

function topUp(device: Device, current: ThroughputPhase): void {
  if (!device.open) return;
  let unacked = device.lastSeq - device.ackedSeq;
  while (unacked < current.window) {
    const count = Math.min(current.batch, current.window - unacked);
    sendPings(device, count);
    current.sent += count;
    current.frames += 1;
    unacked += count;
  }
}

async function runThroughput(command: Extract<SwarmCommand, { type: 'throughput' }>): Promise<void> {
  const current: ThroughputPhase = { kind: 'throughput', window: command.window, batch: command.batch, running: true, sent: 0, frames: 0, ackedInWindow: 0 };
  const usage = startUsage();
  phase = current;
  for (const device of devices) topUp(device, current);

  await sleep(command.seconds * 1000);
  current.running = false;
  const client = usage();

  await waitUntil(() => devices.every((device) => !device.open || device.ackedSeq === device.lastSeq), command.drainMs);
  phase = undefined;
  report({
    type: 'throughput-done',
    sent: current.sent,
    frames: current.frames,
    ackedInWindow: current.ackedInWindow,
    unackedAtEnd: devices.reduce((sum, device) => sum + (device.open ? device.lastSeq - device.ackedSeq : 0), 0),
    client,
    ...snapshotTotals(),
  });
}

// ---------------------------------------------------------------------------
// Latency phase: pings at a paced rate, one per frame, round robin over the devices.

async function runLatency(command: Extract<SwarmCommand, { type: 'latency' }>): Promise<void> {
  const open = devices.filter((device) => device.open);
  // Turn t goes to device t mod n, so every device gets turnsPerDevice turns, and the first few one more.
  const turns = open.length === 0 ? 0 : Math.floor(command.seconds * command.rate);
  const turnsPerDevice = open.length === 0 ? 0 : Math.floor(turns / open.length);
  const warmupTurns = open.length === 0 ? 0 : Math.ceil((command.warmupSeconds * command.rate) / open.length);

  // Walkers start walking in at a random turn after the warm-up, early enough to arrive
  // before the phase ends, so their offers spread over the measured part.
  const lastStart = turnsPerDevice - maxApproachPings(fenceRadiusM);
  const random = seededRandom(open[0]?.index ?? 0);
  for (const device of open) {
    device.latencyPings = 0;
    device.pendingSeqs = [];
    device.pendingSentAt = [];
    device.walkSentAt.clear();
    device.approach = undefined;
    const walks = lastStart > warmupTurns && random() < command.offerShare;
    device.enterAt = walks ? warmupTurns + Math.floor(random() * (lastStart - warmupTurns)) : -1;
  }

  const start = performance.now();
  const current: LatencyPhase = {
    kind: 'latency',
    measureFrom: start + command.warmupSeconds * 1000,
    sent: 0,
    skipped: 0,
    offersExpected: 0,
    offersReceived: 0,
    offersUnmatched: 0,
    ackLatenciesMs: [],
    offerLatenciesMs: [],
  };
  const usage = startUsage();
  phase = current;

  let turn = 0;
  await new Promise<void>((resolve) => {
    const tick = () => {
      const due = Math.min(turns, Math.floor(((performance.now() - start) / 1000) * command.rate));
      for (; turn < due; turn++) takeTurn(open[turn % open.length]!, current, command.window);
      if (turn >= turns || closing !== undefined) {
        clearInterval(timer);
        resolve();
      }
    };
    const timer = setInterval(tick, 1);
  });
  const client = usage();

  const settled = () => current.offersReceived + current.offersUnmatched >= current.offersExpected && open.every((device) => !device.open || device.pendingSeqs.length === 0);
  await waitUntil(settled, command.settleMs);
  phase = undefined;
  report({
    type: 'latency-done',
    sent: current.sent,
    skipped: current.skipped,
    offersExpected: current.offersExpected,
    offersReceived: current.offersReceived,
    offersUnmatched: current.offersUnmatched,
    ackLatenciesMs: current.ackLatenciesMs.map(roundMicroseconds),
    offerLatenciesMs: current.offerLatenciesMs.map(roundMicroseconds),
    unackedAtEnd: open.reduce((sum, device) => sum + device.pendingSeqs.length, 0),
    client,
    ...snapshotTotals(),
  });
}

function takeTurn(device: Device, current: LatencyPhase, window: number): void {
  if (!device.open || device.lastSeq - device.ackedSeq >= window) {
    current.skipped += 1;
    return;
  }

  const turn = device.latencyPings++;
  const walking = device.enterAt >= 0 && turn >= device.enterAt;
  if (walking && device.approach === undefined) {
    const last = pathIndex(Math.max(0, device.steps - 1)) * 2;
    const from = { lat: device.path.outside[last]!, lon: device.path.outside[last + 1]! };
    device.approach = approachPoints(from, device.path.home, fenceRadiusM);
    current.offersExpected += 1;
  }

  const at = walking ? device.approach![Math.min(turn - device.enterAt, device.approach!.length - 1)] : undefined;
  const sentAt = sendPings(device, 1, at);
  current.sent += 1;

  if (sentAt >= current.measureFrom) {
    device.pendingSeqs.push(device.lastSeq);
    device.pendingSentAt.push(sentAt);
  }
  if (walking) device.walkSentAt.set(device.lastSeq, sentAt);
}

// ---------------------------------------------------------------------------
// Shutdown

function close(): Promise<void> {
  closing ??= (async () => {
    shutdown.abort();
    const sockets = devices.flatMap((device) => (device.socket && device.socket.readyState !== WebSocket.CLOSED ? [device.socket] : []));
    const closed = sockets.map((socket) => new Promise<void>((resolve) => socket.once('close', () => resolve())));
    for (const socket of sockets) socket.close(1000, 'benchmark done');

    let timer: NodeJS.Timeout | undefined;
    const allClosed = Promise.all(closed).then(() => true);
    const timedOut = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), CLOSE_TIMEOUT_MS)));
    const closedInTime = await Promise.race([allClosed, timedOut]);
    clearTimeout(timer);
    if (!closedInTime) {
      for (const socket of sockets) socket.terminate();
      await allClosed;
    }

    report({ type: 'closed', unexpectedOffers: totals.unexpectedOffers, ...snapshotTotals() });
    if (process.connected) process.disconnect();
  })();
  return closing;
}

// ---------------------------------------------------------------------------
// Helpers

function report(message: SwarmReport): void {
  if (process.connected) process.send?.(message);
}

function snapshotTotals(): { acked: number; rejected: number; errors: SwarmErrors } {
  return { acked: totals.acked, rejected: totals.rejected, errors };
}

function count(counts: Counts, description: string): void {
  const key = description in counts || Object.keys(counts).length < MAX_ERROR_KINDS ? description : 'other';
  counts[key] = (counts[key] ?? 0) + 1;
}

/** Returns a function that measures this process's CPU and event-loop use since the call. */
function startUsage(): () => ProcessUse {
  const cpu = process.cpuUsage();
  const eventLoop = performance.eventLoopUtilization();
  const start = performance.now();
  return () => {
    const used = process.cpuUsage(cpu);
    const wallMs = performance.now() - start;
    return {
      cpuPercent: Math.round(((used.user + used.system) / 1000 / wallMs) * 1000) / 10,
      eventLoopUtilization: Math.round(performance.eventLoopUtilization(eventLoop).utilization * 1000) / 1000,
    };
  };
}

function roundMicroseconds(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}

/** Resolves after `ms`, or at once when the process starts closing. */
function sleep(ms: number): Promise<void> {
  return pause(ms, shutdown.signal).catch(() => undefined);
}

/** Resolves once `done()` is true or `timeoutMs` passed, whichever is first. */
async function waitUntil(done: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!done() && performance.now() < deadline && closing === undefined) await sleep(POLL_MS);
}

async function forEachConcurrently<T>(items: T[], concurrency: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const lanes = Array.from({ length: Math.min(concurrency, items.length) }, async () => {
    while (next < items.length && closing === undefined) await work(items[next++]!);
  });
  await Promise.all(lanes);
}

// ---------------------------------------------------------------------------
// Commands from the parent

async function handleCommand(command: SwarmCommand): Promise<void> {
  switch (command.type) {
    case 'setup':
      return setup(command);
    case 'throughput':
      return runThroughput(command);
    case 'latency':
      return runLatency(command);
    case 'close':
      return close();
  }
}

process.on('message', (command: SwarmCommand) => {
  handleCommand(command).catch((error: unknown) => {
    report({ type: 'failed', message: error instanceof Error ? (error.stack ?? error.message) : String(error) });
  });
});
process.on('SIGINT', () => void close());
process.on('SIGTERM', () => void close());
process.on('disconnect', () => void close());
