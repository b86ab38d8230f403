import { CsvError, Parser } from 'csv-parse';
import { applyRule, planColumns, type ColumnPlan } from './columns.js';
import type { Delimiter } from './detect.js';
import { ImportFileError } from './errors.js';
import { locateInputFailure, type TextEncoding } from './input.js';
import { escapeControls } from './quote.js';
import { emptyRowInput, type SourceRow } from './row.js';

export interface CsvReadOptions {
  format: 'meta-leads' | 'square' | 'csv';
  encoding: TextEncoding;
  delimiter: Delimiter;
  onIgnoredColumn: (name: string) => void;
}

// No contact row comes near this many bytes, so a longer record most likely
// has a quote that is never closed. Without a limit csv-parse would buffer the rest of the
// file as one field.
const MAX_RECORD_BYTES = 1024 * 1024;

const LINE_BREAK = /\r\n|\r|\n/g;

/**
 * Reads CSV rows with csv-parse and yields them in groups, one group per input chunk.
 *
 * Line numbers are counted here and not taken from csv-parse's `info.lines`:
 * csv-parse 7.0.3 reports the line where a record ends and counts a CRLF
 * inside a quoted field as two lines. Each record is one line plus the line
 * breaks inside its quoted fields.
 *
 * @throws ImportFileError for a header without a usable column and for a CSV
 * syntax error, after yielding the rows before it
 * @throws ImportFileError or ImportInputError, through locateInputFailure, when
 * the input has a NUL character or its stream fails, after yielding the rows before it
 */
export async function* readCsvRows(chunks: AsyncIterable<Uint8Array>, options: CsvReadOptions): AsyncGenerator<SourceRow[]> {
  const records: string[][] = [];
  const parser = new Parser({
    delimiter: options.delimiter,
    encoding: options.encoding,
    record_delimiter: ['\r\n', '\n', '\r'],
    // Rows with too few or too many cells are reported per row below.
    relax_column_count: true,
    // A quote inside an unquoted cell, such as Excel's ="0412" or Bob "Bo" Lee, or text
    // after a closing quote, stays in the cell as written. Without this, csv-parse stops
    // the whole file at such a cell. With it, the field checks report the cell only when its value is invalid.
    relax_quotes: true,
    max_record_size: MAX_RECORD_BYTES,
    // Records are collected here, and not through the stream's readable side,
    // because a failed stream discards the records it has buffered, so the rows
    // before a syntax error would be lost (seen with Node 20 and csv-parse 7.0.3).
    on_record: (record: string[]) => {
      records.push(record);
      return null;
    },
  });
  // Every parse error also reaches the write or end callback, where it is thrown.
  parser.on('error', () => undefined);

  let nextLine = 1;
  let plan: ColumnPlan | undefined;

  const takeRows = (): SourceRow[] => {
    const rows: SourceRow[] = [];
    for (const record of records) {
      const line = nextLine;
      nextLine += 1 + lineBreaksIn(record);
      if (isBlank(record)) {
        continue;
      }

      if (plan === undefined) {
        plan = planColumns(options.format, record, line);
        plan.ignored.forEach(options.onIgnoredColumn);
        continue;
      }
      rows.push(rowOf(plan, record, line));
    }
    records.length = 0;
    return rows;
  };

  let failure: unknown;
  try {
    for await (const chunk of chunks) {
      failure = await writeTo(parser, chunk);
      const rows = takeRows();
      if (rows.length > 0) {
        yield rows;
      }
      if (failure !== undefined) {
        break;
      }
    }
  } catch (error) {
    // Every complete record has been taken, so the row in progress starts at nextLine.
    throw locateInputFailure(error, { line: nextLine });
  }
  if (failure === undefined) {
    failure = await endOf(parser);
    const rows = takeRows();
    if (rows.length > 0) {
      yield rows;
    }
  }

  if (failure !== undefined) {
    throw describeFailure(failure, nextLine);
  }
  if (plan === undefined) {
    throw new ImportFileError('empty_file', 1, 'the file is empty, expected a header row followed by one row per contact');
  }
}

function rowOf(plan: ColumnPlan, record: string[], line: number): SourceRow {
  if (record.length !== plan.width) {
    const breaks = lineBreaksIn(record);
    // A stray quote at the start of a cell opens a quoted field that runs on to the next
    // quote, so the rows in between were read as part of this one.
    const rejected =
      breaks === 0
        ? `the row has ${count(record.length, 'cell')}, but the header has ${count(plan.width, 'column')}. ` +
          'Check the row for a missing delimiter or an unquoted one'
        : `the row has ${count(record.length, 'cell')}, but the header has ${count(plan.width, 'column')}. ` +
          `A quoted cell in it runs over line breaks, so lines ${line} to ${line + breaks} were read as this one row. ` +
          'Check the row for a stray quote (") at the start of a cell';
    return { line, rejected };
  }

  const input = emptyRowInput();
  for (const column of plan.columns) {
    applyRule(input, column.rule, column.name, record[column.index] ?? '');
  }
  return { line, input };
}

function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

function writeTo(parser: Parser, chunk: Uint8Array): Promise<unknown> {
  return new Promise((resolve) => {
    parser.write(chunk, (error) => resolve(error ?? undefined));
  });
}

function endOf(parser: Parser): Promise<unknown> {
  return new Promise((resolve) => {
    parser.once('error', resolve);
    parser.end(() => resolve(undefined));
  });
}

function describeFailure(failure: unknown, line: number): unknown {
  if (!(failure instanceof CsvError)) {
    return failure;
  }

  switch (failure.code) {
    case 'CSV_QUOTE_NOT_CLOSED':
      return new ImportFileError(
        'csv_syntax',
        line,
        'a quoted field in the row that starts here is never closed. Add the closing quote (")',
        failure,
      );
    case 'CSV_MAX_RECORD_SIZE':
      return new ImportFileError(
        'csv_syntax',
        line,
        `the row that starts here is longer than ${MAX_RECORD_BYTES} bytes, so a quoted field in it is probably never closed`,
        failure,
      );
    default:
      // csv-parse's own line number is left out, because it can differ from the line counted here.
      return new ImportFileError(
        'csv_syntax',
        line,
        `the row that starts here could not be parsed: ${escapeControls(failure.message.replace(/ (at|on) line \d+/, ''))}`,
        failure,
      );
  }
}

function lineBreaksIn(record: string[]): number {
  let count = 0;
  for (const cell of record) {
    if (cell.includes('\n') || cell.includes('\r')) {
      count += cell.match(LINE_BREAK)?.length ?? 0;
    }
  }
  return count;
}

function isBlank(record: string[]): boolean {
  return record.every((cell) => cell.trim() === '');
}
