// The last suite replays the real SF cabspotting slice from ../shared/data (licensed for
// internal testing only, so it is read in place and never copied here). That suite skips
// only where the folder is absent; CI always has it and fails on any skipped test.
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CloudburstError } from '../common/errors.js';
import { silentLogger } from '../common/logger.js';
import { BUNDLED_PERMITS, defaultDataFile } from '../demo/data-files.js';
import { readApprovedPermits } from '../demo/permits.js';
import { readTrajectories } from '../demo/trajectories.js';
import { distanceM } from '../engine/index.js';
import { backendOptions } from '../test/backend.js';
import { adminRequest } from '../test/helpers.js';
import { firstInFencePairs } from '../test/oracle.js';
import {
  DEVICES,
  loadScenario,
  PINGS_IN_WINDOW,
  SCENARIO_DAY,
  SCENARIO_PINGS,
  SCENARIO_WINDOW,
  scenarioJsonLines,
  WINDOW_FROM,
  WINDOW_TO,
  type ScenarioStore,
} from '../test/replay-scenario.js';
import { startCloudburst, type RunningCloudburst } from './app-server.js';
import { MAX_LINE_ERRORS } from './ping-files.js';
import { insertPings, readPingPages } from './repos/pings.js';
import { upsertTruck } from './repos/trucks.js';
import { replayCampaign, type ReplayReport } from './replay.js';

const ADMIN_TOKEN = 'replay-test-token';
/**
 * The server's replay limit: the scenario's window contains 14 pings, and widening the
 * range to 18:00Z-22:00Z adds the two outside the window, so 15 lets one through
 * and rejects the other.
 */
const SERVER_MAX_PINGS = 15;
const CABSPOTTING = defaultDataFile('sf_cabspotting_2008-06-04_1100-1300_PDT.csv');

let dataDir: string;
let server: RunningCloudburst;
let scenario: ScenarioStore;

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'cloudburst-replay-'));
  server = await startCloudburst({
    dataDir,
    port: 0,
    host: '127.0.0.1',
    adminToken: ADMIN_TOKEN,
    logger: silentLogger(),
    replayMaxPings: SERVER_MAX_PINGS,
    // The scenario's pings are weeks old; the recorder must not delete them.
    pingRetentionHours: 24 * 3650,
    ...(await backendOptions()),
  });
  scenario = await loadScenario(server.services.db);
});

afterAll(async () => {
  await server?.stop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

function replay(body: Record<string, unknown>, options: { maxPings?: number; pingFile?: string; pageSize?: number } = {}): Promise<ReplayReport> {
  return replayCampaign(server.services.db, body, { maxPings: 1_000, ...options });
}

/** Returns `device@ISO time@truck name` for each reached device, sorted, for compact asserts. */
function reachedKeys(report: ReplayReport): string[] {
  return report.reached.map((device) => `${device.deviceId}@${device.offeredAt}@${device.truckName}`).sort();
}

function key(deviceId: string, time: string, truckName: string): string {
  return `${deviceId}@${SCENARIO_DAY}T${time}.000Z@${truckName}`;
}

async function rejection(promise: Promise<unknown>): Promise<CloudburstError> {
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  if (!(error instanceof CloudburstError)) throw new Error(`expected a CloudburstError, got ${String(error)}`);
  return error;
}

describe('replay of a stored campaign', () => {
  let report: ReplayReport;

  beforeAll(async () => {
    report = await replay({ campaignId: scenario.campaignId });
  });

  it('reaches the expected devices at their ping times', () => {
    expect(reachedKeys(report)).toEqual(
      [
        key(DEVICES.nearTaco, '19:10:00', 'Taco Cloud'),
        key(DEVICES.jumpsToTaco, '19:50:00', 'Taco Cloud'),
        key(DEVICES.dwellsAtCurry, '20:06:00', 'Curry Up'),
      ].sort(),
    );
  });

  it('lists reached devices in offer order with fence and distance', () => {
    expect(report.reached.map((device) => device.deviceId)).toEqual([DEVICES.nearTaco, DEVICES.jumpsToTaco, DEVICES.dwellsAtCurry]);

    const first = report.reached[0]!;
    expect(first).toMatchObject({
      truckId: scenario.taco.id,
      fenceId: `${scenario.campaignId}:${scenario.taco.id}`,
      offeredAtLocal: `${SCENARIO_DAY}T11:10:00`,
      ping: { seq: 2, ts: Date.parse(`${SCENARIO_DAY}T19:10:00Z`) },
    });
    expect(first.distanceM).toBeCloseTo(distanceM(first.ping.lat, first.ping.lon, scenario.taco.lat, scenario.taco.lon), 6);
    expect(first.distanceM).toBeCloseTo(100, 3);
  });

  it('counts pings, devices and transitions', () => {
    expect(report.totals).toEqual({
      pingsRead: PINGS_IN_WINDOW,
      devicesSeen: 4,
      devicesReached: 3,
      enters: 3,
      dwells: 1,
      exits: 2,
      unknowns: 0,
      flaggedPings: 1,
    });
  });

  it('counts reached devices per truck', () => {
    expect(report.trucks).toEqual([
      { truckId: scenario.taco.id, name: 'Taco Cloud', reached: 2 },
      { truckId: scenario.curry.id, name: 'Curry Up', reached: 1 },
    ]);
  });

  it('buckets offers by five minutes over the window', () => {
    const { buckets, bucketMinutes } = report.histogram;
    expect(bucketMinutes).toBe(5);
    expect(buckets).toHaveLength(24);
    expect(buckets[0]!.start).toBe(`${SCENARIO_DAY}T19:00:00.000Z`);
    const busy = buckets.filter((bucket) => bucket.offers > 0).map((bucket) => `${bucket.start}=${bucket.offers}`);
    expect(busy).toEqual([`${SCENARIO_DAY}T19:10:00.000Z=1`, `${SCENARIO_DAY}T19:50:00.000Z=1`, `${SCENARIO_DAY}T20:05:00.000Z=1`]);
  });

  it('reports the definition and range it ran', () => {
    expect(report.campaignId).toBe(scenario.campaignId);
    expect(report.definition).toMatchObject({ radiusM: 200, window: SCENARIO_WINDOW, fences: 2 });
    expect(report.definition.rules).toMatchObject({ offerOn: 'enter', dwellMs: 60_000 });
    expect(report.range).toEqual({ from: new Date(WINDOW_FROM).toISOString(), to: new Date(WINDOW_TO).toISOString() });
    expect(report.source).toEqual({ kind: 'store' });
  });

  it('reads the same pings in pages of two', async () => {
    const paged = await replay({ campaignId: scenario.campaignId }, { pageSize: 2 });
    expect(paged).toEqual(report);
  });

  it('caps the reached list at limit', async () => {
    const capped = await replay({ campaignId: scenario.campaignId, limit: 1 });
    expect(capped.reached.map((device) => device.deviceId)).toEqual([DEVICES.nearTaco]);
    expect(capped.totals.devicesReached).toBe(3);
    expect(capped.limit).toBe(1);
  });
});

describe('replay overrides', () => {
  it('reaches a wider device with a larger radius', async () => {
    const wider = await replay({ campaignId: scenario.campaignId, overrides: { radiusM: 400 } });
    expect(wider.definition.radiusM).toBe(400);
    expect(reachedKeys(wider)).toContain(key(DEVICES.wideOfTaco, '19:25:00', 'Taco Cloud'));
    expect(wider.totals.devicesReached).toBe(4);
  });

  it('loses a device with a smaller radius', async () => {
    const narrower = await replay({ campaignId: scenario.campaignId, overrides: { radiusM: 90 } });
    expect(reachedKeys(narrower)).toEqual(
      [key(DEVICES.jumpsToTaco, '19:50:00', 'Taco Cloud'), key(DEVICES.dwellsAtCurry, '20:06:00', 'Curry Up')].sort(),
    );
  });

  it('reaches nobody outside the window', async () => {
    // The range covers the early and late pings, but the fences are active 19:00Z-21:00Z only.
    const wideRange = await replay({ campaignId: scenario.campaignId, from: `${SCENARIO_DAY}T18:00:00Z`, to: `${SCENARIO_DAY}T22:00:00Z` });
    expect(wideRange.totals.pingsRead).toBe(SCENARIO_PINGS.length);
    expect(wideRange.totals.devicesSeen).toBe(5);
    expect(wideRange.reached.map((device) => device.deviceId)).not.toContain(DEVICES.outsideWindow);
    expect(wideRange.histogram.buckets).toHaveLength(48);
  });

  it('reaches the early device with a longer window', async () => {
    const longer = await replay({ campaignId: scenario.campaignId, overrides: { window: { start: `${SCENARIO_DAY}T10:00` } } });
    expect(longer.definition.window).toEqual({ start: `${SCENARIO_DAY}T10:00`, end: SCENARIO_WINDOW.end });
    expect(longer.range.from).toBe(`${SCENARIO_DAY}T18:00:00.000Z`);
    expect(reachedKeys(longer)).toContain(key(DEVICES.outsideWindow, '18:30:00', 'Curry Up'));
  });

  it('reads only the pings in from and to', async () => {
    const firstHour = await replay({ campaignId: scenario.campaignId, to: `${SCENARIO_DAY}T20:00:00Z` });
    expect(firstHour.totals.pingsRead).toBe(9);
    expect(firstHour.reached.map((device) => device.deviceId)).toEqual([DEVICES.nearTaco, DEVICES.jumpsToTaco]);
    expect(firstHour.histogram.buckets).toHaveLength(12);
  });

  it('replays one truck of the campaign', async () => {
    const curryOnly = await replay({ campaignId: scenario.campaignId, overrides: { truckIds: [scenario.curry.id] } });
    expect(curryOnly.definition.fences).toBe(1);
    expect(curryOnly.trucks).toEqual([{ truckId: scenario.curry.id, name: 'Curry Up', reached: 1 }]);
  });

  it('offers at dwell when the rules say so', async () => {
    const atDwell = await replay({ campaignId: scenario.campaignId, overrides: { rules: { offerOn: 'dwell', dwellMs: 60_000 } } });
    expect(atDwell.definition.rules).toMatchObject({ offerOn: 'dwell', dwellMs: 60_000, exitMarginM: 25 });
    expect(reachedKeys(atDwell)).toEqual([key(DEVICES.dwellsAtCurry, '20:07:30', 'Curry Up')]);
  });

  it('stops flagging with a higher speed limit', async () => {
    const fast = await replay({ campaignId: scenario.campaignId, overrides: { rules: { maxSpeedMps: 1_000 } } });
    expect(fast.totals.flaggedPings).toBe(0);
    expect(reachedKeys(fast)).toContain(key(DEVICES.jumpsToTaco, '19:40:10', 'Taco Cloud'));
  });
});

describe('replay of an inline definition', () => {
  it('builds fences from the trucks in the store', async () => {
    const report = await replay({
      definition: { truckIds: [scenario.taco.id], window: SCENARIO_WINDOW, radiusM: 200 },
    });
    expect(report.campaignId).toBeNull();
    expect(report.reached.map((device) => device.fenceId)).toEqual([`definition:${scenario.taco.id}`, `definition:${scenario.taco.id}`]);
    expect(reachedKeys(report)).toEqual(
      [key(DEVICES.nearTaco, '19:10:00', 'Taco Cloud'), key(DEVICES.jumpsToTaco, '19:50:00', 'Taco Cloud')].sort(),
    );
  });

  it('accepts a create-campaign body with rules', async () => {
    const report = await replay({
      definition: {
        name: 'Dwell lunch',
        truckIds: [scenario.curry.id],
        window: SCENARIO_WINDOW,
        radiusM: 200,
        benefit: { kind: 'percent', value: 10 },
        rules: { offerOn: 'dwell' },
      },
    });
    expect(reachedKeys(report)).toEqual([key(DEVICES.dwellsAtCurry, '20:07:30', 'Curry Up')]);
  });
});

describe('readPingPages', () => {
  /** A day no other test reads, so these pings change no report. */
  const DAY = Date.parse('2026-11-10T12:00:00Z');

  async function readAll(from: number, to: number, pageSize: number): Promise<Array<Array<{ deviceId: string; seq: number; ts: number }>>> {
    const pages = [];
    for await (const page of readPingPages(server.services.db, from, to, pageSize)) pages.push(page.map(({ deviceId, seq, ts }) => ({ deviceId, seq, ts })));
    return pages;
  }

  beforeAll(async () => {
    const deviceId = (n: number) => `0b000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
    const sameMillisecond = [5, 3, 1, 4, 2].map((n) => ({ deviceId: deviceId(n), seq: 1, ts: DAY }));
    const oneMinute = Array.from({ length: 12 }, (_, i) => ({ deviceId: deviceId(10), seq: i + 1, ts: DAY + 60_000 + i * 5_000 }));
    await insertPings(
      server.services.db,
      [...sameMillisecond, ...oneMinute].map((ping, offset) => ({
        ping: { ...ping, lat: 37.7, lon: -122.4, accuracy: 10, receivedAt: ping.ts },
        partition: 1,
        offset,
      })),
    );
  });

  it('keeps pings of one millisecond in one page', async () => {
    const pages = await readAll(DAY, DAY + 1, 1);
    expect(pages).toHaveLength(1);
    expect(pages[0]!.map((ping) => ping.deviceId.slice(-1))).toEqual(['1', '2', '3', '4', '5']);
  });

  it('narrows a slice to about the page size', async () => {
    const pages = await readAll(DAY + 60_000, DAY + 120_000, 2);
    expect(pages.flat().map((ping) => ping.seq)).toEqual(Array.from({ length: 12 }, (_, i) => i + 1));
    for (const page of pages) expect(page.length).toBeLessThanOrEqual(4);
  });

  it('returns nothing for an empty range', async () => {
    expect(await readAll(DAY - 86_400_000, DAY - 1, 2)).toEqual([]);
  });
});

describe('replay leaves the live system alone', () => {
  it('records no offer and feeds no live engine', async () => {
    const offersBefore = await server.services.db.query<{ n: number }>('SELECT count(*)::int AS n FROM offers');
    const pingsBefore = await server.services.db.query<{ n: number }>('SELECT count(*)::int AS n FROM pings');

    const report = await replay({ campaignId: scenario.campaignId, overrides: { radiusM: 400 } });
    expect(report.totals.devicesReached).toBe(4);

    const offersAfter = await server.services.db.query<{ n: number }>('SELECT count(*)::int AS n FROM offers');
    const pingsAfter = await server.services.db.query<{ n: number }>('SELECT count(*)::int AS n FROM pings');
    expect(offersAfter[0]!.n).toBe(offersBefore[0]!.n);
    expect(pingsAfter[0]!.n).toBe(pingsBefore[0]!.n);
    expect(server.services.runner.stats).toEqual({ pingsProcessed: 0, offersDecided: 0 });
    expect(server.services.engine.deviceCount).toBe(0);
  });
});

describe('replay validation', () => {
  it('rejects an unknown campaign', async () => {
    const missing = '00000000-0000-4000-8000-000000000000';
    const error = await rejection(replay({ campaignId: missing }));
    expect(error).toMatchObject({ code: 'not_found', field: 'campaignId', value: missing });
  });

  it('rejects a campaign id and a definition together', async () => {
    const error = await rejection(replay({ campaignId: scenario.campaignId, definition: { truckIds: 'all', window: SCENARIO_WINDOW, radiusM: 100 } }));
    expect(error).toMatchObject({ code: 'invalid_input', field: 'definition' });
  });

  it('rejects an unknown override', async () => {
    const error = await rejection(replay({ campaignId: scenario.campaignId, overrides: { radius: 300 } }));
    expect(error).toMatchObject({ code: 'invalid_input', field: 'overrides' });
    expect(error.message).toContain('radius');
  });

  it('rejects a request with neither', async () => {
    const error = await rejection(replay({ from: `${SCENARIO_DAY}T19:00:00Z` }));
    expect(error.field).toBe('campaignId');
    expect(error.message).toBe('invalid campaignId: missing (expected a campaign id, or a definition)');
  });

  it('names a negative radius override', async () => {
    const error = await rejection(replay({ campaignId: scenario.campaignId, overrides: { radiusM: -5 } }));
    expect(error).toMatchObject({ code: 'invalid_input', field: 'overrides.radiusM', value: -5 });
    expect(error.message).toMatch(/^invalid overrides\.radiusM: -5 /);
  });

  it('names a misspelt rule', async () => {
    const error = await rejection(replay({ campaignId: scenario.campaignId, overrides: { rules: { dwelMs: 1 } } }));
    expect(error.field).toBe('overrides.rules');
    expect(error.message).toContain('dwelMs');
  });

  it('names an out-of-range rule', async () => {
    const error = await rejection(replay({ definition: { truckIds: 'all', window: SCENARIO_WINDOW, radiusM: 100, rules: { dwellMs: -1 } } }));
    expect(error).toMatchObject({ field: 'definition.rules.dwellMs', value: -1 });
  });

  it('names a window override that ends before it starts', async () => {
    const error = await rejection(replay({ campaignId: scenario.campaignId, overrides: { window: { end: `${SCENARIO_DAY}T10:00` } } }));
    expect(error).toMatchObject({ field: 'overrides.window.end', value: `${SCENARIO_DAY}T10:00` });
  });

  it('names an unknown truck of a definition', async () => {
    const missing = '00000000-0000-4000-8000-0000000000aa';
    const error = await rejection(replay({ definition: { truckIds: [missing], window: SCENARIO_WINDOW, radiusM: 100 } }));
    expect(error).toMatchObject({ field: 'definition.truckIds', value: missing });
  });

  it('rejects a range longer than seven days', async () => {
    const error = await rejection(replay({ campaignId: scenario.campaignId, from: '2026-11-01T00:00:00Z', to: '2026-11-08T00:00:01Z' }));
    expect(error).toMatchObject({ field: 'to', value: '2026-11-08T00:00:01Z' });
    expect(error.message).toContain('at most 7 days');
  });

  it('rejects a range that ends before it starts', async () => {
    const error = await rejection(replay({ campaignId: scenario.campaignId, from: '2026-11-16T20:00:00Z', to: '2026-11-16T19:00:00Z' }));
    expect(error.field).toBe('to');
  });

  it('rejects a from without a zone', async () => {
    const error = await rejection(replay({ campaignId: scenario.campaignId, from: '2026-11-16T19:00:00' }));
    expect(error).toMatchObject({ field: 'from', value: '2026-11-16T19:00:00' });
    expect(error.message).toContain('ISO 8601 instant with a zone');
  });

  it('rejects more pings than the maximum', async () => {
    const error = await rejection(replay({ campaignId: scenario.campaignId }, { maxPings: PINGS_IN_WINDOW - 1 }));
    expect(error.field).toBe('to');
    expect(error.message).toContain(`more than ${PINGS_IN_WINDOW - 1} pings`);
  });
});

describe('replay from a ping file', () => {
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'cloudburst-ping-files-'));
  });

  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('reaches the same devices as the store', async () => {
    const file = path.join(dir, 'scenario.jsonl');
    await writeFile(file, `${scenarioJsonLines().join('\n')}\n`);

    const fromFile = await replay({ campaignId: scenario.campaignId }, { pingFile: file });
    const fromStore = await replay({ campaignId: scenario.campaignId });
    expect(fromFile.reached).toEqual(fromStore.reached);
    expect(fromFile.totals).toEqual(fromStore.totals);
    expect(fromFile.source).toEqual({ kind: 'file', file, format: 'jsonl', outsideRange: 2, invalidLines: 0, errors: [] });
  });

  it('reports bad lines by number and field and replays the rest', async () => {
    const lines = scenarioJsonLines();
    const file = path.join(dir, 'broken.jsonl');
    const broken = [
      lines[0],
      '{"deviceId": "x", "lat": 37.7,',
      lines[1],
      JSON.stringify({ deviceId: 'x', lat: 91, lon: -122.4, ts: WINDOW_FROM }),
      '',
      JSON.stringify({ lat: 37.7, lon: -122.4, ts: WINDOW_FROM }),
      JSON.stringify({ deviceId: 'x', lat: 37.7, lon: -122.4, ts: 'lunch time' }),
      ...lines.slice(2),
    ];
    await writeFile(file, broken.join('\n'));

    const report = await replay({ campaignId: scenario.campaignId }, { pingFile: file });
    expect(report.totals.devicesReached).toBe(3);
    expect(report.totals.pingsRead).toBe(PINGS_IN_WINDOW);
    if (report.source.kind !== 'file') throw new Error('expected a file source');
    expect(report.source.invalidLines).toBe(4);
    expect(report.source.errors.map((error) => [error.line, error.field, error.value])).toEqual([
      [2, '(line)', '{"deviceId": "x", "lat": 37.7,'],
      [4, 'lat', 91],
      [6, 'deviceId', undefined],
      [7, 'ts', 'lunch time'],
    ]);
    expect(report.source.errors[1]!.message).toBe('line 4: invalid lat: 91 (expected a number from -90 to 90)');
  });

  it('rejects impossible dates and negative times, and reads past a byte order mark', async () => {
    const lines = scenarioJsonLines();
    const file = path.join(dir, 'strict.jsonl');
    const strict = [
      `\uFEFF${lines[0]}`,
      JSON.stringify({ deviceId: 'x', lat: 37.7, lon: -122.4, ts: '2026-02-30T19:11:00Z' }),
      JSON.stringify({ deviceId: 'x', lat: 37.7, lon: -122.4, ts: -1 }),
      ...lines.slice(1),
    ];
    await writeFile(file, strict.join('\n'));

    const report = await replay({ campaignId: scenario.campaignId }, { pingFile: file });
    if (report.source.kind !== 'file') throw new Error('expected a file source');
    expect(report.source.errors.map((error) => [error.line, error.field, error.value])).toEqual([
      [2, 'ts', '2026-02-30T19:11:00Z'],
      [3, 'ts', -1],
    ]);
    expect(report.totals.pingsRead).toBe(PINGS_IN_WINDOW);
  });

  it('reads ISO times and numbers missing seqs', async () => {
    const file = path.join(dir, 'iso.jsonl');
    const pings = SCENARIO_PINGS.filter((ping) => ping.deviceId === DEVICES.nearTaco);
    // In reverse time order and without seq: the replay sorts and numbers them.
    const lines = pings.reverse().map((ping) => JSON.stringify({ deviceId: 'phone-1', lat: ping.lat, lon: ping.lon, ts: new Date(ping.ts).toISOString() }));
    await writeFile(file, lines.join('\n'));

    const report = await replay({ campaignId: scenario.campaignId }, { pingFile: file });
    expect(report.reached).toHaveLength(1);
    expect(report.reached[0]).toMatchObject({ deviceId: 'phone-1', offeredAt: `${SCENARIO_DAY}T19:10:00.000Z`, ping: { seq: 2 } });
  });

  it('lists at most a hundred bad lines', async () => {
    const file = path.join(dir, 'noise.jsonl');
    await writeFile(file, Array.from({ length: MAX_LINE_ERRORS + 20 }, () => 'not json').join('\n'));

    const report = await replay({ campaignId: scenario.campaignId }, { pingFile: file });
    if (report.source.kind !== 'file') throw new Error('expected a file source');
    expect(report.source.invalidLines).toBe(MAX_LINE_ERRORS + 20);
    expect(report.source.errors).toHaveLength(MAX_LINE_ERRORS);
    expect(report.totals.pingsRead).toBe(0);
  });

  it('reports bad CSV rows by line number and column', async () => {
    const file = path.join(dir, 'cabs.csv');
    const [a, b] = SCENARIO_PINGS;
    await writeFile(
      file,
      [
        'cab_id,latitude,longitude,occupied,unix_time',
        `cab-a,${a!.lat},${a!.lon},0,${a!.ts / 1000}`,
        `cab-a,north,${b!.lon},0,${b!.ts / 1000}`,
        `cab-a,${b!.lat},${b!.lon},0,${b!.ts / 1000}`,
        `cab-b,${b!.lat},,0,${b!.ts / 1000}`,
      ].join('\n'),
    );

    const report = await replay({ campaignId: scenario.campaignId }, { pingFile: file });
    expect(report.reached.map((device) => `${device.deviceId}@${device.offeredAt}`)).toEqual([`cab-a@${SCENARIO_DAY}T19:10:00.000Z`]);
    if (report.source.kind !== 'file') throw new Error('expected a file source');
    expect(report.source.format).toBe('cabspotting');
    expect(report.source.errors.map((error) => error.message)).toEqual([
      'line 3: invalid latitude: "north" (expected a number from -90 to 90)',
      'line 5: invalid longitude: "" (expected a number from -180 to 180)',
    ]);
  });

  it('rejects a file type it cannot read', async () => {
    const error = await rejection(replay({ campaignId: scenario.campaignId }, { pingFile: path.join(dir, 'pings.xml') }));
    expect(error).toMatchObject({ field: 'pings' });
    expect(error.message).toContain('expected a .jsonl, .ndjson or .csv file');
  });
});

describe('POST /v1/admin/replays', () => {
  it('rejects a missing admin token', async () => {
    const response = await fetch(`${server.url}/v1/admin/replays`, { method: 'POST', body: JSON.stringify({ campaignId: scenario.campaignId }) });
    expect(response.status).toBe(401);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe('unauthorized');
  });

  it('names the invalid field and value', async () => {
    const { status, body } = await adminRequest(server.url, 'POST', '/v1/admin/replays', { campaignId: 'lunch' }, ADMIN_TOKEN);
    expect(status).toBe(400);
    expect(body.error).toMatchObject({ code: 'invalid_input', field: 'campaignId', value: 'lunch' });
    expect(body.error.message).toBe('invalid campaignId: "lunch" (expected a campaign id (UUID))');
  });

  it('answers 404 for an unknown campaign', async () => {
    const missing = '00000000-0000-4000-8000-000000000000';
    const { status, body } = await adminRequest(server.url, 'POST', '/v1/admin/replays', { campaignId: missing }, ADMIN_TOKEN);
    expect(status).toBe(404);
    expect(body.error).toMatchObject({ code: 'not_found', field: 'campaignId' });
  });

  it('returns the report of a replay', async () => {
    const { status, body } = await adminRequest(
      server.url,
      'POST',
      '/v1/admin/replays',
      { campaignId: scenario.campaignId, overrides: { radiusM: 400 }, limit: 2, bucketMinutes: 60 },
      ADMIN_TOKEN,
    );
    expect(status).toBe(200);
    expect(body.totals).toMatchObject({ pingsRead: PINGS_IN_WINDOW, devicesReached: 4 });
    expect(body.reached.map((device: { deviceId: string }) => device.deviceId)).toEqual([DEVICES.nearTaco, DEVICES.wideOfTaco]);
    expect(body.histogram.buckets).toEqual([
      { start: `${SCENARIO_DAY}T19:00:00.000Z`, offers: 3 },
      { start: `${SCENARIO_DAY}T20:00:00.000Z`, offers: 1 },
    ]);
  });

  it('rejects a range over the server maximum of pings', async () => {
    const { status, body } = await adminRequest(
      server.url,
      'POST',
      '/v1/admin/replays',
      { campaignId: scenario.campaignId, from: `${SCENARIO_DAY}T18:00:00Z`, to: `${SCENARIO_DAY}T22:00:00Z` },
      ADMIN_TOKEN,
    );
    expect(status).toBe(400);
    expect(body.error.field).toBe('to');
    expect(body.error.message).toContain(`more than ${SERVER_MAX_PINGS} pings`);
  });
});

describe.skipIf(!existsSync(CABSPOTTING))('replay of the SF cabspotting slice', () => {
  const RADIUS_M = 250;
  /** Disagreements with PostGIS are accepted only this close to the fence boundary (metres). */
  const BOUNDARY_TOLERANCE_M = 0.05;
  let report: ReplayReport;
  let trucks: Array<{ id: string; lat: number; lon: number }>;

  beforeAll(async () => {
    const permits = await readApprovedPermits(BUNDLED_PERMITS);
    trucks = [];
    for (const permit of permits) {
      const { truck } = await upsertTruck(server.services.db, {
        name: permit.applicant,
        lat: permit.lat,
        lon: permit.lon,
        timeZone: 'America/Los_Angeles',
        permitLocationId: permit.locationId,
      });
      trucks.push(truck);
    }
    // The file covers 11:00 to 13:00 PDT on 4 June 2008. Speed and accuracy limits are
    // lifted so that the first ping inside any fence decides, as in the PostGIS oracle.
    report = await replay(
      {
        definition: {
          truckIds: trucks.map((truck) => truck.id),
          window: { start: '2008-06-04T11:00', end: '2008-06-04T13:00' },
          radiusM: RADIUS_M,
          rules: { maxSpeedMps: 100_000, maxAccuracyM: 100_000 },
        },
        limit: 10_000,
      },
      { pingFile: CABSPOTTING, maxPings: 100_000 },
    );
  }, 120_000);

  it('reads every fix of every cab', () => {
    expect(report.source).toMatchObject({ kind: 'file', format: 'cabspotting', invalidLines: 0, outsideRange: 0 });
    expect(report.totals.pingsRead).toBe(45_886);
    expect(report.totals.devicesSeen).toBe(472);
    expect(report.definition.fences).toBe(trucks.length);
  });

  it('reaches each cab at its first fix in a fence, as PostGIS finds', async () => {
    const { fixes } = await readTrajectories(CABSPOTTING);
    const expected = await firstInFencePairs(trucks, fixes, RADIUS_M);
    expect(expected.length).toBeGreaterThanOrEqual(12);

    const seqOfFix = new Map<number, number>();
    const fixesPerCab = new Map<string, number>();
    fixes.forEach((fix, index) => {
      const seq = (fixesPerCab.get(fix.trajectoryId) ?? 0) + 1;
      fixesPerCab.set(fix.trajectoryId, seq);
      seqOfFix.set(index, seq);
    });

    const want = new Map(expected.map((pair) => [pair.trajectoryId, `${pair.truckId}@${seqOfFix.get(pair.fixIndex)}`]));
    const got = new Map(report.reached.map((device) => [device.deviceId, `${device.truckId}@${device.ping.seq}`]));
    expect(report.totals.devicesReached).toBe(report.reached.length);

    for (const cab of new Set([...want.keys(), ...got.keys()])) {
      if (want.get(cab) === got.get(cab)) continue;
      // Haversine in doubles and PostGIS may round apart only within centimetres of the boundary.
      const pair = expected.find((candidate) => candidate.trajectoryId === cab);
      const device = report.reached.find((candidate) => candidate.deviceId === cab);
      const nearBoundary = [pair?.distanceM, device?.distanceM].some((d) => d !== undefined && Math.abs(d - RADIUS_M) < BOUNDARY_TOLERANCE_M);
      expect(nearBoundary, `cab ${cab}: PostGIS ${want.get(cab) ?? 'none'}, replay ${got.get(cab) ?? 'none'}`).toBe(true);
    }
  });

  it('reaches nobody with a window on another day', async () => {
    const other = await replay(
      {
        definition: { truckIds: trucks.map((truck) => truck.id), window: { start: '2008-06-05T11:00', end: '2008-06-05T13:00' }, radiusM: RADIUS_M },
        from: '2008-06-04T18:00:00Z',
        to: '2008-06-05T21:00:00Z',
      },
      { pingFile: CABSPOTTING, maxPings: 100_000 },
    );
    expect(other.totals.pingsRead).toBe(45_886);
    expect(other.totals.devicesReached).toBe(0);
  });
});
