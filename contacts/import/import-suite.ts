// Helpers shared by the import test files.
import { importContacts, type ImportInput } from './import.js';
import type { ImportBatch, ImportedContact, ImportOptions, ImportSummary, RowIssue } from './types.js';

/** Layout samples of real exports with fake values. They are read in place and not copied into the repository. */
export const SAMPLES_DIR = '/work/shared/data/format_samples';

export interface Collected {
  batches: ImportBatch[];
  contacts: ImportedContact[];
  issues: RowIssue[];
  summary: ImportSummary;
  /** The error that the iteration of the batches threw, if any. */
  error?: unknown;
}

/** Runs an import to its end and gathers everything it handed out. */
export async function collect(input: ImportInput, options: Partial<ImportOptions> = {}): Promise<Collected> {
  const run = importContacts(input, { format: 'auto', defaultCountry: 'US', ...options });
  const batches: ImportBatch[] = [];
  let error: unknown;
  try {
    for await (const batch of run.batches) {
      batches.push(batch);
    }
  } catch (caught) {
    error = caught;
  }

  return {
    batches,
    contacts: batches.flatMap((batch) => batch.contacts),
    issues: batches.flatMap((batch) => batch.issues),
    summary: await run.summary,
    error,
  };
}

/** Streams text or bytes in chunks of `size` bytes, which may split a UTF-8 character. */
export async function* chunked(data: string | Uint8Array, size = 64 * 1024): AsyncGenerator<Uint8Array> {
  const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  for (let start = 0; start < bytes.length; start += size) {
    yield bytes.subarray(start, start + size);
  }
}

/** Runs an import of text given as one chunk. */
export function collectText(text: string, options: Partial<ImportOptions> = {}): Promise<Collected> {
  return collect(chunked(text), options);
}
