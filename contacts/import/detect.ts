import { CsvError } from 'csv-parse';
import { parse } from 'csv-parse/sync';
import { normalizeColumnName } from './columns.js';
import type { DetectedFormat, SegmentSource } from './types.js';

/** A field delimiter that sniffDelimiter can pick. */
export type Delimiter = ',' | '\t' | ';';

const DELIMITERS: readonly Delimiter[] = [',', '\t', ';'];

const SOURCE_BY_FORMAT: Readonly<Record<DetectedFormat, SegmentSource | undefined>> = {
  'meta-leads': 'facebook',
  square: 'point_of_sale',
  'x-followers': 'twitter',
  csv: undefined,
  json: undefined,
};

/** Returns the segment source that a format implies. */
export function sourceOf(format: DetectedFormat): SegmentSource | undefined {
  return SOURCE_BY_FORMAT[format];
}

/**
 * Detects the format from the start of the file: an X archive assignment, a
 * JSON array, or a CSV header whose columns name a known export.
 *
 * @param head - the decoded start of the file without its byte order mark
 */
export function detectFormat(head: string): DetectedFormat {
  const text = head.trimStart();
  if (text.startsWith('window.YTD.')) {
    return 'x-followers';
  }
  if (text.startsWith('[') || text.startsWith('{')) {
    return 'json';
  }

  const line = firstLine(text);
  const names = new Set(headerCells(line, sniffDelimiter(line)).map(normalizeColumnName));
  if (names.has('phonenumber') && names.has('fullname') && names.has('formid')) {
    return 'meta-leads';
  }
  if (names.has('squarecustomerid') || (names.has('referenceid') && names.has('emailaddress'))) {
    return 'square';
  }
  return 'csv';
}

/**
 * Picks the delimiter that occurs most often outside quotes in a header line.
 * A comma wins ties and a line without any delimiter, because a one-column
 * CSV file has none.
 */
export function sniffDelimiter(line: string): Delimiter {
  const counts = new Map<Delimiter, number>(DELIMITERS.map((delimiter) => [delimiter, 0]));
  let quoted = false;
  for (const character of line) {
    if (character === '"') {
      quoted = !quoted;
    } else if (!quoted && counts.has(character as Delimiter)) {
      counts.set(character as Delimiter, (counts.get(character as Delimiter) ?? 0) + 1);
    }
  }

  let best: Delimiter = ',';
  for (const delimiter of DELIMITERS) {
    if ((counts.get(delimiter) ?? 0) > (counts.get(best) ?? 0)) {
      best = delimiter;
    }
  }
  return best;
}

/** Returns the text before the first line break. */
export function firstLine(text: string): string {
  const end = text.search(/[\r\n]/);
  return end === -1 ? text : text.slice(0, end);
}

function headerCells(line: string, delimiter: Delimiter): string[] {
  try {
    const [cells] = parse(line, { delimiter, relax_quotes: true, relax_column_count: true }) as string[][];
    return cells ?? [];
  } catch (error) {
    // A header cell with a line break inside quotes is cut at the line end
    // here. The names before it still serve detection.
    if (error instanceof CsvError) {
      return line.split(delimiter);
    }
    throw error;
  }
}
