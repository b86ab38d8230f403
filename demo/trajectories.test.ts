// Reads the real trajectory files in ../shared/data (licensed for internal testing only,
// never copied here). Skips only where that folder is absent; CI fails on any skip.
import { existsSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { describe, expect, it } from 'vitest';
import { defaultDataFile } from './data-files.js';
import { detectLayout, readTrajectories } from './trajectories.js';

const CABSPOTTING = defaultDataFile('sf_cabspotting_2008-06-04_1100-1300_PDT.csv');
const GEOLIFE = defaultDataFile('beijing_geolife_sample_11users.csv.gz');

describe('detectLayout', () => {
  it('recognises the cabspotting header', () => {
    expect(detectLayout(['cab_id', 'latitude', 'longitude', 'occupied', 'unix_time', 'time_utc'])).toBe('cabspotting');
  });

  it('recognises the GeoLife header', () => {
    const header = ['user_id', 'trajectory_id', 'latitude', 'longitude', 'zero', 'altitude_ft', 'days_since_1899_12_30', 'date_utc', 'time_utc'];
    expect(detectLayout(header)).toBe('geolife');
  });

  it('names the expected columns for an unknown header', () => {
    expect(() => detectLayout(['lat', 'lng'])).toThrow(/unknown trajectory layout: header \["lat","lng"\]/);
  });
});

describe.skipIf(!existsSync(CABSPOTTING))('readTrajectories on the real files', () => {
  it('reads the SF lunch slice in time order', async () => {
    const { layout, fixes, skipped } = await readTrajectories(CABSPOTTING);
    expect(layout).toBe('cabspotting');
    expect(fixes).toHaveLength(45_886);
    expect(skipped).toBe(0);
    expect(new Set(fixes.map((fix) => fix.trajectoryId)).size).toBe(472);
    expect(fixes[0]!.time).toBe(Date.parse('2008-06-04T18:00:00Z'));
    for (let i = 1; i < fixes.length; i++) expect(fixes[i]!.time).toBeGreaterThanOrEqual(fixes[i - 1]!.time);
  });

  it('reads the gzipped GeoLife sample', async () => {
    const { layout, fixes } = await readTrajectories(GEOLIFE);
    expect(layout).toBe('geolife');
    expect(fixes).toHaveLength(164_531);
    expect(fixes.some((fix) => fix.trajectoryId === '000/20081023025304')).toBe(true);
    const first = fixes.find((fix) => fix.trajectoryId === '000/20081023025304')!;
    expect(first).toMatchObject({ lat: 39.984702, lon: 116.318417, time: Date.parse('2008-10-23T02:53:04Z') });
  });
});

describe('readTrajectories errors', () => {
  it('rejects a missing file', async () => {
    await expect(readTrajectories('/nonexistent/trajectories.csv')).rejects.toThrow(/ENOENT/);
  });

  it('rejects a corrupt gzip file', async () => {
    const dir = await mkdtemp(`${tmpdir()}/cloudburst-gz-`);
    await writeFile(`${dir}/broken.csv.gz`, 'not gzip at all');
    await expect(readTrajectories(`${dir}/broken.csv.gz`)).rejects.toThrow(/header|gzip/i);
  });
});
