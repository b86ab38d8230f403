import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CloudburstError } from '../../common/errors.js';
import { silentLogger } from '../../common/logger.js';
import type { Db } from '../../store/types.js';
import { openMemoryStore, type TestStore } from '../../test/stores.js';
import { createCampaign } from '../campaigns/service.js';
import { getContact, listConsentEvents, recordConsents, upsertContacts } from '../repos/contacts.js';
import { failStalledImports, getImport } from '../repos/imports.js';
import { upsertTruck } from '../repos/trucks.js';
import { runImport } from './run-import.js';

describe('runImport', () => {
  let store: TestStore;
  let db: Db;
  let segmentId: string;

  beforeAll(async () => {
    store = await openMemoryStore();
    db = store.db;
    const { truck } = await upsertTruck(db, { name: 'Taco Uno', lat: 37.7749, lon: -122.4194, timeZone: 'America/Los_Angeles' });
    const { campaign } = await createCampaign(db, {
      name: 'Imports',
      status: 'draft',
      truckIds: [truck.id],
      window: { start: '2026-12-05T11:00', end: '2026-12-05T13:00' },
      radiusM: 200,
      benefit: { kind: 'percent', value: 10 },
      segments: [{ source: 'facebook', name: 'Likers' }],
    });
    segmentId = campaign.segments.find((segment) => segment.source === 'facebook')!.id;
  });

  afterAll(async () => {
    await store?.dispose();
  });

  const run = (csv: string, extra: { importId?: string; consentChannels?: Array<'sms' | 'email'> } = {}) =>
    runImport(db, { segmentId, format: 'csv', defaultCountry: 'US', ...extra }, chunks(csv), silentLogger());

async function* chunks(text: string): AsyncIterable<string> {
  yield text;
}

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
});
