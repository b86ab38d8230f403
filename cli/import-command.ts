import { randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import path from 'node:path';
import { CHANNEL_NAMES } from '../channels/types.js';
import { AdminApiError, type AdminClient } from '../demo/admin-client.js';
import type { ImportRecord } from '../server/repos/imports.js';
import type { SegmentWithCampaign } from '../server/repos/segments.js';
import { MAX_IMPORT_BYTES } from '../server/routes/imports.js';
import { assertPositionals, connect, CONNECTION_HELP, explainApiError, formatCount, formatTable, parseCommandArgs, uuidArgument } from './admin-http.js';

const HELP_COMMAND = 'cloudburst import --help';

const FORMATS = ['auto', 'meta-leads', 'square', 'x-followers', 'csv', 'json'] as const;

/** Issues printed after the summary. The --issues option writes them all to a file. */
const ISSUES_SHOWN = 20;
/** Issues fetched per request when writing --issues FILE (the API returns at most 10,000). */
const ISSUES_PAGE = 1_000;
/** Time between two progress requests while the file uploads. */
const PROGRESS_INTERVAL_MS = 500;
/** Characters of a value shown in the issue table. The --issues file contains the value as the server stores it. */
const VALUE_CHARS_SHOWN = 40;

const HELP = `Usage: cloudburst import --segment SEGMENT_ID FILE [options]

Uploads a contact list into a campaign segment on a running server and prints what it
read: rows, contacts, members added, duplicates, and the first ${ISSUES_SHOWN} row issues.
"cloudburst campaign apply" prints the segment ids. A campaign that is already
scheduled queues sends for the new members at once.

Options:
  --segment SEGMENT_ID   segment that receives the contacts (required)
  --format FORMAT        auto, meta-leads, square, x-followers, csv or json (default auto:
                         detected from the first line of the file)
  --country CODE         ISO 3166-1 country of phone numbers written without a country
                         code, such as US or GB (default US)
  --consent CHANNELS     comma-separated channels every person in the list agreed to be
                         contacted on: ${CHANNEL_NAMES.join(', ')}. Rows that state their own
                         consent for a channel keep what they state (default: none)
  --issues FILE          write every row issue to FILE as CSV
                         (line, severity, field, value, reason)
  --progress             print upload progress to stderr every ${PROGRESS_INTERVAL_MS} ms
                         (default: only when stderr is a terminal)
${CONNECTION_HELP}

Exit status: 0 when the whole file was read, 2 when the import stopped early at a
fault in the file (the contacts read before it are kept), 1 on invalid arguments or
when the server rejects the request.

Example:
  cloudburst import --segment 0b6f1c2e-8d3a-4f5b-9c7d-2e1f0a9b8c7d leads.csv --consent sms
`;

/** Runs `cloudburst import` and returns 0 when the import read the whole file, 2 when it stopped early. */
export async function runImportCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs(
    argv,
    {
      segment: { type: 'string' },
      format: { type: 'string' },
      country: { type: 'string' },
      consent: { type: 'string' },
      issues: { type: 'string' },
      progress: { type: 'boolean' },
    },
    HELP_COMMAND,
  );
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }

  // arguments
  assertPositionals(positionals, 1, HELP_COMMAND);
  const file = positionals[0];
  if (file === undefined) throw new Error(`missing FILE: cloudburst import --segment SEGMENT_ID FILE (see "${HELP_COMMAND}")`);
  const segmentId = uuidArgument('--segment', values.segment, HELP_COMMAND);
  const format = formatOption(values.format);
  const country = countryOption(values.country);
  const consent = consentOption(values.consent);
  const size = await fileSize(file);
  const admin = await connect(values);

  // upload
  const segment = await requireSegment(admin, segmentId);
  const importId = randomUUID();
  const query = new URLSearchParams({ format, defaultCountry: country, fileName: path.basename(file).slice(0, 255), importId });
  if (consent.length > 0) query.set('consent', consent.join(','));

  const progress = values.progress || process.stderr.isTTY ? followProgress(admin, importId, size) : undefined;
  let record: ImportRecord;
  try {
    const reply = await admin.upload<{ import: ImportRecord }>(`/v1/admin/segments/${segmentId}/imports?${query}`, createReadStream(file), {
      contentType: 'application/octet-stream',
      accept: [422],
    });
    record = reply.body.import;
  } catch (error) {
    await progress?.stop();
    throw explainUploadError(error, file, segment);
  }
  await progress?.stop(record.progress);

  // report
  const issues = await fetchIssues(admin, importId, 0, ISSUES_SHOWN);
  process.stdout.write(`${formatReport(record, segment, file, issues, values.issues !== undefined).join('\n')}\n`);
  if (values.issues !== undefined) {
    const written = await writeIssuesCsv(admin, importId, values.issues);
    process.stdout.write(`\n${formatCount(written)} issues written to ${values.issues}\n`);
  }
  return record.status === 'done' ? 0 : 2;
}

// ─── arguments ──────────────────────────────────────────────────────────────

function formatOption(raw: string | undefined): (typeof FORMATS)[number] {
  if (raw === undefined) return 'auto';
  if (!(FORMATS as readonly string[]).includes(raw)) throw new Error(`invalid --format: ${JSON.stringify(raw)} (expected one of ${FORMATS.join(', ')})`);
  return raw as (typeof FORMATS)[number];
}

function countryOption(raw: string | undefined): string {
  if (raw === undefined) return 'US';
  if (!/^[a-z]{2}$/i.test(raw)) throw new Error(`invalid --country: ${JSON.stringify(raw)} (expected a two-letter ISO 3166-1 country code such as US)`);
  return raw.toUpperCase();
}

function consentOption(raw: string | undefined): string[] {
  if (raw === undefined) return [];
  const channels = raw.split(',').map((channel) => channel.trim());
  const unknown = channels.find((channel) => !(CHANNEL_NAMES as readonly string[]).includes(channel));
  if (unknown !== undefined) {
    throw new Error(`invalid --consent: ${JSON.stringify(unknown)} in ${JSON.stringify(raw)} (expected a comma-separated list of ${CHANNEL_NAMES.join(', ')})`);
  }
  return [...new Set(channels)];
}

async function fileSize(file: string): Promise<number> {
  let size: number;
  try {
    const info = await stat(file);
    if (!info.isFile()) throw new Error('not a regular file');
    size = info.size;
  } catch (error) {
    throw new Error(`invalid FILE: cannot read ${file} (${(error as Error).message})`);
  }
  if (size > MAX_IMPORT_BYTES) {
    throw new Error(`invalid FILE: ${file} has ${formatCount(size)} bytes, more than the ${formatCount(MAX_IMPORT_BYTES)} one import accepts; split it into several files`);
  }
  return size;
}

/** Fetches the segment first, so a wrong id fails before the upload starts. */
async function requireSegment(admin: AdminClient, segmentId: string): Promise<SegmentWithCampaign> {
  try {
    const { segment } = await admin.request<{ segment: SegmentWithCampaign }>('GET', `/v1/admin/segments/${segmentId}/members?limit=1`);
    return segment;
  } catch (error) {
    throw explainApiError(error, `invalid --segment ${segmentId}`);
  }
}

/**
 * Explains a rejected upload. A format that the segment cannot take is the
 * segment's fault and not the file's, so the message points to the other segments.
 */
function explainUploadError(error: unknown, file: string, segment: SegmentWithCampaign): unknown {
  const explained = explainApiError(error, `import of ${file} failed`);
  if (!(error instanceof AdminApiError) || error.status !== 400 || error.error?.field !== 'format' || !(explained instanceof Error)) {
    return explained;
  }
  return new Error(
    `${explained.message}\n` +
      `  The file itself can be imported, but not into segment "${segment.name}" (${segment.source}). Pick a segment of the source named above:\n` +
      `  "cloudburst campaign status ${segment.campaignId}" lists the campaign's segments with their ids and sources.`,
    { cause: error },
  );
}

// ─── progress ───────────────────────────────────────────────────────────────

interface ProgressFollower {
  /** Stops polling, waits for a request in flight, prints the final counts when given and ends the progress line. */
  stop(final?: ImportRecord['progress']): Promise<void>;
}

/**
 * Polls GET /imports/:id while the file uploads and prints the progress to stderr: on
 * a terminal as one line rewritten in place, elsewhere as a line per change.
 */
function followProgress(admin: AdminClient, importId: string, fileSize: number): ProgressFollower {
  const inPlace = process.stderr.isTTY === true;
  let last = '';
  let warned = false;
  let inFlight: Promise<void> | undefined;

  const print = (line: string) => {
    if (line === last) return;
    last = line;
    process.stderr.write(inPlace ? `\r${line}\u001b[K` : `${line}\n`);
  };

  const poll = async () => {
    try {
      const { import: record } = await admin.request<{ import: ImportRecord }>('GET', `/v1/admin/imports/${importId}`);
      print(progressLine(record.progress, fileSize));
    } catch (error) {
      // The server creates the import record once it has checked the request, so the first polls can find none.
      if (error instanceof AdminApiError && error.status === 404) return;
      // The upload goes on regardless, so one warning is enough. A later poll may still succeed.
      if (warned) return;
      warned = true;
      process.stderr.write(`${inPlace && last !== '' ? '\n' : ''}progress unavailable: ${(error as Error).message}\n`);
      last = '';
    }
  };

  const timer = setInterval(() => {
    if (inFlight !== undefined) return;
    inFlight = poll().finally(() => {
      inFlight = undefined;
    });
  }, PROGRESS_INTERVAL_MS);

  return {
    async stop(final) {
      clearInterval(timer);
      await inFlight;
      if (final !== undefined) print(progressLine(final, fileSize));
      if (inPlace && last !== '') process.stderr.write('\n');
    },
  };
}

function progressLine(progress: ImportRecord['progress'], fileSize: number): string {
  const bytesRead = progress.bytesRead ?? 0;
  const percent = fileSize === 0 ? 100 : Math.min(100, Math.floor((bytesRead / fileSize) * 100));
  return `progress: ${percent}% of ${formatCount(fileSize)} bytes read, ${formatCount(progress.rowsRead ?? 0)} rows, ${formatCount(progress.contacts ?? 0)} contacts, ${formatCount(progress.issues ?? 0)} issues`;
}

// ─── report ─────────────────────────────────────────────────────────────────

type Issue = { line: number; severity: string; field?: string; value?: string; reason: string };

/** Summary counts as the import record stores them; see ImportSummary in contacts/import/types.ts. */
interface StoredSummary {
  format?: string;
  /** The cause of an early stop: a fault in the file, an upload cut off, or the server. */
  stoppedBy?: 'file' | 'upload' | 'server';
  rowsRead: number;
  contacts: number;
  duplicates: number;
  rowsRejected: number;
  errors: number;
  warnings: number;
  issuesDropped: number;
  ignoredColumns: string[];
  added: number;
}

function formatReport(record: ImportRecord, segment: SegmentWithCampaign, file: string, issues: Issue[], writesIssues: boolean): string[] {
  const summary = record.summary as StoredSummary | null;
  const outcome = record.status === 'done' ? 'done' : 'stopped early';
  const lines = [`Import ${record.id} of ${file} into segment "${segment.name}" (${segment.source}): ${outcome}`];
  const fields: Array<[string, string]> = [];
  if (record.error !== null) fields.push(['error', record.error]);
  if (summary !== null) {
    fields.push(
      ['format', summary.format ?? 'not detected'],
      ['rows read', formatCount(summary.rowsRead)],
      ['contacts', formatCount(summary.contacts)],
      ['added', `${formatCount(summary.added)} new members of the segment`],
      ['duplicates', formatCount(summary.duplicates)],
      ['rows rejected', formatCount(summary.rowsRejected)],
      ['errors', formatCount(summary.errors)],
      ['warnings', formatCount(summary.warnings)],
    );
    if (summary.ignoredColumns.length > 0) fields.push(['ignored columns', summary.ignoredColumns.join(', ')]);
  }
  const width = Math.max(...fields.map(([label]) => label.length));
  lines.push(...fields.map(([label, value]) => `  ${label.padEnd(width)}  ${value}`));
  if (record.status !== 'done') {
    // Only a fault in the file needs the file changed. After a cut-off upload or a server error the same file goes again.
    const next =
      summary?.stoppedBy === 'file'
        ? 'The contacts read before the fault were kept. Fix the file and import it again'
        : 'The contacts read before the stop were kept. Import the file again';
    lines.push('', `${next}: contacts already in the segment are not added twice.`);
  }

  if (issues.length === 0) return lines;
  const total = summary === null ? issues.length : summary.errors + summary.warnings + summary.duplicates;
  let heading = total > issues.length ? `first ${issues.length} of ${formatCount(total)}` : `${issues.length}`;
  if (!writesIssues && total > issues.length) heading += '; write them all with --issues FILE';
  lines.push('', `Issues (${heading})`);
  lines.push(
    ...formatTable(
      ['line', 'severity', 'field', 'value', 'reason'],
      issues.map((issue) => [String(issue.line), issue.severity, issue.field ?? '', clip(issue.value ?? ''), issue.reason]),
      [0],
    ),
  );
  if (summary !== null && summary.issuesDropped > 0) {
    lines.push(`  ${formatCount(summary.issuesDropped)} further issues were counted but not kept by the server.`);
  }
  return lines;
}

function clip(value: string): string {
  return value.length > VALUE_CHARS_SHOWN ? `${value.slice(0, VALUE_CHARS_SHOWN - 1)}…` : value;
}

async function fetchIssues(admin: AdminClient, importId: string, offset: number, limit: number): Promise<Issue[]> {
  try {
    const { issues } = await admin.request<{ issues: Issue[] }>('GET', `/v1/admin/imports/${importId}/issues?limit=${limit}&offset=${offset}`);
    return issues;
  } catch (error) {
    throw explainApiError(error, `reading the issues of import ${importId} failed`);
  }
}

/** Writes every stored issue of the import to `file` as CSV, a page at a time, and returns how many it wrote. */
async function writeIssuesCsv(admin: AdminClient, importId: string, file: string): Promise<number> {
  let handle;
  try {
    handle = await open(file, 'w');
  } catch (error) {
    throw new Error(`invalid --issues: cannot write ${file} (${(error as Error).message}); the import itself finished as ${importId}`);
  }
  let written = 0;
  try {
    await handle.write('line,severity,field,value,reason\r\n');
    for (let offset = 0; ; offset += ISSUES_PAGE) {
      const page = await fetchIssues(admin, importId, offset, ISSUES_PAGE);
      const rows = page.map((issue) => [String(issue.line), issue.severity, issue.field ?? '', issue.value ?? '', issue.reason].map(csvCell).join(','));
      if (rows.length > 0) await handle.write(`${rows.join('\r\n')}\r\n`);
      written += rows.length;
      if (page.length < ISSUES_PAGE) break;
    }
  } finally {
    await handle.close();
  }
  return written;
}

/**
 * Quotes a CSV cell (RFC 4180). A cell that a spreadsheet would run as a formula gets a
 * leading apostrophe, because values come from the imported file and a lead form can
 * hold "=HYPERLINK(...)". Phone numbers such as "+1 415 555 2671" stay as they are.
 */
function csvCell(value: string): string {
  const formula = /^[=@\t\r]/.test(value) || /^[+-](?![\d\s().-]*$)/.test(value);
  const safe = formula ? `'${value}` : value;
  return /[",\r\n]/.test(safe) || safe !== safe.trim() ? `"${safe.replaceAll('"', '""')}"` : safe;
}
