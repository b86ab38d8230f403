import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { AdminApi, ApiError, type ImportUpload } from './admin-api.js';
import { uploadContactList, uploadFraction } from './import-upload.js';
import type { ImportRecord } from './types.js';

function record(status: ImportRecord['status'], bytesRead: number): ImportRecord {
  return {
    id: 'i1',
    segmentId: 's1',
    status,
    format: 'csv',
    fileName: 'leads.csv',
    defaultCountry: 'US',
    progress: { bytesRead, rowsRead: bytesRead / 10, contacts: 0, issues: 0 },
    summary: null,
    error: null,
    startedAt: '2026-12-04T10:00:00.000Z',
    finishedAt: null,
  };
}

/** Builds an API whose upload finishes when the test calls `finish`, and whose progress reads come from `progress` in order. */
function fakeApi(progress: Array<ImportRecord | ApiError>) {
  const api = new AdminApi({ token: 't' });
  let finish: (value: ImportRecord) => void = () => {};
  const uploads: ImportUpload[] = [];
  const reads: string[] = [];
  vi.spyOn(api, 'uploadImport').mockImplementation((_segmentId, _file, upload) => {
    uploads.push(upload);
    return new Promise((resolve) => (finish = resolve));
  });
  vi.spyOn(api, 'getImport').mockImplementation(async (id) => {
    reads.push(id);
    const next = progress.shift();
    if (next === undefined || next instanceof ApiError) throw next ?? new Error('no more progress');
    return next;
  });
  return { api, uploads, reads, finish: (value: ImportRecord) => finish(value) };
}

beforeEach(() => {
  vi.useFakeTimers();
});

afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
});

describe('uploadContactList', () => {
  it('reports progress until the upload finishes', async () => {
    const missing = new ApiError(404, 'not_found', 'import i1 not found');
    const { api, uploads, reads, finish } = fakeApi([missing, record('running', 100), record('running', 300)]);
    const seen: number[] = [];
    const file = new File(['x'.repeat(400)], 'leads.csv');

    const done = uploadContactList(api, 's1', file, { format: 'csv', defaultCountry: 'US', consent: ['sms'] }, (progress) =>
      seen.push(progress.progress.bytesRead ?? -1),
    );
    await vi.advanceTimersByTimeAsync(1500);
    finish(record('done', 400));
    const result = await done;
    await vi.advanceTimersByTimeAsync(2000);

    expect(result.status).toBe('done');
    expect(seen).toEqual([100, 300]);
    expect(reads).toEqual([uploads[0]!.importId, uploads[0]!.importId, uploads[0]!.importId]);
    expect(uploads[0]!.importId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(uploads[0]!.consent).toEqual(['sms']);
  });
});

describe('uploadFraction', () => {
  it.each([
    [0, 400, 0],
    [100, 400, 0.25],
    [500, 400, 1],
    [0, 0, 1],
  ])('%i of %i bytes is %f', (bytesRead, size, fraction) => {
    expect(uploadFraction(bytesRead, size)).toBe(fraction);
  });
});
