import { createReadStream } from 'node:fs';
import { access } from 'node:fs/promises';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { createGunzip } from 'node:zlib';
import { clipValue, CloudburstError, formatValue, invalidInput } from '../common/errors.js';
import { readTrajectories, type SkippedRow } from '../demo/trajectories.js';
import type { EnginePing } from '../engine/index.js';
import { DEFAULT_INGEST_LIMITS } from '../ingest/limits.js';

/**
 * Accuracy given to pings that carry none. Trajectory files record no accuracy, and
 * 10 m is a typical outdoor GPS fix; the demo sends the same value.
 */
export const DEFAULT_FILE_ACCURACY_M = 10;
/** Invalid lines listed one by one; the rest are only counted, so a broken file cannot bloat the report. */
export const MAX_LINE_ERRORS = 100;
/** Maximum length of a device id read from a file. The store's device ids are 36-character UUIDs. */
const MAX_DEVICE_ID_CHARS = 200;
/** An ISO 8601 instant with a zone, e.g. 2026-12-04T19:00:00Z or 2026-12-04T11:00:00.250-08:00. */
const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;

export type PingFileFormat = 'jsonl' | 'cabspotting' | 'geolife';

/** An invalid line of a ping file, skipped by the replay. */
export interface PingLineError {
  /** Line number, from 1. In a CSV file the header is line 1. */
  line: number;
  /** The invalid field, or `(line)` when the line is not a JSON object. */
  field: string;
  value: unknown;
  message: string;
}

export interface PingFileOptions {
  /** Start of the range, inclusive, in ms since the epoch. Pings outside the range are counted, not kept. */
  from: number;
  /** End of the range, exclusive. */
  to: number;
  /** Reading fails with `invalid_input` once the range contains more than this many pings. */
  maxPings: number;
}

export interface PingFileContents {
  format: PingFileFormat;
  /** Valid pings in the range, by time (file order among equal times), each with a seq. */
  pings: EnginePing[];
  /** Valid pings outside the range. */
  outsideRange: number;
  invalidLines: number;
  /** The first MAX_LINE_ERRORS invalid lines. */
  errors: PingLineError[];
}

/**
 * Reads the pings of a recorded file: JSON lines (`.jsonl`, `.ndjson`) of
 * `{ deviceId, seq?, lat, lon, accuracy?, ts }`, or a cabspotting or GeoLife trajectory
 * CSV (`.csv`), each optionally gzipped (`.gz`). Each trajectory of a CSV becomes one
 * device, named by its trajectory id. Invalid lines are counted and listed with their
 * line number and field, and the valid ones are still read.
 *
 * A ping without `seq` gets one above the device's previous seq in time order. A file
 * should give seq for all pings of a device or for none: a given seq at or below
 * an earlier one of the same device is a duplicate, and the engine ignores it.
 */
export async function readPingFile(file: string, options: PingFileOptions): Promise<PingFileContents> {
  const type = fileType(file);
  try {
    await access(file);
  } catch (error) {
    throw new CloudburstError('invalid_input', `invalid pings: cannot read ${file} (${(error as Error).message})`, {
      field: 'pings',
      value: file,
      cause: error,
    });
  }

  const errors = new LineErrors();
  const inRange: NumberedPing[] = [];
  let outsideRange = 0;
  const collect = (ping: NumberedPing): void => {
    if (ping.ts < options.from || ping.ts >= options.to) {
      outsideRange++;
      return;
    }
    inRange.push(ping);
    if (inRange.length > options.maxPings) throw tooManyPings(options.maxPings);
  };

  let format: PingFileFormat;
  if (type === 'jsonl') {
    format = 'jsonl';
    await readJsonLines(file, collect, errors);
  } else {
    const { layout, fixes } = await readTrajectories(file, { onSkippedRow: (row) => errors.add(csvRowError(row)) }).catch((error: Error) => {
      throw readFailed(file, 'as a trajectory CSV', error);
    });
    format = layout;
    for (const fix of fixes) {
      collect({ deviceId: fix.trajectoryId, seq: undefined, lat: fix.lat, lon: fix.lon, accuracyM: DEFAULT_FILE_ACCURACY_M, ts: fix.time });
    }
  }

  // Array.prototype.sort is stable, so equal times keep file order.
  inRange.sort((a, b) => a.ts - b.ts);
  return { format, pings: numberPings(inRange), outsideRange, invalidLines: errors.count, errors: errors.listed };
}

/** Returns the error for a range that contains more pings than a replay may read. */
export function tooManyPings(maxPings: number): CloudburstError {
  return new CloudburstError(
    'invalid_input',
    `invalid to: the replay range contains more than ${maxPings} pings, the maximum per replay (choose a shorter range with from and to)`,
    { field: 'to' },
  );
}

function readFailed(file: string, where: string, error: Error): CloudburstError {
  return new CloudburstError('invalid_input', `reading ${file} failed ${where}: ${error.message}`, { field: 'pings', value: file, cause: error });
}

/** A ping read from a file, whose seq may still be missing. */
type NumberedPing = Omit<EnginePing, 'seq'> & { seq: number | undefined };

function fileType(file: string): 'jsonl' | 'csv' {
  const name = path.basename(file).toLowerCase().replace(/\.gz$/, '');
  if (name.endsWith('.jsonl') || name.endsWith('.ndjson')) return 'jsonl';
  if (name.endsWith('.csv')) return 'csv';
  throw new CloudburstError('invalid_input', `invalid pings: ${JSON.stringify(file)} (expected a .jsonl, .ndjson or .csv file, optionally .gz)`, {
    field: 'pings',
    value: file,
  });
}

async function readJsonLines(file: string, collect: (ping: NumberedPing) => void, errors: LineErrors): Promise<void> {
  const input = createReadStream(file);
  const text = file.endsWith('.gz') ? input.pipe(createGunzip()) : input;
  // pipe() does not forward a read error to gunzip, so a read error closes the line
  // reader by hand. A gunzip error reaches the loop through readline.
  const lines = createInterface({ input: text, crlfDelay: Infinity });
  let failure: Error | undefined;
  const fail = (error: Error) => {
    failure ??= error;
    lines.close();
  };
  input.on('error', fail);
  if (text !== input) text.on('error', fail);

  let line = 0;
  try {
    for await (const content of lines) {
      line++;
      // A byte order mark may open a file saved by a spreadsheet or a Windows editor.
      const text = line === 1 ? content.replace(/^\uFEFF/, '') : content;
      if (text.trim() === '') continue;
      const result = parseJsonLine(text);
      if (result instanceof CloudburstError) errors.add({ line, field: result.field ?? '(line)', value: result.value, message: `line ${line}: ${result.message}` });
      else collect(result);
    }
  } catch (error) {
    if (error instanceof CloudburstError) throw error;
    failure ??= error as Error;
  } finally {
    lines.close();
    input.destroy();
  }
  if (failure) throw readFailed(file, `after line ${line}`, failure);
}

/** Parses one JSON line into a ping, or returns the error naming its first invalid field. */
function parseJsonLine(content: string): NumberedPing | CloudburstError {
  let value: unknown;
  try {
    value = JSON.parse(content);
  } catch (error) {
    return new CloudburstError('invalid_input', `not JSON (${(error as Error).message})`, { field: '(line)', value: clipValue(content) });
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return invalidInput('(line)', value, 'a JSON object with deviceId, lat, lon and ts');
  }
  const raw = value as Record<string, unknown>;

  const { deviceId, seq, lat, lon, accuracy } = raw;
  if (typeof deviceId !== 'string' || deviceId.length === 0 || deviceId.length > MAX_DEVICE_ID_CHARS) {
    return invalidInput('deviceId', deviceId, `a device id, a string of 1 to ${MAX_DEVICE_ID_CHARS} characters`);
  }
  if (seq !== undefined && (typeof seq !== 'number' || !Number.isSafeInteger(seq) || seq < 1)) {
    return invalidInput('seq', seq, 'a positive integer, or no seq');
  }
  if (!isNumberInRange(lat, -90, 90)) return invalidInput('lat', lat, 'a number from -90 to 90');
  if (!isNumberInRange(lon, -180, 180)) return invalidInput('lon', lon, 'a number from -180 to 180');
  const maxAccuracyM = DEFAULT_INGEST_LIMITS.maxAccuracyM;
  if (accuracy !== undefined && !isNumberInRange(accuracy, 0, maxAccuracyM)) {
    return invalidInput('accuracy', accuracy, `a radius in metres from 0 to ${maxAccuracyM}, or no accuracy`);
  }
  const ts = parseTimestamp(raw.ts);
  if (ts === undefined) {
    return invalidInput('ts', raw.ts, 'an integer time in ms since the epoch, or an ISO 8601 instant with a zone like "2026-12-04T19:00:00Z"');
  }

  return { deviceId, seq, lat, lon, accuracyM: accuracy ?? DEFAULT_FILE_ACCURACY_M, ts };
}

/**
 * Reads a fix time: non-negative milliseconds since the epoch, or an ISO 8601 instant
 * on a real calendar date (Date.parse alone turns 30 February into 2 March).
 */
function parseTimestamp(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isSafeInteger(value) && value >= 0 ? value : undefined;
  if (typeof value !== 'string' || !ISO_INSTANT.test(value)) return undefined;
  const ts = Date.parse(value);
  if (!Number.isFinite(ts)) return undefined;

  const [year, month, day] = value.slice(0, 10).split('-').map(Number) as [number, number, number];
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  return month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth ? ts : undefined;
}

function isNumberInRange(value: unknown, min: number, max: number): value is number {
  return typeof value === 'number' && Number.isFinite(value) && value >= min && value <= max;
}

function csvRowError(row: SkippedRow): PingLineError {
  return {
    line: row.line,
    field: row.field,
    value: row.value,
    message: `line ${row.line}: invalid ${row.field}: ${formatValue(row.value)} (expected ${row.expected})`,
  };
}

/** Gives every ping without a seq the next one of its device, in time order. */
function numberPings(pings: NumberedPing[]): EnginePing[] {
  const lastSeq = new Map<string, number>();
  return pings.map((ping) => {
    const previous = lastSeq.get(ping.deviceId) ?? 0;
    const seq = ping.seq ?? previous + 1;
    lastSeq.set(ping.deviceId, Math.max(previous, seq));
    return { ...ping, seq };
  });
}

/** Counts invalid lines and keeps the first MAX_LINE_ERRORS of them. */
class LineErrors {
  count = 0;
  readonly listed: PingLineError[] = [];

  add(error: PingLineError): void {
    this.count++;
    if (this.listed.length < MAX_LINE_ERRORS) this.listed.push(error);
  }
}
