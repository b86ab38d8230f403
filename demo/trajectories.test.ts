// Reads the real trajectory files in ../shared/data (licensed for internal testing only,
// never copied here). Skips only where that folder is absent; CI fails on any skip.
import { existsSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { describe, expect, it } from 'vitest';
import { defaultDataFile } from './data-files.js';
import { detectLayout, readTrajectories, type SkippedRow } from './trajectories.js';

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

describe('readTrajectories skipped rows', () => {
  it('names the line and column of each skipped row', async () => {
    const dir = await mkdtemp(`${tmpdir()}/cloudburst-rows-`);
    const file = `${dir}/rows.csv`;
    await writeFile(
      file,
      [
        'user_id,trajectory_id,latitude,longitude,date_utc,time_utc',
        '007,1,39.9,116.3,2008-10-23,02:53:04',
        '007,1,39.9,,2008-10-23,02:53:10',
        '007,1,39.9,116.3,23/10/2008,02:53:16',
        ',1,39.9,116.3,2008-10-23,02:53:22',
      ].join('\n'),
    );
    const skipped: SkippedRow[] = [];

    const { fixes } = await readTrajectories(file, { onSkippedRow: (row) => skipped.push(row) });
    expect(fixes).toHaveLength(1);
    expect(skipped.map(({ line, field, value }) => [line, field, value])).toEqual([
      [3, 'longitude', ''],
      [4, 'date_utc', '23/10/2008'],
      [5, 'user_id', ''],
    ]);
  });

  it('skips a row with a missing cell and reads on', async () => {
    const dir = await mkdtemp(`${tmpdir()}/cloudburst-short-`);
    const file = `${dir}/short.csv`;
    await writeFile(
      file,
      ['cab_id,unix_time,latitude,longitude', 'abboip,1212580800,37.77,-122.41', 'abboip,1212580860,37.77', 'abboip,1212580920,37.78,-122.42'].join('\n'),
    );
    const skipped: SkippedRow[] = [];

    const { fixes } = await readTrajectories(file, { onSkippedRow: (row) => skipped.push(row) });
    expect(fixes).toHaveLength(2);
    expect(skipped.map(({ line, field }) => [line, field])).toEqual([[3, 'longitude']]);
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
