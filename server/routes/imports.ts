import type { IncomingMessage } from 'node:http';
import { Hono } from 'hono';
import { z } from 'zod';
import { CHANNEL_NAMES, type ChannelName } from '../../channels/types.js';
import { CloudburstError } from '../../common/errors.js';
import { isPhoneCountry } from '../../contacts/phone.js';
import type { Logger } from '../../common/logger.js';
import { runImport } from '../imports/run-import.js';
import { streamUpload } from '../imports/upload.js';
import { getImport, listImportIssues, listImportsOfSegment } from '../repos/imports.js';
import { getSegment } from '../repos/segments.js';
import type { ServerServices } from '../services.js';
import { parseInput } from '../../common/validation.js';
import { pageParams, uuidParam } from './params.js';

/** Largest contact list accepted in one upload: a million rows of a wide CRM export fit in well under this. */
export const MAX_IMPORT_BYTES = 512 * 1024 * 1024;

const importQuery = z
  .object({
    format: z.enum(['auto', 'meta-leads', 'square', 'x-followers', 'csv', 'json']).default('auto'),
    defaultCountry: z
      .string()
      .regex(/^[A-Z]{2}$/, 'expected an upper-case ISO 3166-1 country code like "US"')
      .refine(isPhoneCountry, 'expected a country with a telephone numbering plan, like "US" or "CN"')
      .default('US'),
    fileName: z.string().max(255).optional(),
    importId: uuidParam.optional(),
    consent: z
      .string()
      .optional()
      .transform((value, ctx) => {
        if (!value) return [] as ChannelName[];
        const channels = value.split(',').map((channel) => channel.trim());
        const unknown = channels.find((channel) => !(CHANNEL_NAMES as readonly string[]).includes(channel));
        if (unknown !== undefined) {
          ctx.addIssue({ code: 'custom', message: `unknown channel "${unknown}"; expected a comma-separated list of ${CHANNEL_NAMES.join(', ')}` });
          return z.NEVER;
        }
        return channels as ChannelName[];
      }),
  })
  .strict();

const issueQuery = z.object({
  ...pageParams(10_000, 1_000),
  severity: z.enum(['error', 'warning', 'duplicate']).optional(),
});

function tooLarge(): CloudburstError {
  return new CloudburstError('payload_too_large', `import file exceeds ${MAX_IMPORT_BYTES} bytes; split it into several imports`);
}

/** Contact-list imports under `/v1/admin`; the file is the raw request body, streamed. */
export function importRoutes(services: ServerServices, logger: Logger): Hono {
  const { db } = services;
  const app = new Hono();

  // POST /segments/:id/imports?format=&defaultCountry=&fileName=&importId=&consent=sms,email
  // Replies when the whole file is read, with the summary; GET /imports/:importId shows progress meanwhile.
  // The body is streamed through with a byte limit, because a body limit that buffers would
  // hold a chunked upload in memory before the import saw its first row.
  app.post('/segments/:id/imports', async (c) => {
    const segmentId = parseInput(uuidParam, c.req.param('id'), 'id');
    const query = parseInput(importQuery, c.req.query(), 'query');
    const declared = Number(c.req.header('content-length'));
    if (Number.isFinite(declared) && declared > MAX_IMPORT_BYTES) throw tooLarge();
    const body = c.req.raw.body;
    if (!body) throw new CloudburstError('invalid_input', 'invalid (body): missing (expected the contact list file)', { field: '(body)' });
    const record = await runImport(
      db,
      {
        segmentId,
        format: query.format,
        defaultCountry: query.defaultCountry,
        fileName: query.fileName,
        importId: query.importId,
        consentChannels: query.consent,
      },
      streamUpload(body as unknown as AsyncIterable<Uint8Array>, { maxBytes: MAX_IMPORT_BYTES, incoming: nodeRequestOf(c.env) }),
      logger,
    );
    return c.json({ import: record }, record.status === 'done' ? 201 : 422);
  });

  app.get('/segments/:id/imports', async (c) => {
    const segmentId = parseInput(uuidParam, c.req.param('id'), 'id');
    if (!(await getSegment(db, segmentId))) throw new CloudburstError('not_found', `segment ${segmentId} not found`, { field: 'id', value: segmentId });
    return c.json({ imports: await listImportsOfSegment(db, segmentId) });
  });

  app.get('/imports/:id', async (c) => {
    const id = parseInput(uuidParam, c.req.param('id'), 'id');
    const record = await getImport(db, id);
    if (!record) throw new CloudburstError('not_found', `import ${id} not found`, { field: 'id', value: id });
    return c.json({ import: record });
  });

  // GET /imports/:id/issues?severity=&limit=&offset=: the row-level report, line by line.
  app.get('/imports/:id/issues', async (c) => {
    const id = parseInput(uuidParam, c.req.param('id'), 'id');
    const { limit, offset, severity } = parseInput(issueQuery, c.req.query());
    if (!(await getImport(db, id))) throw new CloudburstError('not_found', `import ${id} not found`, { field: 'id', value: id });
    return c.json({ issues: await listImportIssues(db, id, { severity, limit, offset }) });
  });

  return app;
}

/** Returns the Node request that @hono/node-server passes as `env.incoming`, or undefined under app.request in tests. */
function nodeRequestOf(env: unknown): IncomingMessage | undefined {
  return (env as { incoming?: IncomingMessage } | undefined)?.incoming;
}
