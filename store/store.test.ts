import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../common/logger.js';
import { migrate, splitStatements } from './migrate.js';
import { openPglite } from './pglite.js';
import type { Db } from './types.js';

describe('PGlite store', () => {
  // One store for the whole file: starting PGlite with PostGIS takes seconds.
  let db: Db;
  let firstMigration: number[];

  beforeAll(async () => {
    db = await openPglite({ logger: silentLogger() });
    firstMigration = await migrate(db, silentLogger());
  });

  afterAll(async () => {
    await db?.close();
  });

  it('applies the migrations once', async () => {
    expect(firstMigration[0]).toBe(1);
    expect(await migrate(db, silentLogger())).toEqual([]);

    const tables = await db.query<{ table_name: string }>(
      `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY table_name`,
    );
    const names = tables.map((row) => row.table_name);
    for (const table of ['trucks', 'fences', 'devices', 'contacts', 'campaigns', 'segments', 'codes', 'offers', 'deliveries', 'pings']) {
      expect(names).toContain(table);
    }
  });

  it('indexes positions with GiST on geography columns', async () => {
    const columns = await db.query<{ table_name: string; udt_name: string }>(
      `SELECT table_name, udt_name FROM information_schema.columns
       WHERE table_schema = 'public' AND column_name IN ('position', 'center') ORDER BY table_name`,
    );
    expect(columns.map((c) => `${c.table_name}:${c.udt_name}`)).toEqual(['fences:geography', 'pings:geography', 'trucks:geography']);

    const indexes = await db.query<{ indexdef: string }>(`SELECT indexdef FROM pg_indexes WHERE indexdef ILIKE '%USING gist%'`);
    expect(indexes.length).toBeGreaterThanOrEqual(3);
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

  it('rejects a second code with the same value', async () => {
    await db.query(
      `INSERT INTO campaigns (id, name, window_start_local, window_end_local, radius_m, benefit)
       VALUES ('11111111-1111-4111-8111-111111111111', 'c', '2026-12-04T11:00', '2026-12-04T13:00', 100, '{}')`,
    );
    const insert = `INSERT INTO codes (code, campaign_id, valid_from, valid_until)
      VALUES ('ABCD2345', '11111111-1111-4111-8111-111111111111', now(), now() + interval '1 hour')`;
    await db.query(insert);
    await expect(db.query(insert)).rejects.toThrow(/codes_pkey/);
  });
});

describe('splitStatements', () => {
  it('splits at line-ending semicolons and drops comments', () => {
    expect(splitStatements('-- note\nCREATE TABLE a (x int);\n\nCREATE INDEX b ON a (x);\n')).toEqual([
      'CREATE TABLE a (x int)',
      'CREATE INDEX b ON a (x)',
    ]);
  });
});
