// Replays the real SF lunch slice from ../shared/data (licensed for internal testing only,
// never copied here). Skips only where that folder is absent; CI fails on any skip.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultDataFile } from '../demo/data-files.js';
import { startTestServer } from './helpers.js';

const run = promisify(execFile);
const REPO = path.resolve(import.meta.dirname, '..');
const TRAJECTORIES = defaultDataFile('sf_cabspotting_2008-06-04_1100-1300_PDT.csv');

describe.skipIf(!existsSync(TRAJECTORIES))('cloudburst demo command', () => {
  let server: Awaited<ReturnType<typeof startTestServer>>;
  let summary: Record<string, any>;
  let lines: Array<Record<string, any>>;

  beforeAll(async () => {
    server = await startTestServer();
    const out = path.join(server.dataDir, 'offers.jsonl');
    // The built CLI, as `npm run demo` would run it; `npm test` builds dist/ first.
    const { stdout } = await run(
      process.execPath,
      ['dist/cli/cloudburst.js', 'demo', '--url', server.url, '--token', server.adminToken, '--minutes', '15', '--speedup', '300', '--radius', '300', '--out', out],
      { cwd: REPO, timeout: 120_000 },
    );
    summary = JSON.parse(stdout.trim().split('\n').at(-1)!);
    lines = (await readFile(out, 'utf8')).trim().split('\n').map((line) => JSON.parse(line));
  }, 180_000);

  afterAll(async () => {
    await server?.cleanup();
  });

  it('prints the summary line', () => {
    expect(summary).toMatchObject({ trucks: 58, devices: expect.any(Number), offersReceived: lines.length });
    expect(summary.pingsSent).toBeGreaterThan(3_000);
    expect(summary.pingsAcknowledged).toBe(summary.pingsSent);
    expect(summary.latencyMs.p50).toBeGreaterThan(0);
    expect(summary.latencyMs.p99).toBeGreaterThanOrEqual(summary.latencyMs.p50);
  });

  it('writes one line per offer with its origin', () => {
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) {
      expect(line.trajectoryId).toMatch(/^[a-z]+$/);
      expect(line.permitLocationId).toMatch(/^\d+$/);
      expect(line.code).toMatch(/^[23456789ABCDEFGHJKMNPQRSTUVWXYZ]{8}$/);
      expect(line.ping.recordedAt).toMatch(/^2008-06-04T/);
      expect(Number.isFinite(line.ping.lat)).toBe(true);
      expect(Number.isFinite(line.ping.lon)).toBe(true);
      expect(line.distanceM).toBeLessThanOrEqual(300);
      expect(line.latencyMs).toBeGreaterThan(0);
    }
  });
});
