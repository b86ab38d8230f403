import { CloudburstError } from '../../common/errors.js';
import { ImportFileError, ImportInputError, type ImportSummary } from '../../contacts/import/import.js';
import { UploadStoppedError } from './upload.js';

/**
 * The cause of an early stop, stored in the summary as `stoppedBy`: a fault in
 * the file, an upload that ended before the file did, or the server itself,
 * such as a store error.
 */
export type StoppedBy = 'file' | 'upload' | 'server';

const DEFAULT_ADVICE = 'Import the rest of the file again, or the whole file, because contacts already in the segment are not added twice';

export function stoppedBy(error: Error): StoppedBy {
  if (error instanceof ImportInputError) {
    return 'upload';
  }
  return error instanceof ImportFileError ? 'file' : 'server';
}

/**
 * Returns the error to store for an import that stopped early. An upload that
 * stopped gets a message with the bytes received, the reason, how much of the
 * file was kept and what to do next. Other errors are returned as they are.
 */
export function describeStop(error: Error, summary: ImportSummary): Error {
  if (!(error instanceof ImportInputError)) {
    return error;
  }

  const cause = error.cause;
  const reason =
    cause instanceof UploadStoppedError ? cause.reason : `reading the upload failed (${cause instanceof Error ? cause.message : String(cause)})`;
  const advice = cause instanceof UploadStoppedError && cause.advice !== undefined ? cause.advice : DEFAULT_ADVICE;

  let stored: string;
  if (summary.rowsRead === 0) {
    stored = 'No row was read';
  } else if (error.element === undefined) {
    stored = `The rows before line ${error.line} were kept`;
  } else {
    stored = `The elements before element ${error.element} (line ${error.line}) were kept`;
  }

  return new CloudburstError('invalid_input', `the upload stopped after ${summary.bytesRead} bytes because ${reason}. ${stored}. ${advice}`, {
    context: { line: error.line, element: error.element, bytesRead: summary.bytesRead },
    cause: error,
  });
}
