/**
 * The state of a segment's import panel, as a value changed only by the functions below.
 * Once the marketer starts an upload, the panel shows that upload alone: its progress,
 * then its result. The segment's latest import, which is read from the server when the
 * panel opens, is shown only until then, even when that read returns late.
 */
import type { ImportRecord } from './types.js';

export type ImportPanel =
  /** Nothing to show yet: the segment has no finished import, or it is still being read. */
  | { view: 'empty' }
  /** The segment's latest import from before the panel opened. */
  | { view: 'latest'; record: ImportRecord }
  /** An upload in progress, with the last progress record the server returned, if any. */
  | { view: 'uploading'; fileSize: number; progress: ImportRecord | null }
  /** The upload started here, finished as `done` or `failed`. */
  | { view: 'finished'; fileSize: number; record: ImportRecord }
  /** The last upload or read failed before the server returned an import record. */
  | { view: 'error'; message: string };

/** How far the file has been read, for a progress bar. */
export interface PanelProgress {
  bytesRead: number;
  fileSize: number;
  rowsRead: number;
}

export const EMPTY_PANEL: ImportPanel = { view: 'empty' };

/**
 * Shows the newest of the segment's `imports` (newest first, as the server lists them),
 * unless an upload has started since the panel opened or that import is still running.
 */
export function showLatestImport(panel: ImportPanel, imports: readonly ImportRecord[]): ImportPanel {
  const latest = imports[0];
  if (panel.view !== 'empty' || !latest || latest.status === 'running') return panel;
  return { view: 'latest', record: latest };
}

/** Shows that reading the segment's imports failed, unless an upload has started since. */
export function showReadError(panel: ImportPanel, message: string): ImportPanel {
  return panel.view === 'empty' ? { view: 'error', message } : panel;
}

/** Replaces whatever the panel shows with a new upload of a file of `fileSize` bytes. */
export function startUpload(fileSize: number): ImportPanel {
  return { view: 'uploading', fileSize, progress: null };
}

/** Shows a progress record of the running upload. A record that arrives after the finish is ignored. */
export function showProgress(panel: ImportPanel, progress: ImportRecord): ImportPanel {
  return panel.view === 'uploading' ? { ...panel, progress } : panel;
}

/** Shows the finished record of the running upload. */
export function finishUpload(panel: ImportPanel, record: ImportRecord): ImportPanel {
  return panel.view === 'uploading' ? { view: 'finished', fileSize: panel.fileSize, record } : panel;
}

/** Shows that the running upload failed without an import record, such as when the request was rejected. */
export function failUpload(panel: ImportPanel, message: string): ImportPanel {
  return panel.view === 'uploading' ? { view: 'error', message } : panel;
}

/** Returns the import record the panel reports on: the latest import or the finished upload. */
export function reportedImport(panel: ImportPanel): ImportRecord | null {
  return panel.view === 'latest' || panel.view === 'finished' ? panel.record : null;
}

/**
 * Returns the progress bar of the upload started here: the server's last progress while it
 * runs, and the summary once it finished. None for the latest import from before, because
 * the size of its file is unknown.
 */
export function panelProgress(panel: ImportPanel): PanelProgress | null {
  if (panel.view === 'uploading') {
    return { bytesRead: panel.progress?.progress.bytesRead ?? 0, fileSize: panel.fileSize, rowsRead: panel.progress?.progress.rowsRead ?? 0 };
  }
  if (panel.view === 'finished' && panel.record.summary) {
    return { bytesRead: panel.record.summary.bytesRead, fileSize: panel.fileSize, rowsRead: panel.record.summary.rowsRead };
  }
  return null;
}
