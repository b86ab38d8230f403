import { CloudburstError } from '../../common/errors.js';

/** The reason a file could not be read to its end. */
export type ImportFileProblem =
  | 'empty_file'
  | 'unsupported_encoding'
  | 'csv_syntax'
  | 'json_syntax'
  | 'x_archive_prefix'
  | 'no_usable_column'
  | 'duplicate_column';

/**
 * A fault in the file as a whole that stops the import at `line`. Contacts
 * handed out before it stay valid, because each of them came from a complete row.
 */
export class ImportFileError extends CloudburstError {
  readonly problem: ImportFileProblem;
  /** 1-based line where the fault was found. */
  readonly line: number;

  constructor(problem: ImportFileProblem, line: number, message: string, cause?: unknown) {
    super('invalid_input', `line ${line}: ${message}`, { context: { line, problem }, cause });
    this.name = 'ImportFileError';
    this.problem = problem;
    this.line = line;
  }
}
