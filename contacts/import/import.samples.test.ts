import { createReadStream, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { collect, chunked, SAMPLES_DIR } from './import-suite.js';
import type { ImportFormat } from './types.js';

const META = join(SAMPLES_DIR, 'meta_lead_ads_export.sample.csv');
const SQUARE = join(SAMPLES_DIR, 'square_customers_export.sample.csv');
const X_FOLLOWERS = join(SAMPLES_DIR, 'twitter_archive_follower.sample.js');

// Every sample phone is +1 555 555 01xx, which libphonenumber's full metadata
// rejects, so each of those rows keeps its contact by email and warns about the phone.
const invalidPhone = (line: number, field: string, value: string, number: string) => ({
  line,
  field,
  value,
  reason: `phone number "${number}" is not a valid number for calling code +1`,
  severity: 'warning',
});

describe('Meta Lead Ads sample', () => {
  it.each<ImportFormat>(['auto', 'meta-leads'])('imports every lead with format %s', async (format) => {
    const result = await collect(createReadStream(META), { format });

    expect(result.error).toBeUndefined();
    expect(result.contacts).toEqual([
      {
        line: 2,
        firstName: 'Test',
        fullName: 'Test Person One',
        email: 'test.person.one@example.com',
        externalId: 'l:1111111111111111',
        consent: {},
      },
      {
        line: 3,
        firstName: 'Test',
        fullName: 'Test Person Two',
        email: 'test.person.two@example.com',
        externalId: 'l:1111111111111112',
        consent: {},
      },
      {
        line: 4,
        firstName: 'Test',
        fullName: 'Test Person Three',
        email: 'test.person.three@example.com',
        externalId: 'l:1111111111111113',
        consent: {},
      },
    ]);
    expect(result.issues).toEqual([
      invalidPhone(2, 'phone_number', 'p:+15555550101', '+15555550101'),
      invalidPhone(3, 'phone_number', 'p:+15555550102', '+15555550102'),
      invalidPhone(4, 'phone_number', 'p:+15555550103', '+15555550103'),
    ]);
  });

  it('summarizes the import', async () => {
    const { summary, batches } = await collect(createReadStream(META));

    expect(batches.map((batch) => [batch.format, batch.source])).toEqual([['meta-leads', 'facebook']]);
    expect(summary).toEqual({
      format: 'meta-leads',
      source: 'facebook',
      complete: true,
      rowsRead: 3,
      contacts: 3,
      duplicates: 0,
      rowsRejected: 0,
      errors: 0,
      warnings: 3,
      issuesDropped: 0,
      ignoredColumns: [
        'created_time',
        'ad_id',
        'ad_name',
        'adset_id',
        'adset_name',
        'campaign_id',
        'campaign_name',
        'form_id',
        'form_name',
        'is_organic',
        'platform',
        'inbox_url',
        'lead_status',
      ],
      bytesRead: readFileSync(META).length,
    });
  });
});

describe('Square customers sample', () => {
  it.each<ImportFormat>(['auto', 'square'])('imports every customer with format %s', async (format) => {
    const result = await collect(createReadStream(SQUARE), { format });

    expect(result.error).toBeUndefined();
    expect(result.contacts).toEqual([
      {
        line: 2,
        firstName: 'Testfirst',
        lastName: 'Testlast',
        email: 'test.customer.one@example.com',
        externalId: 'FAKESQUAREID0000000000001',
        consent: {},
      },
      {
        line: 3,
        firstName: 'Samplefirst',
        lastName: 'Samplelast',
        email: 'test.customer.two@example.com',
        externalId: 'FAKESQUAREID0000000000002',
        consent: {},
      },
    ]);
    expect(result.issues).toEqual([
      invalidPhone(2, 'Phone Number', '+15555550111', '+15555550111'),
      invalidPhone(3, 'Phone Number', '+15555550112', '+15555550112'),
    ]);
  });

  it('summarizes the import', async () => {
    const { summary } = await collect(createReadStream(SQUARE));

    expect(summary.format).toBe('square');
    expect(summary.source).toBe('point_of_sale');
    expect(summary.rowsRead).toBe(2);
    expect(summary.contacts).toBe(2);
    expect(summary.warnings).toBe(2);
    expect(summary.ignoredColumns).toContain('Reference ID');
    expect(summary.ignoredColumns).not.toContain('Email Subscription Status');
    expect(summary.ignoredColumns).toHaveLength(17);
  });
});

describe('X archive follower sample', () => {
  it.each<ImportFormat>(['auto', 'x-followers'])('imports every follower with format %s', async (format) => {
    const result = await collect(createReadStream(X_FOLLOWERS), { format });

    expect(result.error).toBeUndefined();
    expect(result.issues).toEqual([]);
    expect(result.contacts).toEqual([
      { line: 1, xUserId: '1111111111111111111', externalId: '1111111111111111111', consent: {} },
      { line: 6, xUserId: '2222222222222222222', externalId: '2222222222222222222', consent: {} },
      { line: 11, xUserId: '3333333333333333333', externalId: '3333333333333333333', consent: {} },
    ]);
    expect(result.summary).toMatchObject({ format: 'x-followers', source: 'twitter', complete: true, rowsRead: 3, contacts: 3 });
  });
});

describe('samples in 1-byte chunks', () => {
  it.each([META, SQUARE, X_FOLLOWERS])('gives the same result for %s', async (path) => {
    const whole = await collect(createReadStream(path));
    const bytewise = await collect(chunked(readFileSync(path), 1));

    expect(bytewise.contacts).toEqual(whole.contacts);
    expect(bytewise.issues).toEqual(whole.issues);
    expect(bytewise.summary).toEqual(whole.summary);
  });
});
