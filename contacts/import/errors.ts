import { CloudburstError } from '../../common/errors.js';
import { escapeControls } from './quote.js';

/** The reason a file could not be read to its end. */
export type ImportFileProblem =
  | 'empty_file'
  | 'not_text'
  | 'unsupported_encoding'
  | 'csv_syntax'
  | 'json_syntax'
  | 'x_archive_prefix'
  | 'no_usable_column'
  | 'duplicate_column';

/** A position in the file, such as where an import stopped. */
export interface FilePosition {
  /** 1-based line. */
  line: number;
  /** 1-based position of the JSON array element, for JSON files when the fault is inside an element. */
  element?: number;
}

/**
 * A fault in the file as a whole that stops the import at `line`. Contacts
 * handed out before it stay valid, because each of them came from a complete row.
 */
export class ImportFileError extends CloudburstError {
  readonly problem: ImportFileProblem;
  /** 1-based line where the fault was found. */
  readonly line: number;
  /** 1-based position of the JSON array element that contains the fault, when there is one. */
  readonly element?: number;

  constructor(problem: ImportFileProblem, at: number | FilePosition, message: string, cause?: unknown) {
    const { line, element } = typeof at === 'number' ? { line: at, element: undefined } : at;
    super('invalid_input', `${describePosition(line, element)}: ${message}`, { context: { line, element, problem }, cause });
    this.name = 'ImportFileError';
    this.problem = problem;
    this.line = line;
    this.element = element;
  }
}

/**
 * The input stream failed before its end, for example because an upload was cut
 * off. Every row before `line` was handed out. The row that starts at `line`, and
 * the rest of the file, were not read. `cause` is the stream's error.
 */
export class ImportInputError extends CloudburstError {
  /** 1-based line of the first row, or JSON element, that was not read. */
  readonly line: number;
  /** 1-based position of the first JSON array element that was not read, for JSON files. */
  readonly element?: number;

  constructor(cause: unknown, at: FilePosition) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    const unit = at.element === undefined ? 'row' : 'element';
    super('invalid_input', `${describePosition(at.line, at.element)}: the input failed before the ${unit} that starts here was read: ${escapeControls(reason)}`, {
      context: { line: at.line, element: at.element },
      cause,
    });
    this.name = 'ImportInputError';
    this.line = at.line;
    this.element = at.element;
  }
}

function describePosition(line: number, element: number | undefined): string {
  return element === undefined ? `line ${line}` : `line ${line}, element ${element}`;
}
