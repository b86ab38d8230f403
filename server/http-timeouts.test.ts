import { mkdtemp, rm } from 'node:fs/promises';
import { request, type IncomingMessage } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../common/logger.js';
import { backendOptions } from '../test/backend.js';
import { startCloudburst, type RunningCloudburst } from './app-server.js';
import { createCampaign } from './campaigns/service.js';
import { getImport } from './repos/imports.js';
import { upsertTruck } from './repos/trucks.js';
import { httpServerOptions, withRequestDeadline } from './http-timeouts.js';

const ADMIN_TOKEN = 'http-timeouts-token';
// Far shorter than the defaults, so that the uploads below outlast the request timeout in about a second.
const REQUEST_MS = 300;
const UPLOAD_IDLE_MS = 1_000;
// Each gap stays well under UPLOAD_IDLE_MS, and ten of them outlast REQUEST_MS.
const CHUNK_GAP_MS = 100;

interface Sent {
  /** The reply, or undefined when the connection closed without one. */
  status?: number;
  body?: string;
  /** The client's error, when the connection closed without a reply. */
  error?: NodeJS.ErrnoException;
}

/**
 * Sends a request whose body goes out in `parts`, `gapMs` apart, and ends it
 * only when `end` is true. `abortAfterMs` closes the connection that long after the last part.
 */
function send(url: string, route: string, parts: string[], options: { gapMs: number; end: boolean; abortAfterMs?: number; contentLength?: number }): Promise<Sent> {
  return new Promise((resolve) => {
    const headers: Record<string, string | number> = { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/octet-stream' };
    if (options.contentLength !== undefined) headers['content-length'] = options.contentLength;
    const outgoing = request(`${url}${route}`, { method: 'POST', headers });
    outgoing.on('response', (response: IncomingMessage) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk));
      response.on('end', () => resolve({ status: response.statusCode, body }));
      response.on('error', (error) => resolve({ status: response.statusCode, error }));
    });
    outgoing.on('error', (error) => resolve({ error }));

    void (async () => {
      for (const [index, part] of parts.entries()) {
        if (index > 0) await sleep(options.gapMs);
        if (outgoing.destroyed) return;
        outgoing.write(part);
      }
      if (options.end) {
        outgoing.end();
      } else if (options.abortAfterMs !== undefined) {
        await sleep(options.abortAfterMs);
        outgoing.destroy();
      }
    })();
  });
}

const emails = (prefix: string, from: number, count: number) =>
  Array.from({ length: count }, (_, index) => `${prefix}${from + index}@example.com\n`).join('');

describe('HTTP timeouts of a running server', () => {
  let server: RunningCloudburst;
  let dataDir: string;
  let segmentId: string;

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'cloudburst-timeouts-'));
    server = await startCloudburst({
      dataDir,
      port: 0,
      host: '127.0.0.1',
      adminToken: ADMIN_TOKEN,
      logger: silentLogger(),
      httpTimeouts: { requestMs: REQUEST_MS, uploadIdleMs: UPLOAD_IDLE_MS },
      ...(await backendOptions()),
    });
    const { db } = server.services;
    const { truck } = await upsertTruck(db, { name: 'Taco Dos', lat: 37.7749, lon: -122.4194, timeZone: 'America/Los_Angeles' });
    const { campaign } = await createCampaign(db, {
      name: 'Slow uploads',
      status: 'draft',
      truckIds: [truck.id],
      window: { start: '2026-12-05T11:00', end: '2026-12-05T13:00' },
      radiusM: 200,
      benefit: { kind: 'percent', value: 10 },
      segments: [{ source: 'facebook', name: 'Likers' }],
    });
    segmentId = campaign.segments.find((segment) => segment.source === 'facebook')!.id;
  }, 60_000);

  afterAll(async () => {
    await server?.stop();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('finishes an upload slower than the request timeout', async () => {
    const parts = ['email\n', ...Array.from({ length: 10 }, (_, index) => emails('slow', index * 50, 50))];

    const reply = await send(server.url, `/v1/admin/segments/${segmentId}/imports?fileName=slow.csv`, parts, { gapMs: CHUNK_GAP_MS, end: true });

    expect(reply.error).toBeUndefined();
    expect(reply.status).toBe(201);
    const { import: record } = JSON.parse(reply.body!) as { import: { status: string; error: string | null; summary: Record<string, unknown> } };
    expect(record.error).toBeNull();
    expect(record.status).toBe('done');
    expect(record.summary).toMatchObject({ complete: true, rowsRead: 500, contacts: 500, added: 500 });
  });

  it('answers 408 to another request slower than the request timeout', async () => {
    const body = JSON.stringify({ name: 'Never finished' });

    const reply = await send(server.url, '/v1/admin/campaigns', [body.slice(0, 5)], { gapMs: 0, end: false, abortAfterMs: 5_000, contentLength: body.length });

    expect(reply.status).toBe(408);
  });

  it('closes an upload that sends nothing for the idle time', async () => {
    const importId = '3a7c2e91-6b4d-4f08-9e1a-5c2d7b8f0a64';
    const sent = `email\n${emails('idle', 0, 3)}idle3@exa`;

    const reply = await send(server.url, `/v1/admin/segments/${segmentId}/imports?importId=${importId}`, [sent], {
      gapMs: 0,
      end: false,
      abortAfterMs: 10_000,
    });

    expect(reply.status).toBeUndefined();
    expect(reply.error?.code).toBe('ECONNRESET');
    await expect.poll(async () => (await getImport(server.services.db, importId))?.status, { timeout: 10_000 }).toBe('failed');
    const record = (await getImport(server.services.db, importId))!;
    expect(record.error).toBe(
      `the upload stopped after ${sent.length} bytes because no data arrived for 1 s, so the server closed the connection. The rows before line 5 were kept. ` +
        'Check the network and import the rest of the file again, or the whole file, because contacts already in the segment are not added twice',
    );
    expect(record.summary).toMatchObject({ rowsRead: 3, added: 3, stoppedBy: 'upload' });
  });

  it('records an upload whose client closed the connection', async () => {
    const importId = '5e8b1f27-0c3a-4d69-b2e4-7f1a9c6d3b05';
    const sent = `email\n${emails('gone', 0, 2)}gone2@exa`;

    await send(server.url, `/v1/admin/segments/${segmentId}/imports?importId=${importId}`, [sent], { gapMs: 0, end: false, abortAfterMs: 200 });

    await expect.poll(async () => (await getImport(server.services.db, importId))?.status, { timeout: 10_000 }).toBe('failed');
    const record = (await getImport(server.services.db, importId))!;
    expect(record.error).toBe(
      `the upload stopped after ${sent.length} bytes because the client closed the connection. The rows before line 4 were kept. ` +
        'Import the rest of the file again, or the whole file, because contacts already in the segment are not added twice',
    );
  });
});

describe('HTTP timeout settings', () => {
  it('turn off only the request timeout', () => {
    expect(httpServerOptions()).toEqual({ requestTimeout: 0, headersTimeout: 60_000 });
  });

  it.each([0, -1, 1.5, Number.NaN])('reject the timeout %s', (value) => {
    expect(() => withRequestDeadline(() => undefined, { requestMs: value })).toThrow(
      new RangeError(`invalid httpTimeouts.requestMs: ${value} (expected a positive integer of milliseconds)`),
    );
    expect(() => withRequestDeadline(() => undefined, { uploadIdleMs: value })).toThrow(
      new RangeError(`invalid httpTimeouts.uploadIdleMs: ${value} (expected a positive integer of milliseconds)`),
    );
  });
});
