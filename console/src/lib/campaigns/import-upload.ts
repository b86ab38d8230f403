import { ApiError, type AdminApi, type ImportUpload } from './admin-api.js';
import type { ImportRecord } from './types.js';

/** How often the import's progress is read while the file uploads. */
export const PROGRESS_POLL_MS = 500;

/**
 * Uploads a contact list into a segment and reports the server's progress record every
 * `pollMs` while the upload runs. The import id is chosen here, so the progress can be
 * read before the server replies, which it does only once the whole file is read.
 * Resolves with the finished record: status `done`, or `failed` with the reason in `error`.
 */
export async function uploadContactList(
  api: AdminApi,
  segmentId: string,
  file: File,
  options: Omit<ImportUpload, 'importId'>,
  onProgress: (record: ImportRecord) => void,
  pollMs: number = PROGRESS_POLL_MS,
): Promise<ImportRecord> {
  const importId = crypto.randomUUID();
  let finished = false;
  let reading = false;
  let warned = false;

  const timer = setInterval(() => {
    if (reading) return;
    reading = true;
    api
      .getImport(importId)
      .then((record) => {
        if (!finished) onProgress(record);
      })
      .catch((error: unknown) => {
        // Until the server has read the first bytes, the import does not exist yet.
        if (error instanceof ApiError && error.status === 404) return;
        if (!warned) console.warn(`Reading the progress of import ${importId} failed; the upload goes on.`, error);
        warned = true;
      })
      .finally(() => {
        reading = false;
      });
  }, pollMs);

  try {
    return await api.uploadImport(segmentId, file, { ...options, importId });
  } finally {
    finished = true;
    clearInterval(timer);
  }
}

/** Returns the share of the file the server has read, from 0 to 1; an empty file counts as read. */
export function uploadFraction(bytesRead: number, fileSize: number): number {
  if (fileSize <= 0) return 1;
  return Math.min(1, Math.max(0, bytesRead / fileSize));
}
