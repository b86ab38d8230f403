import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CloudburstError } from '../../common/errors.js';
import { silentLogger } from '../../common/logger.js';
import type { Db } from '../../store/types.js';
import { TEST_STORES, type TestStore } from '../../test/stores.js';
import { codePrefix, generateCode, generateSharedCode, parseChosenCode } from '../codes.js';
import { insertCampaign } from './campaigns.js';
import { ensureSegmentCode, getCodeInfo, issueRecipientCode } from './codes.js';
import { registerDevice } from './devices.js';
import { upsertTruck } from './trucks.js';

const SYMBOL = '[23456789ABCDEFGHJKMNPQRSTUVWXYZ]';
const VALID_FROM = Date.parse('2026-12-04T19:00:00.000Z');
const VALID_UNTIL = Date.parse('2026-12-04T21:00:00.000Z');
const WINDOW = { validFrom: VALID_FROM, validUntil: VALID_UNTIL };

function failureOf(work: () => unknown): CloudburstError {
  try {
    work();
  } catch (error) {
    if (error instanceof CloudburstError) return error;
    throw error;
  }
  throw new Error('expected a CloudburstError, but nothing was thrown');
}

async function rejectionOf(promise: Promise<unknown>): Promise<CloudburstError> {
  return promise.then(
    () => {
      throw new Error('expected a CloudburstError, but the promise resolved');
    },
    (error: unknown) => {
      if (error instanceof CloudburstError) return error;
      throw error;
    },
  );
}

describe('codePrefix', () => {
  const cases: Array<[string, string | undefined]> = [
    ['Lunch rush downtown', 'RUSH'],
    ['Burger fans', 'BURGER'],
    ['Students near campus', 'NEAR'],
    ['Weekend regulars', 'WEEKEN'],
    ['Café crowd', 'CAFE'],
    ['午餐人群', undefined],
    ['Lunch', undefined],
    ['at 5 pm', undefined],
    ['RUSH', 'RUSH'],
  ];

  for (const [name, expected] of cases) {
    it(`derives ${String(expected)} from ${JSON.stringify(name)}`, () => {
      expect(codePrefix(name)).toBe(expected);
    });
  }
});

describe('generateSharedCode', () => {
  it('puts the prefix before 4 symbols', () => {
    for (let i = 0; i < 200; i++) expect(generateSharedCode('Burger fans')).toMatch(new RegExp(`^BURGER-${SYMBOL}{4}$`));
  });

  it('uses 4 symbols alone without a usable prefix', () => {
    expect(generateSharedCode('午餐')).toMatch(new RegExp(`^${SYMBOL}{4}$`));
    expect(generateSharedCode()).toMatch(new RegExp(`^${SYMBOL}{4}$`));
  });
});

describe('parseChosenCode', () => {
  it('trims and upper-cases', () => {
    expect(parseChosenCode('code', '  burger-25 ')).toBe('BURGER-25');
  });

  const ambiguous: Array<[string, string]> = [
    ['beef-2026', '0'],
    ['Lunch', 'L'],
    ['free1', '1'],
    ['SPICY', 'I'],
    ['TOFU', 'O'],
  ];
  for (const [raw, character] of ambiguous) {
    it(`rejects ${JSON.stringify(raw)} naming ${character}`, () => {
      const error = failureOf(() => parseChosenCode('code', raw));
      expect(error.code).toBe('invalid_input');
      expect(error.field).toBe('code');
      expect(error.value).toBe(raw);
      expect(error.message).toContain(`contains "${character}", which codes never use`);
      expect(error.message).toContain('choose another character');
    });
  }

  it('rejects other characters', () => {
    const error = failureOf(() => parseChosenCode('code', 'BURGER_25'));
    expect(error.message).toBe(`invalid code: "BURGER_25" contains "_" (expected only letters, digits 2-9 and '-')`);
  });

  it('rejects codes too short or too long', () => {
    expect(failureOf(() => parseChosenCode('code', 'ABC')).message).toBe('invalid code: "ABC" (expected 4 to 20 characters)');
    expect(failureOf(() => parseChosenCode('code', 'A'.repeat(21))).message).toContain('expected 4 to 20 characters');
    expect(parseChosenCode('code', 'A'.repeat(20))).toBe('A'.repeat(20));
  });

  it('rejects a leading or trailing hyphen', () => {
    expect(failureOf(() => parseChosenCode('code', '-BURGER')).message).toContain('starts and ends with a letter or digit');
    expect(failureOf(() => parseChosenCode('code', 'BURGER-')).field).toBe('code');
  });
});

for (const [storeName, open] of TEST_STORES) {
  describe(`code repository on ${storeName}`, () => {
    let store: TestStore;
    let db: Db;

    beforeAll(async () => {
      store = await open();
      db = store.db;
    });

    afterAll(async () => {
      await store?.dispose();
    });

    /** Creates an active campaign with one truck and the named segments; returns the segment ids in order. */
    async function seedCampaign(segmentNames: string[], status = 'active'): Promise<{ campaignId: string; segmentIds: string[] }> {
      const { truck } = await upsertTruck(db, { name: 'Taco Uno', lat: 37.7749, lon: -122.4194, timeZone: 'America/Los_Angeles' });
      const campaignId = await insertCampaign(db, {
        name: 'Lunch burst',
        window: { start: '2026-12-04T11:00', end: '2026-12-04T13:00' },
        radiusM: 250,
        benefit: { kind: 'percent', value: 10, description: '10% off' },
        truckIds: [truck.id],
        segments: segmentNames.map((name) => ({ source: 'group', name })),
      });
      await db.query(`UPDATE campaigns SET status = $2 WHERE id = $1`, [campaignId, status]);
      const rows = await db.query<{ id: string }>(`SELECT id FROM segments WHERE campaign_id = $1 ORDER BY created_at, name`, [campaignId]);
      return { campaignId, segmentIds: rows.map((row) => row.id) };
    }

    async function insertContact(): Promise<string> {
      const id = randomUUID();
      await db.query(`INSERT INTO contacts (id, first_name) VALUES ($1, 'Ann')`, [id]);
      return id;
    }

    describe('ensureSegmentCode', () => {
      it('creates a shared code from the segment name', async () => {
        const { campaignId, segmentIds } = await seedCampaign(['Burger fans']);
        const issued = await ensureSegmentCode(db, { campaignId, segmentId: segmentIds[0]!, ...WINDOW });

        expect(issued.created).toBe(true);
        expect(issued.code).toMatch(new RegExp(`^BURGER-${SYMBOL}{4}$`));
        const [segment] = await db.query<{ shared_code: string }>(`SELECT shared_code FROM segments WHERE id = $1`, [segmentIds[0]]);
        expect(segment!.shared_code).toBe(issued.code);
        expect(await getCodeInfo(db, issued.code)).toEqual({
          code: issued.code,
          campaign: { id: campaignId, name: 'Lunch burst', status: 'active' },
          segment: { id: segmentIds[0], name: 'Burger fans' },
          singleUse: false,
          recipient: { contactId: null, deviceId: null },
          validFrom: '2026-12-04T19:00:00.000Z',
          validUntil: '2026-12-04T21:00:00.000Z',
          redeemedAt: null,
          redemptions: 0,
        });
      });

      it('takes the prefix from the given name', async () => {
        const { campaignId, segmentIds } = await seedCampaign(['午餐人群']);
        const issued = await ensureSegmentCode(db, { campaignId, segmentId: segmentIds[0]!, prefix: 'Weekend regulars', ...WINDOW });
        expect(issued.code).toMatch(new RegExp(`^WEEKEN-${SYMBOL}{4}$`));
      });

      it('uses symbols alone for a Chinese name', async () => {
        const { campaignId, segmentIds } = await seedCampaign(['午餐人群']);
        const issued = await ensureSegmentCode(db, { campaignId, segmentId: segmentIds[0]!, ...WINDOW });
        expect(issued.code).toMatch(new RegExp(`^${SYMBOL}{4}$`));
      });

      it('returns the existing code with the new window', async () => {
        const { campaignId, segmentIds } = await seedCampaign(['Burger fans']);
        const first = await ensureSegmentCode(db, { campaignId, segmentId: segmentIds[0]!, ...WINDOW });
        const later = { validFrom: VALID_FROM + 3_600_000, validUntil: VALID_UNTIL + 3_600_000 };
        const second = await ensureSegmentCode(db, { campaignId, segmentId: segmentIds[0]!, ...later });

        expect(second).toEqual({ code: first.code, created: false });
        const info = await getCodeInfo(db, first.code);
        expect(info!.validFrom).toBe('2026-12-04T20:00:00.000Z');
        expect(info!.validUntil).toBe('2026-12-04T22:00:00.000Z');
        const [count] = await db.query<{ n: number }>(`SELECT count(*) AS n FROM codes WHERE segment_id = $1`, [segmentIds[0]]);
        expect(count!.n).toBe(1);
      });

      it('stores the marketer code in upper case', async () => {
        const { campaignId, segmentIds } = await seedCampaign(['Burger fans']);
        const code = `fr${randomSuffix()}`;
        const issued = await ensureSegmentCode(db, { campaignId, segmentId: segmentIds[0]!, code, ...WINDOW });
        expect(issued).toEqual({ code: code.toUpperCase(), created: true });
        expect(await ensureSegmentCode(db, { campaignId, segmentId: segmentIds[0]!, code, ...WINDOW })).toEqual({
          code: code.toUpperCase(),
          created: false,
        });
      });

      it('rejects a marketer code another segment has', async () => {
        const { campaignId, segmentIds } = await seedCampaign(['Burger fans', 'Tuesday crowd']);
        const code = `FR${randomSuffix()}`;
        await ensureSegmentCode(db, { campaignId, segmentId: segmentIds[0]!, code, ...WINDOW });

        const error = await rejectionOf(ensureSegmentCode(db, { campaignId, segmentId: segmentIds[1]!, code: code.toLowerCase(), ...WINDOW }));
        expect(error.code).toBe('conflict');
        expect(error.field).toBe('code');
        expect(error.message).toBe(`code ${code} is already taken; choose another code`);
        const [segment] = await db.query<{ shared_code: string | null }>(`SELECT shared_code FROM segments WHERE id = $1`, [segmentIds[1]]);
        expect(segment!.shared_code).toBeNull();
      });

      it('rejects an ambiguous marketer code', async () => {
        const { campaignId, segmentIds } = await seedCampaign(['Burger fans']);
        const error = await rejectionOf(ensureSegmentCode(db, { campaignId, segmentId: segmentIds[0]!, code: 'TACO', ...WINDOW }));
        expect(error.code).toBe('invalid_input');
        expect(error.message).toContain('contains "O"');
      });

      it('keeps a replaced code of a live campaign', async () => {
        const { campaignId, segmentIds } = await seedCampaign(['Burger fans']);
        const first = await ensureSegmentCode(db, { campaignId, segmentId: segmentIds[0]!, ...WINDOW });
        const code = `FR${randomSuffix()}`;
        expect(await ensureSegmentCode(db, { campaignId, segmentId: segmentIds[0]!, code, ...WINDOW })).toEqual({ code, created: true });

        expect(await getCodeInfo(db, first.code)).toMatchObject({ code: first.code, singleUse: false });
        const [segment] = await db.query<{ shared_code: string }>(`SELECT shared_code FROM segments WHERE id = $1`, [segmentIds[0]]);
        expect(segment!.shared_code).toBe(code);
      });

      it('deletes a replaced code of a draft', async () => {
        const { campaignId, segmentIds } = await seedCampaign(['Burger fans'], 'draft');
        const first = await ensureSegmentCode(db, { campaignId, segmentId: segmentIds[0]!, ...WINDOW });
        const code = `FR${randomSuffix()}`;
        await ensureSegmentCode(db, { campaignId, segmentId: segmentIds[0]!, code, ...WINDOW });

        expect(await getCodeInfo(db, first.code)).toBeUndefined();
        expect(await getCodeInfo(db, code)).toMatchObject({ code, segment: { id: segmentIds[0] } });
      });

      it('creates a recorded code without its row', async () => {
        const { campaignId, segmentIds } = await seedCampaign(['Burger fans']);
        const code = `FR${randomSuffix()}`;
        await db.query(`UPDATE segments SET shared_code = $2 WHERE id = $1`, [segmentIds[0], code]);

        expect(await ensureSegmentCode(db, { campaignId, segmentId: segmentIds[0]!, ...WINDOW })).toEqual({ code, created: true });
        expect(await getCodeInfo(db, code)).toMatchObject({ code, singleUse: false, segment: { id: segmentIds[0] } });
      });

      it('rejects a recorded code of another segment', async () => {
        const { campaignId, segmentIds } = await seedCampaign(['Burger fans', 'Tuesday crowd'], 'draft');
        const taken = await ensureSegmentCode(db, { campaignId, segmentId: segmentIds[0]!, ...WINDOW });
        await db.query(`UPDATE segments SET shared_code = $2 WHERE id = $1`, [segmentIds[1], taken.code]);

        const error = await rejectionOf(ensureSegmentCode(db, { campaignId, segmentId: segmentIds[1]!, ...WINDOW }));
        expect(error.code).toBe('conflict');
        expect(error.message).toBe(`code ${taken.code} is already taken; choose another code`);

        // Replacing the second segment's code leaves the first segment's code alone.
        const code = `FR${randomSuffix()}`;
        expect(await ensureSegmentCode(db, { campaignId, segmentId: segmentIds[1]!, code, ...WINDOW })).toEqual({ code, created: true });
        expect(await getCodeInfo(db, taken.code)).toMatchObject({ segment: { id: segmentIds[0] } });
      });

      it('rejects a segment of another campaign', async () => {
        const { segmentIds } = await seedCampaign(['Burger fans']);
        const other = await seedCampaign(['Tuesday crowd']);
        const error = await rejectionOf(ensureSegmentCode(db, { campaignId: other.campaignId, segmentId: segmentIds[0]!, ...WINDOW }));
        expect(error.code).toBe('not_found');
        expect(error.field).toBe('segmentId');
        expect(error.message).toBe(`segment ${segmentIds[0]} not found in campaign ${other.campaignId}`);
      });

      it('rejects a window that ends before it starts', async () => {
        const { campaignId, segmentIds } = await seedCampaign(['Burger fans']);
        const error = await rejectionOf(
          ensureSegmentCode(db, { campaignId, segmentId: segmentIds[0]!, validFrom: VALID_UNTIL, validUntil: VALID_FROM }),
        );
        expect(error.code).toBe('invalid_input');
        expect(error.field).toBe('validUntil');
      });
    });

    describe('issueRecipientCode', () => {
      it('returns the same code when asked twice', async () => {
        const { campaignId, segmentIds } = await seedCampaign(['Burger fans']);
        const contactId = await insertContact();
        const first = await issueRecipientCode(db, { campaignId, segmentId: segmentIds[0]!, contactId, ...WINDOW });
        const second = await issueRecipientCode(db, { campaignId, segmentId: segmentIds[0]!, contactId, ...WINDOW });

        expect(first.created).toBe(true);
        expect(first.code).toMatch(new RegExp(`^${SYMBOL}{8}$`));
        expect(second).toEqual({ code: first.code, created: false });
        expect(await getCodeInfo(db, first.code)).toMatchObject({
          singleUse: true,
          recipient: { contactId, deviceId: null },
          segment: { id: segmentIds[0] },
          redeemedAt: null,
          redemptions: 0,
        });
      });

      it('gives each contact and segment its own code', async () => {
        const { campaignId, segmentIds } = await seedCampaign(['Burger fans', 'Tuesday crowd']);
        const ann = await insertContact();
        const bob = await insertContact();
        const codes = [
          await issueRecipientCode(db, { campaignId, segmentId: segmentIds[0]!, contactId: ann, ...WINDOW }),
          await issueRecipientCode(db, { campaignId, segmentId: segmentIds[0]!, contactId: bob, ...WINDOW }),
          await issueRecipientCode(db, { campaignId, segmentId: segmentIds[1]!, contactId: ann, ...WINDOW }),
        ];
        expect(new Set(codes.map((issued) => issued.code)).size).toBe(3);
        expect(codes.every((issued) => issued.created)).toBe(true);
      });

      it('issues one code under simultaneous requests', async () => {
        const { campaignId, segmentIds } = await seedCampaign(['Burger fans']);
        const contactId = await insertContact();
        const results = await Promise.all(
          Array.from({ length: 20 }, () => issueRecipientCode(db, { campaignId, segmentId: segmentIds[0]!, contactId, ...WINDOW })),
        );

        expect(new Set(results.map((issued) => issued.code)).size).toBe(1);
        expect(results.filter((issued) => issued.created)).toHaveLength(1);
        const [count] = await db.query<{ n: number }>(`SELECT count(*) AS n FROM codes WHERE contact_id = $1`, [contactId]);
        expect(count!.n).toBe(1);
      });

      it('returns the same code to a device without a contact', async () => {
        const { campaignId, segmentIds } = await seedCampaign(['Burger fans']);
        const { deviceId } = await registerDevice(db, 'ios');
        const first = await issueRecipientCode(db, { campaignId, segmentId: segmentIds[0]!, deviceId, ...WINDOW });
        const second = await issueRecipientCode(db, { campaignId, segmentId: segmentIds[0]!, deviceId, ...WINDOW });
        expect(second).toEqual({ code: first.code, created: false });
        expect((await getCodeInfo(db, first.code))!.recipient).toEqual({ contactId: null, deviceId });
      });

      it('requires a contact or a device', async () => {
        const { campaignId, segmentIds } = await seedCampaign(['Burger fans']);
        const error = await rejectionOf(issueRecipientCode(db, { campaignId, segmentId: segmentIds[0]!, ...WINDOW }));
        expect(error.code).toBe('invalid_input');
        expect(error.field).toBe('contactId');
      });

      it('rejects an unknown contact', async () => {
        const { campaignId, segmentIds } = await seedCampaign(['Burger fans']);
        const contactId = randomUUID();
        const error = await rejectionOf(issueRecipientCode(db, { campaignId, segmentId: segmentIds[0]!, contactId, ...WINDOW }));
        expect(error.code).toBe('not_found');
        expect(error.field).toBe('contactId');
        expect(error.message).toBe(`contact ${contactId} not found`);
      });

      it('rejects an unknown segment', async () => {
        const { campaignId } = await seedCampaign(['Burger fans']);
        const contactId = await insertContact();
        const segmentId = randomUUID();
        const error = await rejectionOf(issueRecipientCode(db, { campaignId, segmentId, contactId, ...WINDOW }));
        expect(error.code).toBe('not_found');
        expect(error.field).toBe('segmentId');
      });
    });

    it('getCodeInfo returns undefined for an unknown code', async () => {
      expect(await getCodeInfo(db, 'ZZZZ-2222')).toBeUndefined();
    });
  });
}

/** Six random symbols (31^6 values), so marketer codes of different tests are unlikely to collide. */
function randomSuffix(): string {
  return generateCode(6);
}
