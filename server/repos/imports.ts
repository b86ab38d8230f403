import type { RowIssue } from '../../contacts/import/import.js';
import type { Queryable } from '../../store/types.js';

export interface ImportRecord {
  id: string;
  segmentId: string;
  status: 'running' | 'done' | 'failed';
  format: string;
  fileName: string | null;
  defaultCountry: string;
  /** Bytes and rows read so far, contacts found, members added, issues found. */
  progress: Record<string, number>;
  /** The importer's summary once finished: rows, contacts, duplicates, errors, warnings, ignored columns. */
  summary: Record<string, unknown> | null;
  /** Why the import stopped early, with the line. */
  error: string | null;
  startedAt: string;
  finishedAt: string | null;
}

interface ImportRow {
  id: string;
  segment_id: string;
  status: ImportRecord['status'];
  format: string;
  file_name: string | null;
  default_country: string;
  progress: Record<string, number> | string;
  summary: Record<string, unknown> | string | null;
  error: string | null;
  started_at: Date | string;
  finished_at: Date | string | null;
}

const json = <T>(value: T | string): T => (typeof value === 'string' ? (JSON.parse(value) as T) : value);

function toImport(row: ImportRow): ImportRecord {
  return {
    id: row.id,
    segmentId: row.segment_id,
    status: row.status,
    format: row.format,
    fileName: row.file_name,
    defaultCountry: row.default_country,
    progress: json(row.progress),
    summary: row.summary === null ? null : json(row.summary),
    error: row.error,
    startedAt: new Date(row.started_at).toISOString(),
    finishedAt: row.finished_at === null ? null : new Date(row.finished_at).toISOString(),
  };
}

export async function insertImport(
  db: Queryable,
  fields: { id: string; segmentId: string; format: string; fileName?: string; defaultCountry: string },
): Promise<void> {
  await db.query(`INSERT INTO imports (id, segment_id, status, format, file_name, default_country) VALUES ($1, $2, 'running', $3, $4, $5)`, [
    fields.id,
    fields.segmentId,
    fields.format,
    fields.fileName ?? null,
    fields.defaultCountry,
  ]);
}

export async function updateImportProgress(db: Queryable, id: string, progress: Record<string, number>): Promise<void> {
  await db.query(`UPDATE imports SET progress = $2::jsonb, updated_at = now() WHERE id = $1`, [id, JSON.stringify(progress)]);
}

export async function insertImportIssues(db: Queryable, importId: string, firstSeq: number, issues: RowIssue[]): Promise<void> {
  if (issues.length === 0) return;
  await db.query(
    `INSERT INTO import_issues (import_id, seq, line, severity, field, value, reason)
     SELECT $1, * FROM unnest($2::int[], $3::int[], $4::text[], $5::text[], $6::text[], $7::text[])`,
    [
      importId,
      issues.map((_, index) => firstSeq + index),
      issues.map((issue) => issue.line),
      issues.map((issue) => issue.severity),
      issues.map((issue) => issue.field ?? null),
      issues.map((issue) => (issue.value === undefined ? null : issue.value.slice(0, 500))),
      issues.map((issue) => issue.reason),
    ],
  );
}

export async function finishImport(db: Queryable, id: string, summary: { error?: Error }): Promise<ImportRecord> {
  const { error, ...rest } = summary;
  const rows = await db.query<ImportRow>(
    `UPDATE imports SET status = $2, summary = $3::jsonb, error = $4, finished_at = now() WHERE id = $1 RETURNING *`,
    [id, error ? 'failed' : 'done', JSON.stringify(rest), error ? error.message : null],
  );
  return toImport(rows[0]!);
}

/**
 * Marks as failed the imports that wrote nothing for `quietMs`: the process reading
 * them stopped. Their batches before the stop are kept; the error states it.
 */
export async function failStalledImports(db: Queryable, now: number, quietMs: number): Promise<ImportRecord[]> {
  const rows = await db.query<ImportRow>(
    `UPDATE imports SET status = 'failed', finished_at = now(),
       error = 'the server stopped during the import; the rows read before ' || coalesce(progress->>'rowsRead', '0') || ' were kept, import the rest again'
     WHERE status = 'running' AND updated_at < $1::timestamptz RETURNING *`,
    [new Date(now - quietMs).toISOString()],
  );
  return rows.map(toImport);
}

export async function getImport(db: Queryable, id: string): Promise<ImportRecord | undefined> {
  const rows = await db.query<ImportRow>(`SELECT * FROM imports WHERE id = $1`, [id]);
  return rows[0] ? toImport(rows[0]) : undefined;
}

export async function listImportsOfSegment(db: Queryable, segmentId: string): Promise<ImportRecord[]> {
  const rows = await db.query<ImportRow>(`SELECT * FROM imports WHERE segment_id = $1 ORDER BY started_at DESC LIMIT 50`, [segmentId]);
  return rows.map(toImport);
}

export async function listImportIssues(
  db: Queryable,
  importId: string,
  filter: { severity?: RowIssue['severity']; limit: number; offset: number },
): Promise<Array<Omit<RowIssue, 'duplicateOf'>>> {
  const rows = await db.query<{ line: number; severity: RowIssue['severity']; field: string | null; value: string | null; reason: string }>(
    `SELECT line, severity, field, value, reason FROM import_issues
     WHERE import_id = $1 AND ($2::text IS NULL OR severity = $2) ORDER BY seq LIMIT $3 OFFSET $4`,
    [importId, filter.severity ?? null, filter.limit, filter.offset],
  );
  return rows.map((row) => ({
    line: row.line,
    severity: row.severity,
    reason: row.reason,
    ...(row.field === null ? {} : { field: row.field }),
    ...(row.value === null ? {} : { value: row.value }),
  }));
}
