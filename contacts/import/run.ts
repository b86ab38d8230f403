import { issueValue, quote, shortName } from './quote.js';
import { issuePosition, normalizeRow, type SourceRow } from './row.js';
import { SeenKeys } from './seen-keys.js';
import type {
  DetectedFormat,
  ImportBatch,
  ImportedContact,
  ImportOptions,
  ImportSummary,
  RowIssue,
  SegmentSource,
} from './types.js';

// A file with a thousand made-up column names would otherwise fill the summary.
const MAX_IGNORED_COLUMNS = 100;

const DUPLICATE_FIELD_LABELS = {
  email: 'email',
  phone: 'phone',
  xUserId: 'X user id',
  messengerPsid: 'Messenger PSID',
} as const;

type RunSettings = Required<Pick<ImportOptions, 'defaultCountry' | 'batchSize' | 'maxIssues'>> &
  Pick<ImportOptions, 'onProgress'>;

/** The state of one import: the batch being built, the keys seen and the counts for the summary. */
export class ImportRun {
  /** Bytes read from the input, updated by the input reader. */
  readonly counter = { bytesRead: 0 };

  readonly #settings: RunSettings;
  readonly #seen = new SeenKeys();
  readonly #ignoredColumns = new Set<string>();
  #format: DetectedFormat | undefined;
  #source: SegmentSource | undefined;
  #contacts: ImportedContact[] = [];
  #issues: RowIssue[] = [];

  #rowsRead = 0;
  #contactCount = 0;
  #duplicates = 0;
  #rowsRejected = 0;
  #errors = 0;
  #warnings = 0;
  #issuesHandedOut = 0;
  #issuesDropped = 0;

  constructor(settings: RunSettings) {
    this.#settings = settings;
  }

  start(format: DetectedFormat, source: SegmentSource | undefined): void {
    this.#format = format;
    this.#source = source;
  }

  addIgnoredColumn(name: string): void {
    if (this.#ignoredColumns.size < MAX_IGNORED_COLUMNS) {
      this.#ignoredColumns.add(shortName(name));
    }
  }

  /** Turns one row into a contact or issues and adds them to the batch being built. */
  accept(row: SourceRow): void {
    this.#rowsRead += 1;

    if ('rejected' in row) {
      this.#rowsRejected += 1;
      this.#addIssue({ ...issuePosition(row), reason: row.rejected, severity: 'error' });
      return;
    }

    const { contact, issues } = normalizeRow(row, row.input, this.#settings.defaultCountry);
    if (contact === undefined) {
      this.#rowsRejected += 1;
      issues.forEach((issue) => this.#addIssue(issue));
      return;
    }

    // A duplicate's own warnings are left out, because its single issue explains why the whole row was dropped.
    const match = this.#seen.add(contact, row.element);
    if (match !== undefined) {
      const found = row.input.fields[match.field];
      const written = found?.cell ?? found?.value;
      const keptContact = match.element === undefined ? `the contact at line ${match.line}` : `element ${match.element} (line ${match.line})`;
      this.#duplicates += 1;
      this.#addIssue({
        ...issuePosition(row),
        field: found?.column,
        value: written === undefined ? undefined : issueValue(written),
        reason: `same ${DUPLICATE_FIELD_LABELS[match.field]} ${quote(match.value)} as ${keptContact}`,
        severity: 'duplicate',
        duplicateOf: match.line,
        ...(match.element === undefined ? {} : { duplicateOfElement: match.element }),
      });
      return;
    }

    this.#contactCount += 1;
    this.#contacts.push(contact);
    issues.forEach((issue) => this.#addIssue(issue));
  }

  isBatchFull(): boolean {
    const { batchSize } = this.#settings;
    return this.#contacts.length >= batchSize || this.#issues.length >= batchSize;
  }

  hasPending(): boolean {
    return this.#contacts.length > 0 || this.#issues.length > 0;
  }

  takeBatch(): ImportBatch {
    const batch: ImportBatch = {
      format: this.#requireFormat(),
      source: this.#source,
      contacts: this.#contacts,
      issues: this.#issues,
    };
    this.#issuesHandedOut += this.#issues.length;
    this.#contacts = [];
    this.#issues = [];
    this.reportProgress();
    return batch;
  }

  reportProgress(): void {
    this.#settings.onProgress?.({
      bytesRead: this.counter.bytesRead,
      rowsRead: this.#rowsRead,
      contacts: this.#contactCount,
      issues: this.#issuesHandedOut + this.#issuesDropped + this.#issues.length,
    });
  }

  summary(ending: { complete: boolean; error?: Error }): ImportSummary {
    return {
      format: this.#format,
      source: this.#source,
      complete: ending.complete,
      ...(ending.error === undefined ? {} : { error: ending.error }),
      rowsRead: this.#rowsRead,
      contacts: this.#contactCount,
      duplicates: this.#duplicates,
      rowsRejected: this.#rowsRejected,
      errors: this.#errors,
      warnings: this.#warnings,
      issuesDropped: this.#issuesDropped,
      ignoredColumns: [...this.#ignoredColumns],
      bytesRead: this.counter.bytesRead,
    };
  }

  #addIssue(issue: RowIssue): void {
    if (issue.severity === 'error') {
      this.#errors += 1;
    } else if (issue.severity === 'warning') {
      this.#warnings += 1;
    }

    if (this.#issuesHandedOut + this.#issues.length >= this.#settings.maxIssues) {
      this.#issuesDropped += 1;
      return;
    }
    this.#issues.push(issue);
  }

  /** Frees the duplicate index once no row is left, because a caller may keep the import object long after. */
  releaseKeys(): void {
    this.#seen.clear();
  }

  #requireFormat(): DetectedFormat {
    if (this.#format === undefined) {
      throw new Error('ImportRun.takeBatch called before start');
    }
    return this.#format;
  }
}
