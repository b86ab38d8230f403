import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import pino from 'pino';
import { CloudburstError } from '../common/errors.js';
import { createLogger, type Logger } from '../common/logger.js';
import { configFromEnv } from '../server/config.js';
import { replayCampaign, type ReplayReport } from '../server/replay.js';
import { openStore } from '../store/open-store.js';
import type { Db } from '../store/types.js';

const HELP = `Usage: cloudburst replay (--campaign ID | --definition FILE) [options]

Runs a campaign over recorded pings on a private engine and reports which devices it
would have reached, near which truck and when. Nothing is sent to devices and nothing
is written to the store. Trucks, their positions and time zones come from the store.

Campaign:
  --campaign ID            a stored campaign, changed by the options below
  --definition FILE        a campaign definition as JSON: the create-campaign body
                           ({ truckIds, window, radiusM }, name and benefit optional)
                           with optional "rules"; the options below override its fields
  --radius METRES          fence radius in metres
  --window-start LOCAL     window start, a local date-time in each truck's time zone
                           such as 2026-12-04T11:00
  --window-end LOCAL       window end, likewise
  --trucks IDS             comma-separated truck ids, or "all"

Fence rules (each flag overrides the same field of --rules):
  --rules JSON             rules as JSON, e.g. '{"offerOn":"dwell","dwellMs":120000}'
  --dwell-ms MS            time inside before a dwell event, in milliseconds
  --offer-on WHEN          "enter" or "dwell": when the offer is decided
  --exit-margin-m METRES   distance beyond the fence before an exit
  --stale-after-ms MS      silence after which a device's state is dropped
  --max-accuracy-m METRES  pings with a larger accuracy radius neither enter nor exit
  --max-speed-mps SPEED    pings implying a faster move, in metres per second, are flagged

Pings:
  --pings FILE             JSON lines (.jsonl, .ndjson) of {deviceId, seq?, lat, lon,
                           accuracy?, ts}, or a cabspotting or GeoLife CSV (.csv), each
                           optionally .gz (default: the pings recorded in the store)
  --from INSTANT           first fix time replayed, ISO 8601 with a zone such as
                           2026-12-04T19:00:00Z (default: the earliest window start)
  --to INSTANT             end of the fix times replayed, exclusive (default: the
                           latest window end); at most 7 days after --from
  --max-pings N            fail when the range contains more pings
                           (default $REPLAY_MAX_PINGS, else 1000000)
  --data-dir DIR           the embedded store's folder (default $DATA_DIR, else ./data);
                           with DATABASE_URL set, PostgreSQL is read instead

Output:
  --json                   print the whole report as one JSON object
  --limit N                reached devices listed, 0 to 10000 (default 10)
  --bucket-minutes N       histogram bucket length in minutes, 1 to 1440 (default 5)
  -h, --help               print this help
`;

/** Reached devices listed in the human output unless --limit is given. */
const DEFAULT_LIMIT = 10;
/** Trucks listed in the human output. */
const TRUCKS_SHOWN = 10;
/** Invalid lines of a ping file printed in the human output. */
const LINE_ERRORS_SHOWN = 10;

/** Flags of the individual rules, by rule name. */
const RULE_FLAGS = {
  dwellMs: 'dwell-ms',
  offerOn: 'offer-on',
  exitMarginM: 'exit-margin-m',
  staleAfterMs: 'stale-after-ms',
  maxAccuracyM: 'max-accuracy-m',
  maxSpeedMps: 'max-speed-mps',
} as const;

/** Runs `cloudburst replay` and prints the report; returns the exit code. */
export async function runReplayCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      campaign: { type: 'string' },
      definition: { type: 'string' },
      radius: { type: 'string' },
      'window-start': { type: 'string' },
      'window-end': { type: 'string' },
      trucks: { type: 'string' },
      rules: { type: 'string' },
      'dwell-ms': { type: 'string' },
      'offer-on': { type: 'string' },
      'exit-margin-m': { type: 'string' },
      'stale-after-ms': { type: 'string' },
      'max-accuracy-m': { type: 'string' },
      'max-speed-mps': { type: 'string' },
      pings: { type: 'string' },
      from: { type: 'string' },
      to: { type: 'string' },
      'max-pings': { type: 'string' },
      'data-dir': { type: 'string' },
      json: { type: 'boolean' },
      limit: { type: 'string' },
      'bucket-minutes': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }

  const body = await buildRequest(values);
  const config = configFromEnv();
  const maxPings = values['max-pings'] === undefined ? config.replayMaxPings : countOption('--max-pings', values['max-pings']);
  const logger = createLogger({ level: process.env.LOG_LEVEL ?? 'warn', destination: pino.destination({ fd: 2, sync: true }) });

  const db = await openReplayStore({ databaseUrl: config.databaseUrl, dataDir: values['data-dir'] ?? config.dataDir, logger });
  let report: ReplayReport;
  try {
    report = await replayCampaign(db, body, { maxPings, pingFile: values.pings });
  } catch (error) {
    if (error instanceof CloudburstError) throw new Error(withOptionHint(error, values));
    throw error;
  } finally {
    await db.close();
  }

  process.stdout.write(values.json ? `${JSON.stringify(report)}\n` : formatReport(report));
  return 0;
}

type Options = Record<string, string | boolean | undefined>;

/** Builds the replay request body from the options, in the shape POST /v1/admin/replays takes. */
async function buildRequest(values: Options): Promise<Record<string, unknown>> {
  if (values.campaign === undefined && values.definition === undefined) {
    throw new Error('missing --campaign ID or --definition FILE (see "cloudburst replay --help")');
  }
  if (values.campaign !== undefined && values.definition !== undefined) {
    throw new Error('invalid options: give --campaign or --definition, not both');
  }

  const window = definedFields({ start: values['window-start'], end: values['window-end'] });
  const changes = definedFields({
    radiusM: values.radius === undefined ? undefined : numberOption('--radius', values.radius as string),
    window: Object.keys(window).length > 0 ? window : undefined,
    truckIds: values.trucks === undefined ? undefined : truckIdsOption(values.trucks as string),
  });
  const rules = rulesOptions(values);

  const body: Record<string, unknown> = definedFields({
    from: values.from,
    to: values.to,
    limit: numberOption('--limit', (values.limit as string | undefined) ?? String(DEFAULT_LIMIT)),
    bucketMinutes: values['bucket-minutes'] === undefined ? undefined : numberOption('--bucket-minutes', values['bucket-minutes'] as string),
  });

  if (values.campaign !== undefined) {
    body.campaignId = values.campaign;
    body.overrides = definedFields({ ...changes, rules });
  }
  if (values.definition !== undefined) {
    const definition = await readJsonFile('--definition', values.definition as string);
    if (typeof definition !== 'object' || definition === null || Array.isArray(definition)) {
      throw new Error(`invalid --definition: ${values.definition} does not contain a JSON object (expected the create-campaign body)`);
    }
    const fromFile = definition as Record<string, unknown>;
    body.definition = {
      ...fromFile,
      ...changes,
      window: changes.window ? { ...(fromFile.window as object | undefined), ...changes.window } : fromFile.window,
      rules: rules ? { ...(fromFile.rules as object | undefined), ...rules } : fromFile.rules,
    };
  }
  return body;
}

/** Returns --rules merged with the individual rule flags, or undefined when none is given. */
function rulesOptions(values: Options): Record<string, unknown> | undefined {
  let rules: Record<string, unknown> | undefined;
  if (values.rules !== undefined) {
    const parsed = parseJsonOption('--rules', values.rules as string);
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      throw new Error(`invalid --rules: ${values.rules as string} (expected a JSON object such as '{"dwellMs":120000}')`);
    }
    rules = { ...parsed };
  }

  for (const [rule, flag] of Object.entries(RULE_FLAGS)) {
    const raw = values[flag] as string | undefined;
    if (raw === undefined) continue;
    rules ??= {};
    rules[rule] = rule === 'offerOn' ? raw : numberOption(`--${flag}`, raw);
  }
  return rules;
}

/**
 * Opens the store with the trucks, campaigns and recorded pings. The embedded
 * store must exist already, and no other process may have it open, because PGlite
 * (0.5) takes no lock on its folder and two processes writing one folder can corrupt it.
 */
async function openReplayStore(options: { databaseUrl?: string; dataDir: string; logger: Logger }): Promise<Db> {
  if (options.databaseUrl !== undefined) return openStore({ databaseUrl: options.databaseUrl, logger: options.logger });

  const storeDir = path.join(path.resolve(options.dataDir), 'pglite');
  if (!existsSync(path.join(storeDir, 'PG_VERSION'))) {
    throw new Error(`no embedded store in ${storeDir}: start the server once to create it, pass --data-dir, or set DATABASE_URL`);
  }
  // PGlite 0.5 writes postmaster.pid while a process has the folder open and removes it on close.
  const pidFile = path.join(storeDir, 'postmaster.pid');
  if (existsSync(pidFile)) {
    throw new Error(
      `the embedded store in ${storeDir} is open in another process, such as a running server: ` +
        'stop that process, or replay through its API with POST /v1/admin/replays. ' +
        `If no process has it open, a crash left ${pidFile} behind; delete that file and try again.`,
    );
  }
  return openStore({ dataDir: storeDir, logger: options.logger });
}

/** Prints the report as a short summary for a person. */
function formatReport(report: ReplayReport): string {
  const lines: string[] = [];
  const { definition, totals, range, source } = report;
  const campaign = report.campaignId === null ? 'definition' : `campaign ${report.campaignId}`;
  lines.push(`Replay of ${campaign}: radius ${definition.radiusM} m, window ${definition.window.start} to ${definition.window.end} (local), ${definition.fences} fences`);
  lines.push(`Fix times ${range.from} to ${range.to}, from ${source.kind === 'file' ? `${source.file} (${source.format})` : 'the store'}`);
  lines.push('');

  const counts: Array<[string, number]> = [
    ['pings read', totals.pingsRead],
    ['devices seen', totals.devicesSeen],
    ['devices reached', totals.devicesReached],
    ['enters', totals.enters],
    ['dwells', totals.dwells],
    ['exits', totals.exits],
    ['unknowns', totals.unknowns],
    ['flagged pings', totals.flaggedPings],
  ];
  if (source.kind === 'file') counts.push(['outside the range', source.outsideRange], ['invalid lines', source.invalidLines]);
  lines.push(...table(['', 'count'], counts.map(([label, count]) => [label, count.toLocaleString('en-US')])));

  const reachedTrucks = report.trucks.filter((truck) => truck.reached > 0);
  if (reachedTrucks.length > 0) {
    const shown = reachedTrucks.length > TRUCKS_SHOWN ? ` (top ${TRUCKS_SHOWN} of ${reachedTrucks.length} trucks)` : '';
    lines.push('', `Devices reached per truck${shown}`);
    lines.push(...table(['truck', 'reached'], reachedTrucks.slice(0, TRUCKS_SHOWN).map((truck) => [truck.name, String(truck.reached)])));
  }

  const busy = report.histogram.buckets.filter((bucket) => bucket.offers > 0);
  if (busy.length > 0) {
    lines.push('', `Offers per ${report.histogram.bucketMinutes} minutes (buckets with offers)`);
    lines.push(...table(['from (UTC)', 'offers'], busy.map((bucket) => [bucket.start, String(bucket.offers)])));
  }

  if (report.reached.length > 0) {
    lines.push('', `Reached devices (first ${report.reached.length} of ${totals.devicesReached})`);
    lines.push(
      ...table(
        ['offered at (truck time)', 'device', 'truck', 'distance m'],
        report.reached.map((device) => [device.offeredAtLocal, device.deviceId, device.truckName, device.distanceM.toFixed(1)]),
      ),
    );
  }

  if (source.kind === 'file' && source.errors.length > 0) {
    const shown = Math.min(LINE_ERRORS_SHOWN, source.errors.length);
    lines.push('', shown < source.invalidLines ? `Invalid lines (first ${shown} of ${source.invalidLines}; --json lists ${source.errors.length})` : 'Invalid lines');
    for (const error of source.errors.slice(0, LINE_ERRORS_SHOWN)) lines.push(`  ${error.message}`);
  }
  return `${lines.join('\n')}\n`;
}

/** Formats rows as left-aligned columns under a header; the last column is right-aligned. */
function table(header: string[], rows: string[][]): string[] {
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column]!.length)));
  const format = (row: string[]) =>
    `  ${row.map((cell, column) => (column === row.length - 1 ? cell.padStart(widths[column]!) : cell.padEnd(widths[column]!))).join('  ')}`.trimEnd();
  return [format(header), ...rows.map(format)];
}

/** Appends the option or file that set the invalid field, so the message points at what to change. */
function withOptionHint(error: CloudburstError, values: Options): string {
  const field = error.field ?? '';
  const option = optionsOfField(field).find((name) => values[name] !== undefined);
  if (option !== undefined) return `${error.message} (set by --${option})`;
  if (field.startsWith('definition.')) return `${error.message} (in ${values.definition as string})`;
  return error.message;
}

/** Returns the options that can set a request field, the more specific first. */
function optionsOfField(field: string): string[] {
  const name = field.replace(/^(overrides|definition)\./, '');
  const rule = /^rules\.(\w+)$/.exec(name)?.[1];
  if (rule !== undefined) {
    const flag = RULE_FLAGS[rule as keyof typeof RULE_FLAGS] as string | undefined;
    return flag === undefined ? ['rules'] : [flag, 'rules'];
  }
  const options: Record<string, string> = {
    campaignId: 'campaign',
    radiusM: 'radius',
    'window.start': 'window-start',
    'window.end': 'window-end',
    truckIds: 'trucks',
    rules: 'rules',
    from: 'from',
    to: 'to',
    limit: 'limit',
    bucketMinutes: 'bucket-minutes',
    pings: 'pings',
  };
  const option = options[name.replace(/^truckIds\.\d+$/, 'truckIds')];
  return option === undefined ? [] : [option];
}

/** Decimal notation only, so `0x10` is not read as 16. */
const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;

function numberOption(flag: string, raw: string): number {
  const value = Number(raw);
  if (!DECIMAL.test(raw.trim()) || !Number.isFinite(value)) throw new Error(`invalid ${flag}: ${JSON.stringify(raw)} (expected a decimal number)`);
  return value;
}

function countOption(flag: string, raw: string): number {
  const value = numberOption(flag, raw);
  if (!Number.isSafeInteger(value) || value < 1) throw new Error(`invalid ${flag}: ${JSON.stringify(raw)} (expected a whole number of at least 1)`);
  return value;
}

function truckIdsOption(raw: string): 'all' | string[] {
  if (raw === 'all') return 'all';
  return raw
    .split(',')
    .map((id) => id.trim())
    .filter(Boolean);
}

async function readJsonFile(flag: string, file: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new Error(`invalid ${flag}: cannot read ${file} (${(error as Error).message})`);
  }
  return parseJsonOption(flag, text, file);
}

function parseJsonOption(flag: string, text: string, file?: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new Error(`invalid ${flag}: ${file ?? JSON.stringify(text)} is not JSON (${(error as Error).message})`);
  }
}

function definedFields<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, field]) => field !== undefined)) as Partial<T>;
}
