import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../common/logger.js';
import { distanceM } from '../engine/index.js';
import { insertCampaign, getCampaign } from '../server/repos/campaigns.js';
import { findDeviceByToken, registerDevice } from '../server/repos/devices.js';
import { insertFence, listFencesOfTruck, listLiveFences } from '../server/repos/fences.js';
import { getOffer, insertOffer, type NewOffer } from '../server/repos/offers.js';
import { deletePingsBefore, insertPings, listLastPings } from '../server/repos/pings.js';
import { upsertTruck } from '../server/repos/trucks.js';
import { migrate } from './migrate.js';
import type { Db } from './types.js';

/**
 * The cases every store adapter must pass, so that repositories behave the same on
 * PGlite and on PostgreSQL. `open` must return a store on a database without
 * Cloudburst tables. The suite migrates it, runs every case on that one store
 * (cases use their own ids) and closes it.
 */
export function describeStore(name: string, open: () => Promise<Db>): void {
  describe(name, () => {
    let db: Db;
    let firstMigration: number[];

    beforeAll(async () => {
      db = await open();
      firstMigration = await migrate(db, silentLogger());
    });

    afterAll(async () => {
      await db?.close();
    });

    describe('schema', () => {
      it('applies the migrations once', async () => {
        expect(firstMigration[0]).toBe(1);
        expect(await migrate(db, silentLogger())).toEqual([]);

        const tables = await db.query<{ table_name: string }>(
          `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY table_name`,
        );
        const names = tables.map((row) => row.table_name);
        for (const table of [
          'schema_migrations',
          'trucks',
          'campaigns',
          'campaign_trucks',
          'fences',
          'segments',
          'devices',
          'contacts',
          'codes',
          'offers',
          'deliveries',
          'pings',
        ]) {
          expect(names).toContain(table);
        }
      });

      it('indexes positions with GiST on geography columns', async () => {
        const columns = await db.query<{ table_name: string; udt_name: string }>(
          `SELECT table_name, udt_name FROM information_schema.columns
           WHERE table_schema = 'public' AND column_name IN ('position', 'center') ORDER BY table_name`,
        );
        expect(columns.map((c) => `${c.table_name}:${c.udt_name}`)).toEqual(['fences:geography', 'pings:geography', 'trucks:geography']);

        const indexes = await db.query<{ indexname: string; indexdef: string }>(
          `SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = 'public' AND indexdef ILIKE '%USING gist%' ORDER BY indexname`,
        );
        const byName = new Map(indexes.map((index) => [index.indexname, index.indexdef]));
        // pg_indexes quotes "position" because it is a keyword.
        expect(byName.get('fences_center_gist')).toMatch(/ON public\.fences USING gist \(center\)/);
        expect(byName.get('pings_position_gist')).toMatch(/ON public\.pings USING gist \("position"\)/);
        expect(byName.get('trucks_position_gist')).toMatch(/ON public\.trucks USING gist \("position"\)/);
      });

      it('measures distances on the sphere like the engine', async () => {
        const [row] = await db.query<{ d: number; inside: boolean }>(
          `SELECT ST_Distance('POINT(-122.4194 37.7749)'::geography, 'POINT(-122.4094 37.7749)'::geography, false) AS d,
                  ST_DWithin('POINT(-122.4194 37.7749)'::geography, 'POINT(-122.4094 37.7749)'::geography, 900, false) AS inside`,
        );
        // Haversine on a 6,371,008.8 m sphere gives 878.912 m for 0.01° of longitude at this latitude.
        expect(row!.d).toBeCloseTo(878.912, 2);
        expect(row!.inside).toBe(true);
      });

      it('matches the engine distance within a millimetre', async () => {
        const pairs: Array<[number, number, number, number]> = [
          [37.7749, -122.4194, 37.7839, -122.4194],
          [51.5007, -0.1246, 51.5033, -0.1196],
          [-33.8568, 151.2153, -33.8523, 151.2108],
          [0.0001, 179.9995, -0.0001, -179.9995],
        ];
        for (const [lat1, lon1, lat2, lon2] of pairs) {
          const [row] = await db.query<{ d: number }>(
            `SELECT ST_Distance(ST_SetSRID(ST_MakePoint($1, $2), 4326)::geography,
                                ST_SetSRID(ST_MakePoint($3, $4), 4326)::geography, false) AS d`,
            [lon1, lat1, lon2, lat2],
          );
          expect(Math.abs(row!.d - distanceM(lat1, lon1, lat2, lon2))).toBeLessThan(0.001);
        }
      });
    });

    describe('transactions', () => {
      it('commits and returns the callback value', async () => {
        await db.query('CREATE TABLE commit_probe (id int PRIMARY KEY)');
        const result = await db.transaction(async (tx) => {
          await tx.query('INSERT INTO commit_probe VALUES (1), (2)');
          return 'done';
        });
        expect(result).toBe('done');
        expect(await db.query('SELECT id FROM commit_probe ORDER BY id')).toEqual([{ id: 1 }, { id: 2 }]);
      });

      it('rolls back a failed transaction', async () => {
        await db.query('CREATE TABLE rollback_probe (id int PRIMARY KEY)');
        await expect(
          db.transaction(async (tx) => {
            await tx.query('INSERT INTO rollback_probe VALUES (1)');
            await tx.query('INSERT INTO rollback_probe VALUES (1)');
          }),
        ).rejects.toThrow(/duplicate key/);
        expect(await db.query('SELECT * FROM rollback_probe')).toEqual([]);
      });

      it('rolls back when the callback throws', async () => {
        await db.query('CREATE TABLE throw_probe (id int PRIMARY KEY)');
        const failure = new Error('callback failed');
        await expect(
          db.transaction(async (tx) => {
            await tx.query('INSERT INTO throw_probe VALUES (1)');
            throw failure;
          }),
        ).rejects.toBe(failure);
        expect(await db.query('SELECT * FROM throw_probe')).toEqual([]);
      });

      it('rejects queries after the transaction ended', async () => {
        let leaked: { query: Db['query'] } | undefined;
        await db.transaction(async (tx) => {
          leaked = tx;
        });
        await expect(leaked!.query('SELECT 1')).rejects.toThrow();
      });

      it('runs concurrent transactions independently', async () => {
        await db.query('CREATE TABLE concurrent_probe (id int PRIMARY KEY)');
        const outcomes = await Promise.allSettled(
          [1, 2, 3, 4, 5, 6].map((id) =>
            db.transaction(async (tx) => {
              await tx.query('INSERT INTO concurrent_probe VALUES ($1)', [id]);
              if (id % 2 === 1) throw new Error(`transaction ${id} fails on purpose`);
              return id;
            }),
          ),
        );
        expect(outcomes.map((outcome) => outcome.status)).toEqual(['rejected', 'fulfilled', 'rejected', 'fulfilled', 'rejected', 'fulfilled']);
        expect(await db.query('SELECT id FROM concurrent_probe ORDER BY id')).toEqual([{ id: 2 }, { id: 4 }, { id: 6 }]);
      });
    });

    describe('errors', () => {
      it('rejects a second code with the same value', async () => {
        await db.query(
          `INSERT INTO campaigns (id, name, window_start_local, window_end_local, radius_m, benefit)
           VALUES ('11111111-1111-4111-8111-111111111111', 'c', '2026-12-04T11:00', '2026-12-04T13:00', 100, '{}')`,
        );
        const insert = `INSERT INTO codes (code, campaign_id, valid_from, valid_until)
          VALUES ('ABCD2345', '11111111-1111-4111-8111-111111111111', now(), now() + interval '1 hour')`;
        await db.query(insert);

        const error = await db.query(insert).then(
          () => undefined,
          (caught: unknown) => caught,
        );
        // server/delivery.ts detects a code collision by this SQLSTATE and constraint name.
        expect(error).toBeInstanceOf(Error);
        expect((error as { code?: string }).code).toBe('23505');
        expect((error as { constraint?: string }).constraint).toBe('codes_pkey');
        expect(String(error)).toMatch(/codes_pkey/);
      });

      it('passes syntax errors through with their SQLSTATE', async () => {
        await expect(db.query('SELEC 1')).rejects.toMatchObject({ code: '42601' });
      });
    });

    describe('value types', () => {
      it('returns int8 and count(*) as numbers', async () => {
        const [row] = await db.query<Record<string, unknown>>(
          `SELECT count(*) AS n, 42::bigint AS b, ARRAY[1, NULL, 3]::bigint[] AS bs, 7::int AS i, 1.25::float8 AS f
           FROM generate_series(1, 3)`,
        );
        expect(row!.n).toBe(3);
        expect(row!.b).toBe(42);
        expect(row!.bs).toEqual([1, null, 3]);
        expect(row!.i).toBe(7);
        expect(row!.f).toBe(1.25);
      });

      it('returns int8 beyond 2^53 as bigint', async () => {
        const [row] = await db.query<{ big: unknown; small: unknown }>(
          `SELECT 9007199254740993::bigint AS big, -9007199254740991::bigint AS small`,
        );
        expect(row!.big).toBe(9007199254740993n);
        expect(row!.small).toBe(-9007199254740991);
      });

      it('binds number and bigint parameters to int8', async () => {
        const [row] = await db.query<{ a: unknown; b: unknown }>(`SELECT $1::bigint AS a, $2::bigint AS b`, [5, 9007199254740993n]);
        expect(row!.a).toBe(5);
        expect(row!.b).toBe(9007199254740993n);
      });

      it('returns numeric as a string', async () => {
        const [row] = await db.query<{ n: unknown }>(`SELECT 1.50::numeric AS n`);
        expect(row!.n).toBe('1.50');
      });

      it('reads timestamptz as Date', async () => {
        const iso = '2026-12-04T19:00:00.123Z';
        const ms = Date.parse(iso);
        const [row] = await db.query<{ fromIso: unknown; fromDate: unknown; fromMs: unknown }>(
          `SELECT $1::timestamptz AS "fromIso", $2::timestamptz AS "fromDate", to_timestamp($3 / 1000.0) AS "fromMs"`,
          [iso, new Date(ms), ms],
        );
        for (const value of [row!.fromIso, row!.fromDate, row!.fromMs]) {
          expect(value).toBeInstanceOf(Date);
          expect((value as Date).getTime()).toBe(ms);
        }
      });

      it('parses jsonb and json_agg', async () => {
        const benefit = { kind: 'percent', value: 10, description: '10% off' };
        const [row] = await db.query<{ j: unknown; agg: unknown }>(
          `SELECT $1::jsonb AS j,
                  (SELECT json_agg(json_build_object('id', x, 'name', 'n' || x) ORDER BY x) FROM generate_series(1, 2) AS x) AS agg`,
          [JSON.stringify(benefit)],
        );
        expect(row!.j).toEqual(benefit);
        expect(row!.agg).toEqual([
          { id: 1, name: 'n1' },
          { id: 2, name: 'n2' },
        ]);
      });

      it('binds uuid arrays for unnest and ANY', async () => {
        const ids = [randomUUID(), randomUUID(), randomUUID()].sort();
        const unnested = await db.query<{ id: string }>(`SELECT u::text AS id FROM unnest($1::uuid[]) AS u ORDER BY 1`, [ids]);
        expect(unnested.map((row) => row.id)).toEqual(ids);

        const [any] = await db.query<{ hit: boolean; ids: unknown }>(`SELECT $1::uuid = ANY($2::uuid[]) AS hit, $2::uuid[] AS ids`, [
          ids[1],
          ids,
        ]);
        expect(any!.hit).toBe(true);
        expect(any!.ids).toEqual(ids);

        expect(await db.query(`SELECT u FROM unnest($1::uuid[]) AS u`, [[]])).toEqual([]);
      });

      it('returns null for null values of every type', async () => {
        const [row] = await db.query(
          `SELECT NULL::bigint AS b, NULL::timestamptz AS t, NULL::jsonb AS j, NULL::uuid[] AS u, NULL::numeric AS n`,
        );
        expect(row).toEqual({ b: null, t: null, j: null, u: null, n: null });
      });

      it('answers concurrent queries with their own rows', async () => {
        const values = Array.from({ length: 25 }, (_, i) => i);
        const rows = await Promise.all(values.map((value) => db.query<{ n: number }>('SELECT $1::int AS n', [value])));
        expect(rows.map((result) => result[0]!.n)).toEqual(values);
      });
    });

    describe('repositories', () => {
      it('round-trips trucks, campaigns and fences', async () => {
        const permit = `permit-${randomUUID()}`;
        const first = await upsertTruck(db, { name: 'Taco Uno', lat: 37.7749, lon: -122.4194, timeZone: 'America/Los_Angeles', permitLocationId: permit });
        expect(first.created).toBe(true);
        expect(first.truck).toMatchObject({ name: 'Taco Uno', lat: 37.7749, lon: -122.4194, permitLocationId: permit });

        const moved = await upsertTruck(db, { name: 'Taco Uno', lat: 37.78, lon: -122.41, timeZone: 'America/Los_Angeles', permitLocationId: permit });
        expect(moved.created).toBe(false);
        expect(moved.truck.id).toBe(first.truck.id);

        const activeFrom = Date.parse('2026-12-04T19:00:00Z');
        const activeUntil = Date.parse('2026-12-04T21:00:00Z');
        const benefit = { kind: 'percent' as const, value: 10, description: '10% off' };
        const campaignId = await db.transaction(async (tx) => {
          const id = await insertCampaign(tx, {
            name: 'Lunch burst',
            window: { start: '2026-12-04T11:00', end: '2026-12-04T13:00' },
            radiusM: 250,
            benefit,
            truckIds: [first.truck.id],
            segments: [{ source: 'nearby', name: 'Walkers' }],
          });
          await insertFence(tx, {
            id: `${id}:${first.truck.id}`,
            campaignId: id,
            truckId: first.truck.id,
            lat: 37.78,
            lon: -122.41,
            radiusM: 250,
            activeFrom,
            activeUntil,
          });
          return id;
        });

        const campaign = await getCampaign(db, campaignId);
        expect(campaign).toMatchObject({ id: campaignId, benefit, truckIds: [first.truck.id], radiusM: 250 });
        expect(campaign!.segments).toEqual([expect.objectContaining({ source: 'nearby', name: 'Walkers' })]);
        expect(campaign!.createdAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);

        const live = await listLiveFences(db, activeFrom);
        expect(live.find((fence) => fence.campaignId === campaignId)).toEqual({
          id: `${campaignId}:${first.truck.id}`,
          campaignId,
          truckId: first.truck.id,
          lat: 37.78,
          lon: -122.41,
          radiusM: 250,
          activeFrom,
          activeUntil,
        });
        expect(await listFencesOfTruck(db, first.truck.id)).toHaveLength(1);
      });

      it('round-trips devices and pings', async () => {
        const { deviceId, token } = await registerDevice(db, 'web');
        expect(await findDeviceByToken(db, token)).toEqual({ deviceId, lastSeq: 0 });

        const base = Date.parse('2026-12-04T19:00:00Z');
        const pings = [1, 2, 3].map((seq) => ({
          deviceId,
          seq,
          lat: 37.7749,
          lon: -122.4194,
          accuracy: 10,
          ts: base + seq * 1000,
          receivedAt: base + seq * 1000 + 50,
        }));
        const onBus = pings.map((ping, i) => ({ ping, partition: 1, offset: 10 + i }));
        await insertPings(db, onBus);
        await insertPings(db, onBus.slice(0, 1));

        expect(await listLastPings(db, base)).toContainEqual(pings[2]);
        expect(await listLastPings(db, base, new Map([[1, 12]]))).toContainEqual(pings[1]);
        const other = await listLastPings(db, base, new Map([[0, 100]]));
        expect(other.find((ping) => ping.deviceId === deviceId)).toBeUndefined();
        const recent = await listLastPings(db, base + 3500);
        expect(recent.find((ping) => ping.deviceId === deviceId)).toBeUndefined();

        const stored = await db.query<{ seq: unknown; ts: unknown }>(`SELECT seq, ts FROM pings WHERE device_id = $1 ORDER BY seq`, [deviceId]);
        expect(stored.map((row) => row.seq)).toEqual([1, 2, 3]);
        expect(stored.map((row) => (row.ts as Date).getTime())).toEqual(pings.map((ping) => ping.ts));

        const [before] = await db.query<{ n: number }>(`SELECT count(*) AS n FROM pings WHERE ts < to_timestamp($1 / 1000.0)`, [base + 2500]);
        expect(await deletePingsBefore(db, base + 2500)).toBe(before!.n);
        const left = await db.query<{ seq: unknown }>(`SELECT seq FROM pings WHERE device_id = $1`, [deviceId]);
        expect(left).toEqual([{ seq: 3 }]);
      });

      it('records one offer per device and campaign', async () => {
        const { truck } = await upsertTruck(db, { name: 'Crepe Deux', lat: 40.7128, lon: -74.006, timeZone: 'America/New_York' });
        const campaignId = await insertCampaign(db, {
          name: 'Crepe burst',
          window: { start: '2026-12-04T11:00', end: '2026-12-04T13:00' },
          radiusM: 300,
          benefit: { kind: 'free_item', item: 'crepe', description: 'A free crepe' },
          truckIds: [truck.id],
          segments: [{ source: 'nearby', name: 'Passers-by' }],
        });
        const { deviceId } = await registerDevice(db, 'ios');
        const { deviceId: otherDeviceId } = await registerDevice(db, 'android');

        const decidedAt = Date.parse('2026-12-04T16:30:00.250Z');
        const offer: NewOffer = {
          offerId: randomUUID(),
          campaignId,
          deviceId,
          truckId: truck.id,
          fenceId: `${campaignId}:${truck.id}`,
          code: `C${randomUUID().slice(0, 7).toUpperCase()}`,
          validFrom: decidedAt,
          validUntil: decidedAt + 3_600_000,
          ping: { seq: 9_007_199_254, ts: decidedAt - 100, lat: 40.713, lon: -74.0061 },
          distanceM: 24.5,
          decidedAt,
        };
        expect(await insertOffer(db, offer, 'sent')).toBe(true);
        expect(await insertOffer(db, { ...offer, code: 'UNUSED01' }, 'sent')).toBe(false);

        const stored = await getOffer(db, offer.offerId);
        expect(stored).toMatchObject({
          offerId: offer.offerId,
          campaignId,
          deviceId,
          code: offer.code,
          benefit: { kind: 'free_item', item: 'crepe', description: 'A free crepe' },
          validUntil: new Date(offer.validUntil).toISOString(),
          ping: offer.ping,
          distanceM: 24.5,
          decidedAt: new Date(decidedAt).toISOString(),
        });

        const collision = await insertOffer(db, { ...offer, offerId: randomUUID(), deviceId: otherDeviceId }, 'pending').then(
          () => undefined,
          (caught: unknown) => caught,
        );
        expect((collision as { code?: string }).code).toBe('23505');
        expect(String(collision)).toMatch(/codes_pkey|offers_code_key/);
      });
    });
  });
}
