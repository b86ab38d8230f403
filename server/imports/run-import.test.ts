import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CloudburstError } from '../../common/errors.js';
import { silentLogger } from '../../common/logger.js';
import type { Db } from '../../store/types.js';
import { TEST_STORES, type TestStore } from '../../test/stores.js';
import { createCampaign } from '../campaigns/service.js';
import { getContact, listConsentEvents, recordConsents, upsertContacts } from '../repos/contacts.js';
import { failStalledImports, getImport, listImportIssues } from '../repos/imports.js';
import { upsertTruck } from '../repos/trucks.js';
import { runImport } from './run-import.js';
import { streamUpload } from './upload.js';

async function* chunks(text: string): AsyncIterable<string> {
  yield text;
}

/** Yields `text` as a request body does, in chunks of `size` bytes. */
async function* bodyOf(text: string, size: number): AsyncIterable<Uint8Array> {
  const bytes = Buffer.from(text);
  for (let start = 0; start < bytes.length; start += size) yield bytes.subarray(start, start + size);
}

/** Yields `text`, then fails as a request body whose client closed the connection. */
async function* cutOffBody(text: string): AsyncIterable<Uint8Array> {
  yield Buffer.from(text);
  throw Object.assign(new Error('aborted'), { code: 'ECONNRESET' });
}

/** Yields the first part, then waits for `release` before the rest: an upload still arriving. */
async function* slowUpload(first: string, rest: string, release: Promise<void>): AsyncIterable<string> {
  yield first;
  await release;
  yield rest;
}

for (const [storeName, open] of TEST_STORES) {
  describe(`runImport on ${storeName}`, () => {
    let store: TestStore;
    let db: Db;
    let segmentId: string;
    let twitterSegmentId: string;
    let nearbySegmentId: string;

    beforeAll(async () => {
      store = await open();
      db = store.db;
      const { truck } = await upsertTruck(db, { name: 'Taco Uno', lat: 37.7749, lon: -122.4194, timeZone: 'America/Los_Angeles' });
      const { campaign } = await createCampaign(db, {
        name: 'Imports',
        status: 'draft',
        truckIds: [truck.id],
        window: { start: '2026-12-05T11:00', end: '2026-12-05T13:00' },
        radiusM: 200,
        benefit: { kind: 'percent', value: 10 },
        segments: [
          { source: 'facebook', name: 'Likers' },
          { source: 'twitter', name: 'Followers' },
        ],
      });
      segmentId = campaign.segments.find((segment) => segment.source === 'facebook')!.id;
      twitterSegmentId = campaign.segments.find((segment) => segment.source === 'twitter')!.id;
      nearbySegmentId = campaign.segments.find((segment) => segment.source === 'nearby')!.id;
    });

    afterAll(async () => {
      await store?.dispose();
    });

    const run = (csv: string, extra: { importId?: string; consentChannels?: Array<'sms' | 'email'> } = {}) =>
      runImport(db, { segmentId, format: 'csv', defaultCountry: 'US', ...extra }, chunks(csv), silentLogger());

    it('merges two rows that reach one known contact by different keys', async () => {
      await run('email,phone\nmerge@example.com,+14155552690\n', { consentChannels: ['sms'] });
      const record = await run('email,phone\nmerge@example.com,\nother@example.com,+14155552690\n', { consentChannels: ['sms'] });
      expect(record.error).toBeNull();
      expect(record.status).toBe('done');
      expect(record.summary).toMatchObject({ contacts: 2, added: 0 });
      const [row] = await db.query<{ id: string }>(`SELECT id FROM contacts WHERE email = 'merge@example.com'`);
      expect((await getContact(db, row!.id))!.consents.sms).toMatchObject({ granted: true });
    });

    it('refuses an import id already used, naming it', async () => {
      const importId = '6f1c2f9e-4b8a-4c57-9c1e-0a5b7d1f0c11';
      await run('email\na@example.com\n', { importId });
      const error = await run('email\nb@example.com\n', { importId }).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(CloudburstError);
      expect(error).toMatchObject({ code: 'conflict', field: 'importId', value: importId });
    });

    it('marks an import whose process stopped as failed, keeping what it read', async () => {
      const record = await run('email\nkept@example.com\n');
      await db.query(`UPDATE imports SET status = 'running', finished_at = NULL, updated_at = now() - interval '10 minutes' WHERE id = $1`, [record.id]);
      const stalled = await failStalledImports(db, Date.now(), 120_000);
      expect(stalled.map((entry) => entry.id)).toEqual([record.id]);
      const after = await getImport(db, record.id);
      expect(after).toMatchObject({ status: 'failed' });
      expect(after!.error).toMatch(/server stopped during the import; the rows read before 1 were kept/);
      expect(await failStalledImports(db, Date.now(), 120_000)).toEqual([]);
    });

    it('writes only consent changes that take effect to the history', async () => {
      const [id] = await upsertContacts(db, [{ phone: '+14155550177' }]);
      await recordConsents(db, [{ contactId: id!, channel: 'sms', granted: false, at: Date.now(), source: 'STOP' }]);
      await recordConsents(db, [
        { contactId: id!, channel: 'sms', granted: true, at: Date.now(), source: 'import' },
        { contactId: id!, channel: 'sms', granted: true, at: Date.now(), source: 'import again' },
      ]);
      expect((await listConsentEvents(db, id!)).map((event) => [event.granted, event.source])).toEqual([[false, 'STOP']]);
      expect((await getContact(db, id!))!.consents.sms).toMatchObject({ granted: false, source: 'STOP' });
    });
    it('refuses a default country without a numbering plan before it starts', async () => {
      for (const defaultCountry of ['AQ', 'XX', 'us']) {
        const error = await runImport(db, { segmentId, format: 'csv', defaultCountry }, chunks('email\nc@example.com\n'), silentLogger()).catch((caught: unknown) => caught);
        expect(error).toMatchObject({ code: 'invalid_input', field: 'defaultCountry', value: defaultCountry });
      }
      const [running] = await db.query<{ count: number }>(`SELECT count(*)::int AS count FROM imports WHERE status = 'running'`);
      expect(running!.count).toBe(0);
    });

    it('keeps lists out of segments of another source, naming the format', async () => {
      const square = 'Reference ID,First Name,Last Name,Email Address,Phone Number\nR1,Ann,Lee,ann.square@example.com,\n';
      const declared = await runImport(db, { segmentId: twitterSegmentId, format: 'square', defaultCountry: 'US' }, chunks(square), silentLogger()).catch(
        (caught: unknown) => caught,
      );
      expect(declared).toMatchObject({ code: 'invalid_input', field: 'format', value: 'square' });

      const importId = '9d4f6c1a-2b3e-4f5a-8b7c-6d5e4f3a2b1c';
      const detected = await runImport(db, { segmentId: twitterSegmentId, format: 'auto', defaultCountry: 'US', importId }, chunks(square), silentLogger()).catch(
        (caught: unknown) => caught,
      );
      expect(detected).toBeInstanceOf(CloudburstError);
      expect(detected).toMatchObject({ code: 'invalid_input', field: 'format', value: 'square' });
      expect((detected as Error).message).toBe(
        'invalid format: the file is a square export, which goes only into a point_of_sale segment, but segment "Followers" is a twitter segment',
      );
      expect(await getImport(db, importId)).toBeUndefined();
      const [members] = await db.query<{ count: number }>(`SELECT count(*)::int AS count FROM segment_members WHERE segment_id = $1`, [twitterSegmentId]);
      expect(members!.count).toBe(0);

      const nearby = await runImport(db, { segmentId: nearbySegmentId, format: 'csv', defaultCountry: 'US' }, chunks('email\nn@example.com\n'), silentLogger()).catch(
        (caught: unknown) => caught,
      );
      expect(nearby).toMatchObject({ code: 'invalid_input', field: 'segmentId', value: nearbySegmentId });
    });

    it('shows its progress while the file is still arriving', async () => {
      const importId = '0c5e7a52-5d0e-4a7b-9f3e-2b8c1d6e4f70';
      const rows = (from: number, count: number) => Array.from({ length: count }, (_, index) => `progress${from + index}@example.com\n`).join('');
      let release!: () => void;
      const released = new Promise<void>((resolve) => (release = resolve));
      // The first part is over 8 KiB, which the importer reads before it parses anything.
      const running = runImport(db, { segmentId, format: 'csv', defaultCountry: 'US', importId }, slowUpload(`email\n${rows(0, 400)}`, rows(400, 100), released), silentLogger());

      // The first 250 rows make a batch; the other 150 wait for the rest of the file.
      await expect.poll(async () => (await getImport(db, importId))?.progress.added ?? 0).toBe(250);
      const midway = (await getImport(db, importId))!;
      expect(midway.status).toBe('running');
      expect(midway.progress.rowsRead).toBeGreaterThanOrEqual(250);
      expect(midway.summary).toBeNull();

      release();
      const record = await running;
      expect(record.status).toBe('done');
      expect(record.summary).toMatchObject({ rowsRead: 500, contacts: 500, added: 500 });
    });
    it('keeps the element of a JSON issue in the stored reason', async () => {
      const json = '[{"email": "j1@example.com"}, {"email": "j2@example.com", "phone": "12"}, {"email": "J1@example.com"}]';
      const record = await runImport(db, { segmentId, format: 'auto', defaultCountry: 'US' }, chunks(json), silentLogger());

      expect(record.status).toBe('done');
      expect(await listImportIssues(db, record.id, { limit: 10, offset: 0 })).toEqual([
        {
          line: 1,
          severity: 'warning',
          field: 'phone',
          value: '12',
          reason: 'element 2: phone number "12" is too short for US',
        },
        {
          line: 1,
          severity: 'duplicate',
          field: 'email',
          value: 'J1@example.com',
          reason: 'element 3: same email "j1@example.com" as element 1 (line 1)',
        },
      ]);
    });

    it('says how far an upload got before the client closed it', async () => {
      const text = 'email\ncut1@example.com\ncut2@example.com\ncut3@exa';
      const upload = streamUpload(cutOffBody(text), { maxBytes: 1024 });
      const record = await runImport(db, { segmentId, format: 'auto', defaultCountry: 'US' }, upload, silentLogger());

      expect(record.status).toBe('failed');
      expect(record.error).toBe(
        `the upload stopped after ${Buffer.byteLength(text)} bytes because the client closed the connection. The rows before line 4 were kept. ` +
          'Import the rest of the file again, or the whole file, because contacts already in the segment are not added twice',
      );
      expect(record.summary).toMatchObject({ complete: false, rowsRead: 2, added: 2, stoppedBy: 'upload' });
    });

    it('names the JSON element where an upload stopped', async () => {
      const text = '[{"email": "cutj1@example.com"}, {"email": "cutj2@exa';
      const record = await runImport(db, { segmentId, format: 'auto', defaultCountry: 'US' }, streamUpload(cutOffBody(text), { maxBytes: 1024 }), silentLogger());

      expect(record.error).toBe(
        `the upload stopped after ${Buffer.byteLength(text)} bytes because the client closed the connection. The elements before element 2 (line 1) were kept. ` +
          'Import the rest of the file again, or the whole file, because contacts already in the segment are not added twice',
      );
    });

    it('says no row was read when an upload stops in the header', async () => {
      const record = await runImport(db, { segmentId, format: 'auto', defaultCountry: 'US' }, streamUpload(cutOffBody('ema'), { maxBytes: 1024 }), silentLogger());

      expect(record.status).toBe('failed');
      expect(record.error).toBe(
        'the upload stopped after 3 bytes because the client closed the connection. No row was read. ' +
          'Import the rest of the file again, or the whole file, because contacts already in the segment are not added twice',
      );
      expect(record.summary).toMatchObject({ rowsRead: 0, stoppedBy: 'upload' });
    });

    it('stops an upload at its byte limit', async () => {
      const text = `email\n${Array.from({ length: 10 }, (_, index) => `big${index}@example.com\n`).join('')}`;
      const record = await runImport(db, { segmentId, format: 'auto', defaultCountry: 'US' }, streamUpload(bodyOf(text, 64), { maxBytes: 100 }), silentLogger());

      expect(record.status).toBe('failed');
      expect(record.error).toBe(
        `the upload stopped after 64 bytes because the file is larger than 100 bytes, the most that one import accepts. The rows before line 5 were kept. ` +
          'Split the rest of the file into smaller files and import each of them',
      );
    });

    it('marks a fault in the file as stopped by the file', async () => {
      const record = await runImport(db, { segmentId, format: 'auto', defaultCountry: 'US' }, chunks('email\nbin\u0000@example.com\n'), silentLogger());

      expect(record.status).toBe('failed');
      expect(record.error).toBe('line 2: the file is not text (found a NUL byte at byte offset 9). Export the list as CSV or JSON and import that file');
      expect(record.summary).toMatchObject({ rowsRead: 0, stoppedBy: 'file' });
    });
  });
}
