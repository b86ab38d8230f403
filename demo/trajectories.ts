import { createReadStream } from 'node:fs';
import { createGunzip } from 'node:zlib';
import { parse } from 'csv-parse';

/** One recorded fix of a trajectory. */
export interface TrajectoryFix {
  /** The data set's own id of the moving thing: a cab name, or `user/trajectory` for GeoLife. */
  trajectoryId: string;
  lat: number;
  lon: number;
  /** Recorded time, milliseconds since the epoch (UTC). */
  time: number;
}

export type TrajectoryLayout = 'cabspotting' | 'geolife';

const CABSPOTTING_COLUMNS = ['cab_id', 'latitude', 'longitude', 'unix_time'];
const GEOLIFE_COLUMNS = ['user_id', 'trajectory_id', 'latitude', 'longitude', 'date_utc', 'time_utc'];

/** Tells the layout from the header row. */
export function detectLayout(header: string[]): TrajectoryLayout {
  if (CABSPOTTING_COLUMNS.every((column) => header.includes(column))) return 'cabspotting';
  if (GEOLIFE_COLUMNS.every((column) => header.includes(column))) return 'geolife';
  throw new Error(
    `unknown trajectory layout: header ${JSON.stringify(header)} (expected the cabspotting columns ${CABSPOTTING_COLUMNS.join(',')} or the GeoLife columns ${GEOLIFE_COLUMNS.join(',')})`,
  );
}

/** A row that `readTrajectories` skipped, and the first of its cells found invalid. */
export interface SkippedRow {
  /** Line number in the file; the header is line 1. */
  line: number;
  /** Column name of the invalid cell. */
  field: string;
  /** The cell as read, or undefined when the row has no such cell. */
  value: string | undefined;
  /** Expected content of the cell, e.g. `a number from -90 to 90`. */
  expected: string;
}

export interface ReadTrajectoriesOptions {
  /** Called for each skipped row, in file order. */
  onSkippedRow?: (row: SkippedRow) => void;
}

/**
 * Reads a trajectory CSV (plain or .gz) in the cabspotting or GeoLife layout and
 * returns its fixes sorted by time (file order among equal times). Rows with a
 * missing id, or a missing or non-numeric coordinate or time, are counted in
 * `skipped` and passed to `onSkippedRow`, not returned.
 */
export async function readTrajectories(
  file: string,
  options: ReadTrajectoriesOptions = {},
): Promise<{ layout: TrajectoryLayout; fixes: TrajectoryFix[]; skipped: number }> {
  // A row with too few or too many cells is reported like a row with a bad cell, not a fatal error.
  const parser = parse({ columns: true, bom: true, skip_empty_lines: true, info: true, relax_column_count: true });
  // pipe() does not forward errors, so a missing or corrupt file must reach the parser by hand.
  const input = createReadStream(file).on('error', (error) => parser.destroy(error));
  const text = file.endsWith('.gz') ? input.pipe(createGunzip().on('error', (error) => parser.destroy(error))) : input;
  text.pipe(parser);

  let layout: TrajectoryLayout | undefined;
  const fixes: TrajectoryFix[] = [];
  let skipped = 0;

  for await (const { record, info } of parser as AsyncIterable<{ record: Record<string, string>; info: { lines: number } }>) {
    layout ??= detectLayout(Object.keys(record));
    const fix = layout === 'cabspotting' ? cabspottingFix(record) : geolifeFix(record);
    if ('trajectoryId' in fix) {
      fixes.push(fix);
    } else {
      skipped++;
      options.onSkippedRow?.({ line: info.lines, ...fix });
    }
  }
  if (!layout) throw new Error(`trajectory file ${file} has no rows`);

  // Array.prototype.sort is stable, so equal times keep file order.
  fixes.sort((a, b) => a.time - b.time);
  return { layout, fixes, skipped };
}

/** The first invalid cell of a row. */
type InvalidCell = Omit<SkippedRow, 'line'>;

function cabspottingFix(row: Record<string, string>): TrajectoryFix | InvalidCell {
  if (!row.cab_id) return { field: 'cab_id', value: row.cab_id, expected: 'a cab name' };
  const seconds = parseNumber(row.unix_time);
  if (seconds === undefined) return { field: 'unix_time', value: row.unix_time, expected: 'seconds since the epoch' };
  return withPosition(row, row.cab_id, seconds * 1000);
}

function geolifeFix(row: Record<string, string>): TrajectoryFix | InvalidCell {
  if (!row.user_id) return { field: 'user_id', value: row.user_id, expected: 'a user id' };
  if (!row.trajectory_id) return { field: 'trajectory_id', value: row.trajectory_id, expected: 'a trajectory id' };
  if (!/^\d{4}-\d{2}-\d{2}$/.test(row.date_utc ?? '')) return { field: 'date_utc', value: row.date_utc, expected: 'a UTC date like 2008-10-23' };
  const time = Date.parse(`${row.date_utc}T${row.time_utc}Z`);
  if (!Number.isFinite(time)) return { field: 'time_utc', value: row.time_utc, expected: 'a UTC time like 02:53:04' };
  return withPosition(row, `${row.user_id}/${row.trajectory_id}`, time);
}

function withPosition(row: Record<string, string>, trajectoryId: string, time: number): TrajectoryFix | InvalidCell {
  const lat = parseNumber(row.latitude);
  if (lat === undefined || lat < -90 || lat > 90) return { field: 'latitude', value: row.latitude, expected: 'a number from -90 to 90' };
  const lon = parseNumber(row.longitude);
  if (lon === undefined || lon < -180 || lon > 180) return { field: 'longitude', value: row.longitude, expected: 'a number from -180 to 180' };
  return { trajectoryId, lat, lon, time };
}

/** Reads a numeric cell; an empty cell is missing, not 0 as `Number('')` would make it. */
function parseNumber(cell: string | undefined): number | undefined {
  if (cell === undefined || cell.trim() === '') return undefined;
  const value = Number(cell);
  return Number.isFinite(value) ? value : undefined;
}
