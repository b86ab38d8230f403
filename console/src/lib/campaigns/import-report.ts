import type { MessageKey, MessageParams } from '../messages/index.js';
import type { ImportRecord, IssueSeverity } from './types.js';

/** A message of the dictionaries with its parameters. */
export interface ReportMessage {
  key: MessageKey;
  params: MessageParams;
}

/**
 * Chooses the message of an error report that lists no issue. Filtered to one `severity`,
 * it states that no issue has it. An empty report of a failed import does not mean that
 * every row was imported, because the import stopped, at the first row or later, for the
 * reason in `record.error`. `formatNumber` formats the row count for the reader's locale.
 */
export function emptyReportMessage(
  record: Pick<ImportRecord, 'status' | 'error' | 'summary' | 'progress'>,
  severity?: IssueSeverity,
  formatNumber: (value: number) => string = String,
): ReportMessage {
  if (severity) return { key: `campaigns.issues.noneOfSeverity.${severity}`, params: {} };
  if (record.status !== 'failed') return { key: 'campaigns.issues.none', params: {} };

  // An import that the server marked as stalled has no summary, only its last progress.
  const rows = record.summary?.rowsRead ?? record.progress.rowsRead ?? 0;
  const message = record.error ?? '';
  if (rows === 0) return { key: 'campaigns.issues.stoppedAtStart', params: { message } };
  return { key: 'campaigns.issues.stoppedAfterRows', params: { rows: formatNumber(rows), message } };
}
