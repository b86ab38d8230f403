/**
 * Device swarm benchmark of the ingest path: thousands of WebSocket devices stream
 * pings through the gateway, the in-process bus and the engine of one Cloudburst
 * process on the embedded defaults, and receive offers back. Prints one JSON line.
 *
 *   npm run bench:ingest                       # 20,000 devices
 *   npm run bench:ingest -- --devices 2000 --seconds 5 --latency-seconds 5
 *
 * The server runs in a child process on 127.0.0.1 with a fresh temporary data dir,
 * the devices in further child processes (bench/swarm-worker.ts). Run --help for the
 * phases and options.
 */
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { percentile } from '../demo/stats.js';
import { pause, withDeadline } from './deadline.js';
import { createLunchCampaign } from './fixtures.js';
import { describeMachine, type MachineInfo } from './machine.js';
import { startServerGroup, type ServerGroup } from './server-group.js';
import { serverInterval, type ServerProcess } from './server-process.js';
import { Swarm } from './swarm.js';
import type { Counts, SwarmCommand, SwarmErrors, SwarmReport } from './swarm-protocol.js';

const HELP = `Usage: npm run bench:ingest -- [options]

Starts Cloudburst on the embedded defaults on 127.0.0.1, creates the approved trucks
of the SF permit file and a campaign around them, connects a swarm of WebSocket
devices, then runs two timed phases and prints one JSON line:

  latency     a paced total ping rate, one ping per frame; a share of the devices
              walks into a truck's fence once. Measures send-to-ack and send-to-offer
              latency at the device.
  throughput  every device keeps a window of unacknowledged pings and sends more
              as acks arrive. Measures pings acknowledged per second and pings
              the engine processed per second.

Options:
  --devices N          concurrent device sockets (default 20000)
  --seconds S          length of the throughput phase (default 20)
  --window N           unacknowledged pings per device: the throughput phase keeps this
                       many in flight; in the latency phase a device with this many
                       skips its turn (default 10)
  --batch N            pings per frame in the throughput phase (default 10)
  --rate N             total pings per second in the latency phase (default 20000)
  --latency-seconds S  length of the latency phase, warm-up included (default 20)
  --warmup S           unmeasured seconds at the start of the latency phase (default 2)
  --offer-share F      share of devices that walk into a fence in the latency phase (default 0.1)
  --radius M           campaign fence radius in metres (default 200)
  --clients N          device processes (default: the number of CPUs, or more
                       when the open-file limit requires it)
  --phases LIST        phases to run, in order (default latency,throughput)
  --servers N          server processes sharing the devices (default 1). More than one
                       share a Kafka cluster and a PostgreSQL database: set KAFKA_BROKERS
                       and DATABASE_URL (npm run services:start && . .services/env)
`;

const TARGET_PINGS_PER_SECOND = 100_000;
const TARGET_OFFER_P99_MS = 10;

/**
 * Open files the server process needs besides one per device: the listening socket,
 * the store's files, stdio and IPC, and the registration requests' sockets. About 100
 * were open with 1,000 devices.
 */
const SERVER_FILE_RESERVE = 512;
/** Open files a swarm process needs besides one per device. */
const CLIENT_FILE_RESERVE = 256;
/** Device registrations in flight over all swarm processes. The embedded store runs one statement at a time, so more only queue. */
const REGISTER_CONCURRENCY = 32;
/** WebSocket handshakes in flight over all swarm processes, below Node's default listen backlog of 511 connections. */
const CONNECT_CONCURRENCY = 256;
const SETUP_TIMEOUT_MS = 120_000;
const SETUP_TIMEOUT_PER_DEVICE_MS = 10;
const THROUGHPUT_DRAIN_MS = 30_000;
const LATENCY_SETTLE_MS = 10_000;
/** Slack above a phase's own length and drain time before the parent gives up on its reports. */
const PHASE_SLACK_MS = 60_000;
const ENGINE_CATCH_UP_TIMEOUT_MS = 120_000;
const ENGINE_POLL_MS = 100;

type PhaseName = 'latency' | 'throughput';

interface IngestOptions {
  devices: number;
  seconds: number;
  window: number;
  batch: number;
  rate: number;
  latencySeconds: number;
  warmupSeconds: number;
  offerShare: number;
  radiusM: number;
  clients: number | undefined;
  servers: number;
  phases: PhaseName[];
}

// ---------------------------------------------------------------------------
// Options and limits

function parseOptions(argv: string[]): IngestOptions | undefined {
  const { values } = parseArgs({
    args: argv,
    options: {
      devices: { type: 'string', default: '20000' },
      seconds: { type: 'string', default: '20' },
      window: { type: 'string', default: '10' },
      batch: { type: 'string', default: '10' },
      rate: { type: 'string', default: '20000' },
      'latency-seconds': { type: 'string', default: '20' },
      warmup: { type: 'string', default: '2' },
      'offer-share': { type: 'string', default: '0.1' },
      radius: { type: 'string', default: '200' },
      clients: { type: 'string' },
      servers: { type: 'string', default: '1' },
      phases: { type: 'string', default: 'latency,throughput' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) return undefined;

  const phases = values.phases!.split(',').map((phase) => phase.trim());
  for (const phase of phases) {
    if (phase !== 'latency' && phase !== 'throughput') throw new Error(`invalid --phases: ${JSON.stringify(phase)} (expected latency, throughput or both, comma-separated)`);
  }
  const options: IngestOptions = {
    devices: positiveInteger('--devices', values.devices!),
    seconds: positiveNumber('--seconds', values.seconds!),
    window: positiveInteger('--window', values.window!),
    batch: positiveInteger('--batch', values.batch!),
    rate: positiveNumber('--rate', values.rate!),
    latencySeconds: positiveNumber('--latency-seconds', values['latency-seconds']!),
    warmupSeconds: nonNegativeNumber('--warmup', values.warmup!),
    offerShare: nonNegativeNumber('--offer-share', values['offer-share']!),
    radiusM: positiveNumber('--radius', values.radius!),
    clients: values.clients === undefined ? undefined : positiveInteger('--clients', values.clients),
    servers: positiveInteger('--servers', values.servers!),
    phases: phases as PhaseName[],
  };
  if (options.offerShare > 1) throw new Error(`invalid --offer-share: ${options.offerShare} (expected a share from 0 to 1)`);
  if (options.warmupSeconds >= options.latencySeconds) {
    throw new Error(`invalid --warmup: ${options.warmupSeconds} s (expected less than --latency-seconds, ${options.latencySeconds} s)`);
  }
  return options;
}

function positiveInteger(flag: string, raw: string): number {
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value <= 0) throw new Error(`invalid ${flag}: ${JSON.stringify(raw)} (expected a positive integer)`);
  return value;
}

function positiveNumber(flag: string, raw: string): number {
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`invalid ${flag}: ${JSON.stringify(raw)} (expected a positive number)`);
  return value;
}

function nonNegativeNumber(flag: string, raw: string): number {
  const value = Number(raw);
  if (!Number.isFinite(value) || value < 0) throw new Error(`invalid ${flag}: ${JSON.stringify(raw)} (expected a number of at least 0)`);
  return value;
}

/**
 * Returns the number of swarm processes, after checking that the server process can
 * keep every device socket open and that the loopback ports suffice. Each process has
 * its own open-file limit, so more swarm processes can open more sockets, but the
 * server process has one socket per device.
 */
function planSwarm(options: IngestOptions, machine: MachineInfo): number {
  const hardLimit = machine.openFilesHardLimit ?? Infinity;
  const serverNeeds = Math.ceil(options.devices / options.servers) + SERVER_FILE_RESERVE;
  if (serverNeeds > hardLimit) {
    throw new Error(
      `--devices ${options.devices} needs about ${serverNeeds} open files in the server process, but the hard limit (ulimit -Hn) is ${hardLimit}. ` +
        `Raise it before the run (as root: ulimit -n ${Math.max(65_536, serverNeeds)}), pass --devices ${Math.max(1, (hardLimit - SERVER_FILE_RESERVE) * options.servers)} or fewer, or spread them over more --servers.`,
    );
  }

  const ports = loopbackPortCount();
  if (ports !== undefined && options.devices + REGISTER_CONCURRENCY > ports) {
    throw new Error(
      `--devices ${options.devices} needs that many local ports towards the server ports, but net.ipv4.ip_local_port_range has ${ports}. ` +
        `Widen it (as root: sysctl -w net.ipv4.ip_local_port_range="1024 65000") or pass fewer --devices.`,
    );
  }

  const minimum = Math.ceil(options.devices / (hardLimit - CLIENT_FILE_RESERVE));
  // Each swarm process connects to one server, so every server needs at least one.
  const processes = options.clients ?? Math.max(os.availableParallelism(), minimum, options.servers);
  if (processes < minimum) {
    throw new Error(`invalid --clients: ${processes} (expected at least ${minimum}, because each process may hold at most ${hardLimit - CLIENT_FILE_RESERVE} sockets)`);
  }
  return Math.min(processes, options.devices);
}

/** Size of Linux's ephemeral port range, or undefined on other systems. */
function loopbackPortCount(): number | undefined {
  try {
    const [low, high] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/).map(Number);
    return low !== undefined && high !== undefined ? high - low + 1 : undefined;
  } catch {
    // Not Linux: the check is skipped.
    return undefined;
  }
}

// ---------------------------------------------------------------------------
// Phases

interface RunContext {
  options: IngestOptions;
  server: ServerProcess;
  swarm: Swarm;
  /** Devices that got their welcome, per swarm process. */
  connected: number[];
  signal: AbortSignal;
}

async function runThroughput({ options, server, swarm, signal }: RunContext): Promise<Record<string, unknown>> {
  const command: SwarmCommand = { type: 'throughput', seconds: options.seconds, window: options.window, batch: options.batch, drainMs: THROUGHPUT_DRAIN_MS };
  const producedBefore = producedPings(swarm);
  const before = await server.sample();
  const phaseStart = performance.now();

  const done = swarm.run(Array(swarm.size).fill(command), 'throughput-done', options.seconds * 1000 + THROUGHPUT_DRAIN_MS + PHASE_SLACK_MS, signal);
  await pauseWhile(options.seconds * 1000, done, signal);
  const atWindowEnd = await server.sample();
  const windowEnd = performance.now();
  const reports = await done;
  const caughtUpAt = await waitForEngine(server, swarm, signal);

  const interval = serverInterval(before, atWindowEnd);
  const ackedInWindow = sum(reports, (report) => report.ackedInWindow);
  const produced = producedPings(swarm) - producedBefore;
  return {
    seconds: options.seconds,
    window: options.window,
    batch: options.batch,
    pingsSent: sum(reports, (report) => report.sent),
    frames: sum(reports, (report) => report.frames),
    pingsAcked: ackedInWindow,
    pingsPerSecond: Math.round(ackedInWindow / options.seconds),
    targetPingsPerSecond: TARGET_PINGS_PER_SECOND,
    enginePingsPerSecond: Math.round(interval.pingsProcessed / interval.seconds),
    engineBacklogAtWindowEnd: Math.max(0, producedBefore + ackedInWindow - atWindowEnd.pingsProcessed),
    engineCatchUpMs: caughtUpAt === null ? null : Math.round(caughtUpAt - windowEnd),
    // Every ping of the phase, from the first send until the engine had processed the last one.
    endToEndPingsPerSecond: caughtUpAt === null ? null : Math.round(produced / ((caughtUpAt - phaseStart) / 1000)),
    unackedAtEnd: sum(reports, (report) => report.unackedAtEnd),
    server: interval,
    client: clientUse(reports),
  };
}

async function runLatency({ options, server, swarm, connected, signal }: RunContext): Promise<Record<string, unknown>> {
  const totalConnected = connected.reduce((a, b) => a + b, 0);
  const commands: SwarmCommand[] = connected.map((devices) => ({
    type: 'latency',
    seconds: options.latencySeconds,
    warmupSeconds: options.warmupSeconds,
    rate: totalConnected === 0 ? 0 : (options.rate * devices) / totalConnected,
    window: options.window,
    offerShare: options.offerShare,
    settleMs: LATENCY_SETTLE_MS,
  }));
  const before = await server.sample();

  const done = swarm.run(commands, 'latency-done', options.latencySeconds * 1000 + LATENCY_SETTLE_MS + PHASE_SLACK_MS, signal);
  await pauseWhile(options.latencySeconds * 1000, done, signal);
  const atEnd = await server.sample();
  const reports = await done;
  await waitForEngine(server, swarm, signal);

  const sent = sum(reports, (report) => report.sent);
  return {
    seconds: options.latencySeconds,
    warmupSeconds: options.warmupSeconds,
    rate: options.rate,
    pingsSent: sent,
    achievedRate: Math.round(sent / options.latencySeconds),
    pingIntervalPerDeviceMs: Math.round((totalConnected / options.rate) * 1000),
    skippedTurns: sum(reports, (report) => report.skipped),
    offersExpected: sum(reports, (report) => report.offersExpected),
    offersReceived: sum(reports, (report) => report.offersReceived),
    offersUnmatched: sum(reports, (report) => report.offersUnmatched),
    offerLatencyMs: summarize(reports.flatMap((report) => report.offerLatenciesMs)),
    targetOfferP99Ms: TARGET_OFFER_P99_MS,
    ackLatencyMs: summarize(reports.flatMap((report) => report.ackLatenciesMs)),
    unackedAtEnd: sum(reports, (report) => report.unackedAtEnd),
    server: serverInterval(before, atEnd),
    client: clientUse(reports),
  };
}

/** Waits `ms`, or less when `work` settles first. Rejects when `work` rejects or `signal` aborts first. */
async function pauseWhile(ms: number, work: Promise<unknown>, signal: AbortSignal): Promise<void> {
  const settled = new AbortController();
  try {
    await Promise.race([pause(ms, AbortSignal.any([signal, settled.signal])), work]);
  } finally {
    settled.abort();
  }
}

/** Pings the swarm got acked without an error frame: each was produced to the bus once. */
function producedPings(swarm: Swarm): number {
  return swarm.totals.reduce((total, totals) => total + totals.acked - totals.rejected, 0);
}

/** Waits until the engine processed every ping produced so far and returns that time (performance.now), or null after ENGINE_CATCH_UP_TIMEOUT_MS. */
async function waitForEngine(server: ServerProcess, swarm: Swarm, signal: AbortSignal): Promise<number | null> {
  const expected = producedPings(swarm);
  const start = performance.now();
  while (performance.now() - start < ENGINE_CATCH_UP_TIMEOUT_MS) {
    if ((await server.sample()).pingsProcessed >= expected) return performance.now();
    await pause(ENGINE_POLL_MS, signal);
  }
  progress(`the engine did not process all ${expected} pings within ${ENGINE_CATCH_UP_TIMEOUT_MS} ms`);
  return null;
}

// ---------------------------------------------------------------------------
// Figures

function sum<T>(items: T[], value: (item: T) => number): number {
  return items.reduce((total, item) => total + value(item), 0);
}

function summarize(latenciesMs: number[]): { p50: number; p99: number; max: number; samples: number } {
  let max = 0;
  for (const latency of latenciesMs) max = Math.max(max, latency);
  return {
    p50: round2(percentile(latenciesMs, 0.5)),
    p99: round2(percentile(latenciesMs, 0.99)),
    max: round2(latenciesMs.length === 0 ? Number.NaN : max),
    samples: latenciesMs.length,
  };
}

/** CPU summed over the swarm processes, and the busiest process's event loop. */
function clientUse(reports: Array<Extract<SwarmReport, { type: 'throughput-done' | 'latency-done' }>>): { cpuPercent: number; maxEventLoopUtilization: number } {
  return {
    cpuPercent: round2(sum(reports, (report) => report.client.cpuPercent)),
    maxEventLoopUtilization: Math.max(...reports.map((report) => report.client.eventLoopUtilization)),
  };
}

function mergeErrors(all: SwarmErrors[]): Record<keyof SwarmErrors, Counts> {
  const merged: Record<keyof SwarmErrors, Counts> = { registration: {}, connection: {}, errorFrames: {}, closes: {}, socketErrors: {} };
  for (const errors of all) {
    for (const kind of Object.keys(merged) as Array<keyof SwarmErrors>) {
      for (const [description, count] of Object.entries(errors[kind])) merged[kind][description] = (merged[kind][description] ?? 0) + count;
    }
  }
  return merged;
}

function round2(value: number): number {
  return Math.round(value * 100) / 100;
}

function progress(message: string): void {
  process.stderr.write(`${message}\n`);
}

// ---------------------------------------------------------------------------
// Run

async function main(argv: string[]): Promise<void> {
  const options = parseOptions(argv);
  if (options === undefined) {
    process.stdout.write(HELP);
    return;
  }
  const machine = describeMachine();
  const processes = planSwarm(options, machine);

  const abort = new AbortController();
  const onSignal = (signal: NodeJS.Signals) => {
    if (!abort.signal.aborted) progress(`${signal} received; closing the devices and stopping the server`);
    abort.abort(new Error(`interrupted by ${signal}`));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const { signal } = abort;

  let server: ServerGroup | undefined;
  let swarm: Swarm | undefined;
  try {
    server = await startServerGroup(options.servers, signal);
    progress(`${options.servers} server(s) on the ${server.bus} bus started: ${server.urls.join(', ')}`);
    const campaign = await withDeadline(createLunchCampaign(server.url, server.adminToken, options.radiusM), 'the trucks and the campaign', SETUP_TIMEOUT_MS, signal);
    progress(`${campaign.trucks.length} trucks, campaign ${campaign.campaignId} with ${options.radiusM} m fences`);

    // Setup: each swarm process registers and connects its share of the devices.
    swarm = new Swarm(processes);
    const share = Math.ceil(options.devices / processes);
    const setupCommands: SwarmCommand[] = Array.from({ length: processes }, (_, i) => ({
      type: 'setup',
      url: server!.urls[i % server!.urls.length]!,
      firstDevice: i * share,
      devices: Math.max(0, Math.min(share, options.devices - i * share)),
      trucks: campaign.trucks.map(({ lat, lon }) => ({ lat, lon })),
      radiusM: options.radiusM,
      campaignId: campaign.campaignId,
      registerConcurrency: Math.max(1, Math.floor(REGISTER_CONCURRENCY / processes)),
      connectConcurrency: Math.max(1, Math.floor(CONNECT_CONCURRENCY / processes)),
    }));
    const setupTimeoutMs = SETUP_TIMEOUT_MS + options.devices * SETUP_TIMEOUT_PER_DEVICE_MS;
    const ready = await swarm.run(setupCommands, 'ready', setupTimeoutMs, signal);
    const connected = ready.map((report) => report.connected);
    const devices = {
      requested: options.devices,
      registered: sum(ready, (report) => report.registered),
      connected: sum(ready, (report) => report.connected),
      clientProcesses: processes,
      registerSeconds: round2(Math.max(...ready.map((report) => report.registerMs)) / 1000),
      connectSeconds: round2(Math.max(...ready.map((report) => report.connectMs)) / 1000),
    };
    progress(`${devices.connected} of ${options.devices} devices connected over ${processes} processes`);

    // Phases.
    const context: RunContext = { options, server, swarm, connected, signal };
    const phases: Record<string, unknown> = {};
    for (const phase of options.phases) {
      progress(`${phase} phase: ${phase === 'latency' ? options.latencySeconds : options.seconds} s`);
      phases[phase] = phase === 'latency' ? await runLatency(context) : await runThroughput(context);
    }

    // Shutdown: devices leave first, then the server stops cleanly.
    progress('closing the devices and stopping the server');
    const closed = await swarm.close();
    const stop = await server.stop();
    const result = {
      benchmark: 'ingest',
      store: process.env.DATABASE_URL ? 'postgresql' : 'pglite',
      servers: options.servers,
      bus: server.bus,
      devices,
      fences: { trucks: campaign.trucks.length, radiusM: options.radiusM },
      ...phases,
      errors: {
        ...mergeErrors(swarm.totals.map((totals) => totals.errors)),
        rejectedPings: swarm.totals.reduce((total, totals) => total + totals.rejected, 0),
        unexpectedOffers: sum(closed, (report) => report.unexpectedOffers),
        serverLogLines: server.logLevels,
      },
      serverStopMs: stop.stopMs,
      machine,
    };
    process.stdout.write(`${JSON.stringify(result)}\n`);
  } finally {
    await swarm?.close();
    await server?.stop();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

main(process.argv.slice(2)).catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = error instanceof Error && error.message.startsWith('interrupted by') ? 130 : 1;
});
