import { describe, expect, it } from 'vitest';
import {
  EMPTY_PANEL,
  failUpload,
  finishUpload,
  panelProgress,
  reportedImport,
  showLatestImport,
  showProgress,
  showReadError,
  startUpload,
  type ImportPanel,
} from './import-panel.js';
import type { ImportRecord } from './types.js';

function record(id: string, status: ImportRecord['status'], rowsRead = 4, bytesRead = 100): ImportRecord {
  return {
    id,
    segmentId: 's1',
    status,
    format: 'csv',
    fileName: `${id}.csv`,
    defaultCountry: 'US',
    progress: { bytesRead, rowsRead },
    summary:
      status === 'running'
        ? null
        : {
            complete: status === 'done',
            rowsRead,
            contacts: rowsRead,
            duplicates: 0,
            rowsRejected: 0,
            errors: 0,
            warnings: 0,
            issuesDropped: 0,
            ignoredColumns: [],
            bytesRead,
            added: rowsRead,
          },
    error: status === 'failed' ? 'line 1: the file is empty' : null,
    startedAt: '2026-12-04T10:00:00.000Z',
    finishedAt: status === 'running' ? null : '2026-12-04T10:00:01.000Z',
  };
}

const previous = record('previous', 'failed', 0, 0);

describe('showLatestImport', () => {
  it('shows the newest import', () => {
    const panel = showLatestImport(EMPTY_PANEL, [previous, record('older', 'done')]);
    expect(panel).toEqual({ view: 'latest', record: previous });
    expect(reportedImport(panel)).toBe(previous);
    expect(panelProgress(panel)).toBeNull();
  });

  it('skips a running import', () => {
    expect(showLatestImport(EMPTY_PANEL, [record('running', 'running'), previous])).toBe(EMPTY_PANEL);
  });

  it('shows nothing without imports', () => {
    expect(showLatestImport(EMPTY_PANEL, [])).toBe(EMPTY_PANEL);
  });

  it('leaves a started upload alone', () => {
    const uploading = startUpload(400);
    expect(showLatestImport(uploading, [previous])).toBe(uploading);
    const finished = finishUpload(uploading, record('new', 'done'));
    expect(showLatestImport(finished, [previous])).toBe(finished);
  });
});

describe('showReadError', () => {
  it('shows the error before any upload', () => {
    expect(showReadError(EMPTY_PANEL, 'network down')).toEqual({ view: 'error', message: 'network down' });
  });

  it('leaves a started upload alone', () => {
    const uploading = startUpload(400);
    expect(showReadError(uploading, 'network down')).toBe(uploading);
  });
});

describe('upload', () => {
  it('replaces the latest import at once', () => {
    const panel = startUpload(400);
    expect(panel).toEqual({ view: 'uploading', fileSize: 400, progress: null });
    expect(reportedImport(panel)).toBeNull();
    expect(panelProgress(panel)).toEqual({ bytesRead: 0, fileSize: 400, rowsRead: 0 });
  });

  it('shows the progress of the running upload', () => {
    const panel = showProgress(startUpload(400), record('new', 'running', 10, 300));
    expect(reportedImport(panel)).toBeNull();
    expect(panelProgress(panel)).toEqual({ bytesRead: 300, fileSize: 400, rowsRead: 10 });
  });

  it('reports the finished upload with its summary', () => {
    const finished = record('new', 'done', 12, 400);
    const panel = finishUpload(showProgress(startUpload(400), record('new', 'running', 10, 300)), finished);
    expect(panel).toEqual({ view: 'finished', fileSize: 400, record: finished });
    expect(reportedImport(panel)).toBe(finished);
    expect(panelProgress(panel)).toEqual({ bytesRead: 400, fileSize: 400, rowsRead: 12 });
  });

  it('ignores progress after the finish', () => {
    const panel = finishUpload(startUpload(400), record('new', 'done'));
    expect(showProgress(panel, record('new', 'running', 1, 1))).toBe(panel);
  });

  it('shows the error of a rejected upload', () => {
    const panel = failUpload(startUpload(400), 'invalid defaultCountry: "XX"');
    expect(panel).toEqual({ view: 'error', message: 'invalid defaultCountry: "XX"' });
    expect(reportedImport(panel)).toBeNull();
    expect(panelProgress(panel)).toBeNull();
  });

  it.each<[string, ImportPanel]>([
    ['empty', EMPTY_PANEL],
    ['latest', { view: 'latest', record: previous }],
  ])('ignores a finish without an upload (%s)', (_name, panel) => {
    expect(finishUpload(panel, record('new', 'done'))).toBe(panel);
    expect(failUpload(panel, 'late')).toBe(panel);
  });
});
