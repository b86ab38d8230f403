import { normalizePhone } from '../phone.js';
import { isCsvFormat } from './columns.js';
import { readCsvRows } from './csv-rows.js';
import { detectFormat, sniffDelimiter, sourceOf } from './detect.js';
import { ImportFileError } from './errors.js';
import { openInput, type ImportInput, type OpenedInput } from './input.js';
import { readJsonArray, type JsonElement } from './json-elements.js';
import { JsonContactMapper, mapXFollower } from './json-rows.js';
import { ImportRun } from './run.js';
import type { SourceRow } from './row.js';
import type { ContactImport, DetectedFormat, ImportBatch, ImportFormat, ImportOptions, ImportSummary } from './types.js';
import { readXFollowerArray } from './x-archive.js';

export type { ImportInput } from './input.js';
export { ImportFileError, ImportInputError, type FilePosition, type ImportFileProblem } from './errors.js';
export type * from './types.js';

const FORMATS: readonly ImportFormat[] = ['auto', 'meta-leads', 'square', 'x-followers', 'csv', 'json'];

const DEFAULT_BATCH_SIZE = 500;
const DEFAULT_MAX_ISSUES = 10_000;

/**
 * Imports a contact list from a stream: Meta Lead Ads and Square customer
 * CSV exports, an X archive `data/follower.js`, or a generic CSV file or
 * JSON array. Reads the input only as far as the batch being built needs,
 * plus the one chunk that csv-parse reads ahead, and its first 8 KiB at least,
 * in which a binary file is detected.
 *
 * Every row yields either a contact, with a `warning` issue for each field
 * that was left out, or `error` issues, or one `duplicate` issue.
 *
 * @throws RangeError for an unknown format, an invalid default country or an
 * invalid batch size or issue limit
 *
 * @example
 * const { batches, summary } = importContacts(createReadStream(path), { format: 'auto', defaultCountry: 'US' });
 * for await (const batch of batches) await saveContacts(batch.contacts, batch.issues);
 * console.log(await summary);
 */
export function importContacts(input: ImportInput, options: ImportOptions): ContactImport {
  const settings = resolveOptions(options);

  let resolveSummary: (summary: ImportSummary) => void = () => undefined;
  const summary = new Promise<ImportSummary>((resolve) => {
    resolveSummary = resolve;
  });

  return { batches: runImport(input, settings, resolveSummary), summary };
}

type Settings = Required<Pick<ImportOptions, 'format' | 'defaultCountry' | 'batchSize' | 'maxIssues'>> &
  Pick<ImportOptions, 'onProgress' | 'onFormat'>;

function resolveOptions(options: ImportOptions): Settings {
  const { format, defaultCountry, batchSize = DEFAULT_BATCH_SIZE, maxIssues = DEFAULT_MAX_ISSUES, onProgress, onFormat } = options;

  if (!FORMATS.includes(format)) {
    throw new RangeError(`invalid import format ${JSON.stringify(format)}: expected one of ${FORMATS.join(', ')}`);
  }
  // normalizePhone checks the default country before it reads the number.
  normalizePhone('', defaultCountry);
  if (!Number.isSafeInteger(batchSize) || batchSize < 1) {
    throw new RangeError(`invalid batch size ${String(batchSize)}: expected an integer of at least 1`);
  }
  if (!Number.isSafeInteger(maxIssues) || maxIssues < 0) {
    throw new RangeError(`invalid issue limit ${String(maxIssues)}: expected an integer of at least 0`);
  }

  return { format, defaultCountry, batchSize, maxIssues, onProgress, onFormat };
}

async function* runImport(
  input: ImportInput,
  settings: Settings,
  resolveSummary: (summary: ImportSummary) => void,
): AsyncGenerator<ImportBatch> {
  const run = new ImportRun(settings);
  let opened: OpenedInput | undefined;
  let settled = false;

  try {
    // detect
    opened = await openInput(input, run.counter);
    const format = settings.format === 'auto' ? detectFormat(opened.head) : settings.format;
    run.start(format, sourceOf(format));
    await settings.onFormat?.(format, sourceOf(format));

    // read
    for await (const rows of readRows(format, opened, (name) => run.addIgnoredColumn(name))) {
      for (const row of rows) {
        run.accept(row);
        if (run.isBatchFull()) {
          yield run.takeBatch();
        }
      }
    }
    if (run.hasPending()) {
      yield run.takeBatch();
    }

    run.reportProgress();
    settled = true;
    resolveSummary(run.summary({ complete: true }));
  } catch (error) {
    settled = true;
    resolveSummary(run.summary({ complete: false, error: error instanceof Error ? error : new Error(String(error)) }));

    // The rows before the fault are complete, so their contacts are handed out before the error.
    if (run.hasPending()) {
      yield run.takeBatch();
    }
    throw error;
  } finally {
    run.releaseKeys();
    await opened?.close();
    if (!settled) {
      resolveSummary(run.summary({ complete: false }));
    }
  }
}

function readRows(format: DetectedFormat, opened: OpenedInput, onIgnoredColumn: (name: string) => void): AsyncIterable<SourceRow[]> {
  if (isCsvFormat(format)) {
    const headerLine = opened.head.split(/\r\n|\r|\n/).find((line) => line.trim() !== '') ?? '';
    return readCsvRows(opened.chunks, {
      format,
      encoding: opened.encoding,
      delimiter: sniffDelimiter(headerLine),
      onIgnoredColumn,
    });
  }

  if (opened.encoding !== 'utf8') {
    throw new ImportFileError(
      'unsupported_encoding',
      1,
      `the ${format} file is UTF-16LE, but JSON must be UTF-8. Save the file as UTF-8 and import it again`,
    );
  }
  if (format === 'json') {
    const mapper = new JsonContactMapper(onIgnoredColumn);
    return mapElements(readJsonArray(opened.chunks, 1, 'JSON file'), (element) => mapper.map(element));
  }
  return mapElements(readXFollowerArray(opened.chunks), mapXFollower);
}

async function* mapElements(
  groups: AsyncIterable<JsonElement[]>,
  map: (element: JsonElement) => SourceRow,
): AsyncGenerator<SourceRow[]> {
  for await (const elements of groups) {
    yield elements.map(map);
  }
}
