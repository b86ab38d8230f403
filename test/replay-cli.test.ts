import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../common/logger.js';
import { migrate } from '../store/migrate.js';
import { openStore } from '../store/open-store.js';
import { backendEnv, backendOptions } from './backend.js';
import { DEVICES, loadScenario, PINGS_IN_WINDOW, SCENARIO_DAY, SCENARIO_WINDOW, scenarioJsonLines, type ScenarioStore } from './replay-scenario.js';

const run = promisify(execFile);
const REPO = path.resolve(import.meta.dirname, '..');

interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

describe('cloudburst replay command', () => {
  let dataDir: string;
  let env: NodeJS.ProcessEnv;
  let scenario: ScenarioStore;

  /** Runs the built CLI, as `npm test` builds it into dist/, and returns its exit code and output. */
  async function cli(args: string[], extraEnv: NodeJS.ProcessEnv = {}): Promise<CliResult> {
    try {
      const { stdout, stderr } = await run(process.execPath, ['dist/cli/cloudburst.js', 'replay', ...args], {
        cwd: REPO,
        env: { ...env, ...extraEnv },
        timeout: 60_000,
      });
      return { code: 0, stdout, stderr };
    } catch (error) {
      const failed = error as { code?: number; stdout?: string; stderr?: string };
      if (typeof failed.code !== 'number') throw error;
      return { code: failed.code, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
    }
  }

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'cloudburst-replay-cli-'));
    const backend = await backendOptions();
    const db = await openStore({ databaseUrl: backend.databaseUrl, dataDir: path.join(dataDir, 'pglite'), logger: silentLogger() });
    try {
      await migrate(db, silentLogger());
      scenario = await loadScenario(db);
    } finally {
      await db.close();
    }

    // CI exports DATABASE_URL for the services; the embedded run must not pick it up.
    env = { ...process.env, DATA_DIR: dataDir, ...backendEnv(backend) };
    if (!backend.databaseUrl) delete env.DATABASE_URL;
    delete env.REPLAY_MAX_PINGS;
    delete env.LOG_LEVEL;
  });

  afterAll(async () => {
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('lists its options in --help', async () => {
    const { code, stdout } = await cli(['--help']);
    expect(code).toBe(0);
    for (const option of ['--campaign ID', '--definition FILE', '--radius METRES', '--from INSTANT', '--to INSTANT', '--pings FILE', '--rules JSON', '--dwell-ms MS', '--json', '--limit N']) {
      expect(stdout).toContain(option);
    }
  });

  it('prints a stored campaign replay as JSON', async () => {
    const { code, stdout, stderr } = await cli(['--campaign', scenario.campaignId, '--json']);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const report = JSON.parse(stdout);
    expect(report.totals).toMatchObject({ pingsRead: PINGS_IN_WINDOW, devicesReached: 3 });
    expect(report.reached.map((device: { deviceId: string }) => device.deviceId)).toEqual([DEVICES.nearTaco, DEVICES.jumpsToTaco, DEVICES.dwellsAtCurry]);
  });

  it('prints a summary table for a wider radius', async () => {
    const { code, stdout } = await cli(['--campaign', scenario.campaignId, '--radius', '400']);
    expect(code).toBe(0);
    expect(stdout).toContain(`Replay of campaign ${scenario.campaignId}: radius 400 m, window ${SCENARIO_WINDOW.start} to ${SCENARIO_WINDOW.end} (local), 2 fences`);
    expect(stdout).toMatch(/^ {2}devices reached +4$/m);
    expect(stdout).toMatch(/^ {2}Taco Cloud +3$/m);
    expect(stdout).toContain('Reached devices (first 4 of 4)');
    expect(stdout).toMatch(new RegExp(`^ {2}${SCENARIO_DAY}T11:25:00 +${DEVICES.wideOfTaco} +Taco Cloud +300\\.0$`, 'm'));
  });

  it('replays a definition over a ping file with rule flags', async () => {
    const definition = path.join(dataDir, 'definition.json');
    await writeFile(definition, JSON.stringify({ truckIds: [scenario.curry.id], window: SCENARIO_WINDOW, radiusM: 200 }));
    const pings = path.join(dataDir, 'pings.jsonl');
    const lines = scenarioJsonLines();
    await writeFile(pings, [...lines.slice(0, 2), '{"deviceId":"x","lat":"north","lon":0,"ts":0}', ...lines.slice(2)].join('\n'));

    const { code, stdout } = await cli(['--definition', definition, '--pings', pings, '--offer-on', 'dwell', '--dwell-ms', '30000', '--json']);
    expect(code).toBe(0);
    const report = JSON.parse(stdout);
    expect(report.campaignId).toBeNull();
    expect(report.definition.rules).toMatchObject({ offerOn: 'dwell', dwellMs: 30_000 });
    expect(report.reached.map((device: { deviceId: string; offeredAt: string }) => `${device.deviceId}@${device.offeredAt}`)).toEqual([
      `${DEVICES.dwellsAtCurry}@${SCENARIO_DAY}T20:06:30.000Z`,
    ]);
    expect(report.source).toMatchObject({ kind: 'file', format: 'jsonl', invalidLines: 1 });
    expect(report.source.errors).toEqual([
      { line: 3, field: 'lat', value: 'north', message: 'line 3: invalid lat: "north" (expected a number from -90 to 90)' },
    ]);
  });

  it('prints the invalid lines of a ping file', async () => {
    const pings = path.join(dataDir, 'broken.jsonl');
    await writeFile(pings, ['not json', ...scenarioJsonLines()].join('\n'));

    const { code, stdout } = await cli(['--campaign', scenario.campaignId, '--pings', pings]);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^ {2}invalid lines +1$/m);
    expect(stdout).toContain('  line 1: not JSON (');
  });

  it('names the option of an invalid value', async () => {
    const { code, stderr } = await cli(['--campaign', scenario.campaignId, '--radius', '60000']);
    expect(code).toBe(1);
    expect(stderr).toMatch(/^cloudburst: invalid overrides\.radiusM: 60000 \(.*50000\) \(set by --radius\)\n$/);
  });

  it('rejects a count or radius that is not a plain decimal', async () => {
    const fraction = await cli(['--campaign', scenario.campaignId, '--max-pings', '1.5']);
    expect(fraction.code).toBe(1);
    expect(fraction.stderr).toBe('cloudburst: invalid --max-pings: "1.5" (expected a whole number of at least 1)\n');

    const hex = await cli(['--campaign', scenario.campaignId, '--radius', '0x10']);
    expect(hex.code).toBe(1);
    expect(hex.stderr).toBe('cloudburst: invalid --radius: "0x10" (expected a decimal number)\n');
  });

  it('requires a campaign or a definition', async () => {
    const { code, stderr } = await cli(['--radius', '300']);
    expect(code).toBe(1);
    expect(stderr).toBe('cloudburst: missing --campaign ID or --definition FILE (see "cloudburst replay --help")\n');
  });

  it('refuses an embedded store another process has open', async () => {
    // A folder that looks like a PGlite store held by a running server.
    const busyDir = path.join(dataDir, 'busy');
    await mkdir(path.join(busyDir, 'pglite'), { recursive: true });
    await writeFile(path.join(busyDir, 'pglite', 'PG_VERSION'), '17\n');
    await writeFile(path.join(busyDir, 'pglite', 'postmaster.pid'), '-42\n');

    const { code, stderr } = await cli(['--campaign', scenario.campaignId, '--data-dir', busyDir], { DATABASE_URL: '' });
    expect(code).toBe(1);
    expect(stderr).toContain(`the embedded store in ${path.join(busyDir, 'pglite')} is open in another process`);
  });

  it('reports a missing embedded store', async () => {
    const emptyDir = path.join(dataDir, 'empty');
    const { code, stderr } = await cli(['--campaign', scenario.campaignId, '--data-dir', emptyDir], { DATABASE_URL: '' });
    expect(code).toBe(1);
    expect(stderr).toContain(`no embedded store in ${path.join(emptyDir, 'pglite')}`);
  });
});
