import { describe, expect, it } from 'vitest';
import { emptyReportMessage } from './import-report.js';
import type { ImportRecord, ImportSummary } from './types.js';

function summary(rowsRead: number): ImportSummary {
  return {
    complete: false,
    rowsRead,
    contacts: 0,
    duplicates: 0,
    rowsRejected: 0,
    errors: 0,
    warnings: 0,
    issuesDropped: 0,
    ignoredColumns: [],
    bytesRead: 0,
    added: 0,
  };
}

function record(changes: Partial<ImportRecord>): ImportRecord {
  return {
    id: 'i1',
    segmentId: 's1',
    status: 'done',
    format: 'csv',
    fileName: 'leads.csv',
    defaultCountry: 'US',
    progress: {},
    summary: summary(3),
    error: null,
    startedAt: '2026-12-04T10:00:00.000Z',
    finishedAt: '2026-12-04T10:00:01.000Z',
    ...changes,
  };
}

const REASON = 'line 1: the file is empty';

describe('emptyReportMessage', () => {
  it('says every row of a done import was imported', () => {
    expect(emptyReportMessage(record({}))).toEqual({ key: 'campaigns.issues.none', params: {} });
  });

  it('says an import stopped before its first row', () => {
    const failed = record({ status: 'failed', error: REASON, summary: summary(0) });
    expect(emptyReportMessage(failed)).toEqual({ key: 'campaigns.issues.stoppedAtStart', params: { message: REASON } });
  });

  it('counts the rows read before the stop', () => {
    const failed = record({ status: 'failed', error: REASON, summary: summary(12_345) });
    const message = emptyReportMessage(failed, undefined, (value) => new Intl.NumberFormat('en').format(value));
    expect(message).toEqual({ key: 'campaigns.issues.stoppedAfterRows', params: { rows: '12,345', message: REASON } });
  });

  it('reads the progress of a stalled import', () => {
    const stalled = record({ status: 'failed', error: 'the server stopped', summary: null, progress: { rowsRead: 7 } });
    expect(emptyReportMessage(stalled)).toEqual({ key: 'campaigns.issues.stoppedAfterRows', params: { rows: '7', message: 'the server stopped' } });
    expect(emptyReportMessage({ ...stalled, progress: {} }).key).toBe('campaigns.issues.stoppedAtStart');
  });

  it('names the severity filtered on', () => {
    expect(emptyReportMessage(record({}), 'warning')).toEqual({ key: 'campaigns.issues.noneOfSeverity.warning', params: {} });
    const failed = record({ status: 'failed', error: REASON, summary: summary(5) });
    expect(emptyReportMessage(failed, 'duplicate').key).toBe('campaigns.issues.noneOfSeverity.duplicate');
  });
});
