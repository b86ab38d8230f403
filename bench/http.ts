/**
 * HTTP API benchmark: autocannon against a few endpoints of one Cloudburst process
 * on the embedded defaults, one endpoint after the other for a fixed time each.
 * Prints one JSON line per endpoint.
 *
 *   npm run bench:http
 *   npm run bench:http -- --seconds 5 --connections 16
 *
 * The server runs in a child process on 127.0.0.1 with a fresh temporary data dir,
 * and holds the approved trucks of the SF permit file and one campaign around them.
 */
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { withDeadline } from './deadline.js';
import { createLunchCampaign } from './fixtures.js';
import { describeMachine } from './machine.js';
import { serverInterval, startServerProcess, type ServerProcess } from './server-process.js';

const HELP = `Usage: npm run bench:http -- [options]

Starts Cloudburst on the embedded defaults on 127.0.0.1, creates the approved trucks
of the SF permit file and a campaign around them, then runs autocannon against each
endpoint in turn and prints one JSON line per endpoint:

  GET /healthz              readiness, no store access
  GET /v1/admin/stats       in-memory counters, behind the admin token
  GET /v1/admin/trucks      58 trucks read from the store
  GET /v1/admin/campaigns   campaigns read from the store
  POST /v1/devices          device registration: one INSERT per request

Options:
  --seconds S        time per endpoint (default 10)
  --connections N    concurrent HTTP connections (default 32)
`;

/** Fence radius of the campaign. The endpoints only need the campaign to exist. */
const RADIUS_M = 200;
/** autocannon gives up on a request after this many seconds and counts a timeout. */
const REQUEST_TIMEOUT_S = 10;
/** Slack above an endpoint's run time before the benchmark gives up on autocannon. */
const RUN_SLACK_MS = 30_000;
const SETUP_TIMEOUT_MS = 120_000;

interface Endpoint {
  method: 'GET' | 'POST';
  path: string;
  admin: boolean;
  body?: string;
}

const ENDPOINTS: Endpoint[] = [
  { method: 'GET', path: '/healthz', admin: false },
  { method: 'GET', path: '/v1/admin/stats', admin: true },
  { method: 'GET', path: '/v1/admin/trucks', admin: true },
  { method: 'GET', path: '/v1/admin/campaigns', admin: true },
  { method: 'POST', path: '/v1/devices', admin: false, body: '{"platform":"bench"}' },
];

function positiveNumber(flag: string, raw: string): number {
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`invalid ${flag}: ${JSON.stringify(raw)} (expected a positive number)`);
  return value;
}

function positiveInteger(flag: string, raw: string): number {
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value <= 0) throw new Error(`invalid ${flag}: ${JSON.stringify(raw)} (expected a positive integer)`);
  return value;
}

/** Runs autocannon for its duration. When `signal` aborts, stops autocannon and rejects with the abort reason. */
function runAutocannon(options: autocannon.Options, signal: AbortSignal): Promise<autocannon.Result> {
  const run = new Promise<autocannon.Result>((resolve, reject) => {
    const onAbort = () => instance.stop();
    const instance = autocannon(options, (error, result) => {
      signal.removeEventListener('abort', onAbort);
      if (signal.aborted) reject(signal.reason);
      else if (error) reject(error);
      else resolve(result);
    });
    signal.addEventListener('abort', onAbort, { once: true });
  });
  const durationMs = Number(options.duration) * 1000;
  return withDeadline(run, `autocannon on ${options.method} ${options.url}`, durationMs + RUN_SLACK_MS);
}

async function measureEndpoint(server: ServerProcess, endpoint: Endpoint, seconds: number, connections: number, signal: AbortSignal): Promise<Record<string, unknown>> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (endpoint.admin) headers.authorization = `Bearer ${server.adminToken}`;

  const before = await server.sample();
  const cpuBefore = process.cpuUsage();
  const start = performance.now();
  const result = await runAutocannon(
    { url: `${server.url}${endpoint.path}`, method: endpoint.method, headers, body: endpoint.body, connections, duration: seconds, timeout: REQUEST_TIMEOUT_S },
    signal,
  );
  const cpu = process.cpuUsage(cpuBefore);
  const wallMs = performance.now() - start;
  const after = await server.sample();

  const statusCodes: Record<string, number> = {};
  for (const [status, stats] of Object.entries(result.statusCodeStats ?? {})) statusCodes[status] = stats.count ?? 0;
  return {
    endpoint: `${endpoint.method} ${endpoint.path}`,
    seconds: result.duration,
    connections,
    requests: result.requests.total,
    requestsPerSecond: Math.round(result.requests.total / result.duration),
    // autocannon records the latency of 2xx responses only, in whole milliseconds.
    latencyMs: { p50: result.latency.p50, p99: result.latency.p99, max: result.latency.max },
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    statusCodes,
    server: serverInterval(before, after),
    clientCpuPercent: Math.round(((cpu.user + cpu.system) / 1000 / wallMs) * 1000) / 10,
  };
}

async function main(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      seconds: { type: 'string', default: '10' },
      connections: { type: 'string', default: '32' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write(HELP);
    return;
  }
  const seconds = positiveNumber('--seconds', values.seconds!);
  const connections = positiveInteger('--connections', values.connections!);
  const machine = describeMachine();

  const abort = new AbortController();
  const onSignal = (signal: NodeJS.Signals) => {
    if (!abort.signal.aborted) process.stderr.write(`${signal} received; stopping the server\n`);
    abort.abort(new Error(`interrupted by ${signal}`));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  let server: ServerProcess | undefined;
  try {
    server = await startServerProcess(abort.signal);
    const campaign = await withDeadline(createLunchCampaign(server.url, server.adminToken, RADIUS_M), 'the trucks and the campaign', SETUP_TIMEOUT_MS, abort.signal);
    process.stderr.write(`server ${server.url} (pid ${server.pid}) with ${campaign.trucks.length} trucks and one campaign\n`);

    for (const endpoint of ENDPOINTS) {
      const figures = await measureEndpoint(server, endpoint, seconds, connections, abort.signal);
      process.stdout.write(`${JSON.stringify({ benchmark: 'http', ...figures, machine })}\n`);
    }
  } finally {
    await server?.stop();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

main(process.argv.slice(2)).catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = error instanceof Error && error.message.startsWith('interrupted by') ? 130 : 1;
});
