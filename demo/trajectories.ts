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

/**
 * Reads a trajectory CSV (plain or .gz) in the cabspotting or GeoLife layout and
 * returns its fixes sorted by time (file order among equal times). Rows with
 * non-numeric coordinates or times are counted in `skipped`, not returned.
 */
export async function readTrajectories(file: string): Promise<{ layout: TrajectoryLayout; fixes: TrajectoryFix[]; skipped: number }> {
  const parser = parse({ columns: true, bom: true, skip_empty_lines: true });
  // pipe() does not forward errors, so a missing or corrupt file must reach the parser by hand.
  const input = createReadStream(file).on('error', (error) => parser.destroy(error));
  const text = file.endsWith('.gz') ? input.pipe(createGunzip().on('error', (error) => parser.destroy(error))) : input;
  text.pipe(parser);

  let layout: TrajectoryLayout | undefined;
  const fixes: TrajectoryFix[] = [];
  let skipped = 0;

  for await (const row of parser as AsyncIterable<Record<string, string>>) {
    layout ??= detectLayout(Object.keys(row));
    const fix = layout === 'cabspotting' ? cabspottingFix(row) : geolifeFix(row);
    if (fix) fixes.push(fix);
    else skipped++;
  }
  if (!layout) throw new Error(`trajectory file ${file} has no rows`);

  // Array.prototype.sort is stable, so equal times keep file order.
  fixes.sort((a, b) => a.time - b.time);
  return { layout, fixes, skipped };
}

function cabspottingFix(row: Record<string, string>): TrajectoryFix | undefined {
  return validFix(row.cab_id, Number(row.latitude), Number(row.longitude), Number(row.unix_time) * 1000);
}

function geolifeFix(row: Record<string, string>): TrajectoryFix | undefined {
  const time = Date.parse(`${row.date_utc}T${row.time_utc}Z`);
  return validFix(`${row.user_id}/${row.trajectory_id}`, Number(row.latitude), Number(row.longitude), time);
}

function validFix(trajectoryId: string | undefined, lat: number, lon: number, time: number): TrajectoryFix | undefined {
  if (!trajectoryId || !Number.isFinite(lat) || !Number.isFinite(lon) || !Number.isFinite(time)) return undefined;
  if (lat < -90 || lat > 90 || lon < -180 || lon > 180) return undefined;
  return { trajectoryId, lat, lon, time };
}
