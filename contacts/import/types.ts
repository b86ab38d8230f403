/** A format that importContacts reads. `auto` detects it from the first line of the file. */
export type ImportFormat = 'auto' | 'meta-leads' | 'square' | 'x-followers' | 'csv' | 'json';

/** A format after detection. */
export type DetectedFormat = Exclude<ImportFormat, 'auto'>;

/** The `segments.source` value that a format implies. Generic CSV and JSON lists imply none. */
export type SegmentSource = 'facebook' | 'twitter' | 'point_of_sale';

/** A channel that a contact can consent to. */
export type ConsentChannel = 'sms' | 'email' | 'messenger' | 'x';

export interface ImportedContact {
  /** 1-based line of the file where the row or JSON element starts. */
  line: number;
  firstName?: string;
  lastName?: string;
  fullName?: string;
  /** As returned by normalizeEmail. */
  email?: string;
  /** E.164, as returned by normalizePhone. */
  phone?: string;
  /** BCP 47 language tag in canonical form, such as `en-US`. */
  locale?: string;
  /** Numeric X (Twitter) account id. */
  xUserId?: string;
  /** Messenger page-scoped id. */
  messengerPsid?: string;
  /** The id of the contact in the exporting system: a Meta lead id, a Square customer id, an X account id. */
  externalId?: string;
  /** Only the consent that the row states. A missing channel means that the row does not state it. */
  consent: Partial<Record<ConsentChannel, boolean>>;
}

/**
 * A problem with one row.
 *
 * - `error`: the row yields no contact.
 * - `warning`: the row yields a contact without the field named here.
 * - `duplicate`: the row yields no contact because an earlier row of the file has the same key.
 */
export interface RowIssue {
  line: number;
  /**
   * For a JSON file: the 1-based position of the row's element in the array,
   * which distinguishes elements that share a line.
   */
  element?: number;
  /** The column or JSON key as written in the file. */
  field?: string;
  /**
   * The value as written in the file, with control characters escaped, such as
   * `\u0000`, and cut with … after 256 characters.
   */
  value?: string;
  reason: string;
  severity: 'error' | 'warning' | 'duplicate';
  /** For a duplicate: the line of the contact that was kept. */
  duplicateOf?: number;
  /** For a duplicate in a JSON file: the element of the contact that was kept. */
  duplicateOfElement?: number;
}

export interface ImportProgress {
  /** Bytes read from the input so far, which runs ahead of the rows parsed by up to one read buffer. */
  bytesRead: number;
  rowsRead: number;
  contacts: number;
  /** Issues found so far, including those beyond `maxIssues`. */
  issues: number;
}

export interface ImportOptions {
  format: ImportFormat;
  /** ISO 3166-1 alpha-2 country, in upper case, for phone numbers written without a country code. */
  defaultCountry: string;
  /** Contacts per batch. A batch is also cut when it contains this many issues. Default 500. */
  batchSize?: number;
  /** Called each time a batch is handed out, and once at the end. */
  onProgress?: (progress: ImportProgress) => void;
  /** Issues handed out at most. Further issues are only counted, in `issuesDropped`. Default 10,000. */
  maxIssues?: number;
  /**
   * Called once the format is known, before the first row is parsed. When it
   * throws or rejects, the import stops with that error and hands out nothing,
   * so a caller can turn away a format that its destination cannot take.
   */
  onFormat?: (format: DetectedFormat, source: SegmentSource | undefined) => void | Promise<void>;
}

export interface ImportBatch {
  format: DetectedFormat;
  source?: SegmentSource;
  contacts: ImportedContact[];
  issues: RowIssue[];
}

export interface ImportSummary {
  /** Missing only when the import failed before it could detect the format. */
  format?: DetectedFormat;
  source?: SegmentSource;
  /** True when the whole file was read. */
  complete: boolean;
  /** The error that stopped the import, which the iteration of `batches` threw too. */
  error?: Error;
  /** Data rows or JSON array elements read. Blank lines are not rows. */
  rowsRead: number;
  contacts: number;
  /** Rows dropped as duplicates. */
  duplicates: number;
  /** Rows that yielded no contact because of an error. */
  rowsRejected: number;
  /** Issues of severity `error`, including those beyond `maxIssues`. */
  errors: number;
  /** Issues of severity `warning`, including those beyond `maxIssues`. */
  warnings: number;
  /** Issues counted but not handed out because `maxIssues` was reached. */
  issuesDropped: number;
  /**
   * Columns, or JSON keys, that the format does not read, in the order first
   * seen, with control characters escaped and cut after 60 characters.
   */
  ignoredColumns: string[];
  bytesRead: number;
}

/** A started import. Read `batches` once; `summary` settles when that iteration ends. */
export interface ContactImport {
  /**
   * The contacts and issues in file order. The next part of the input is read
   * only when the caller asks for the next batch. A malformed file makes the
   * iteration throw an ImportFileError, and a failing input stream an
   * ImportInputError, after it has handed out every contact read before the fault.
   */
  batches: AsyncIterable<ImportBatch>;
  /**
   * Resolves when the iteration of `batches` ends, is stopped by the caller
   * or fails, and never rejects. It stays pending until `batches` is read.
   */
  summary: Promise<ImportSummary>;
}
