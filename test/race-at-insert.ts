import { UNIQUE_VIOLATION } from '../store/race-retry.js';
import type { Db, Queryable } from '../store/types.js';

/**
 * Wraps `db` so that the first two transactions to insert a contact wait for each other there,
 * as two requests arriving together do: both found no contact, so one hits the unique index.
 * `lostRaces` counts those unique violations (SQLSTATE 23505). PGlite runs one transaction at
 * a time, where the barrier would wait forever, so on PGlite the wrapper only counts.
 */
export function raceAtContactInsert(db: Db): { db: Db; lostRaces: () => number } {
  const parties = db.kind === 'postgres' ? 2 : 0;
  let arrived = 0;
  let releaseAll!: () => void;
  const allArrived = new Promise<void>((resolve) => (releaseAll = resolve));
  let lost = 0;

  const racing: Db = {
    kind: db.kind,
    query: (sql, params) => db.query(sql, params),
    close: () => db.close(),
    transaction: (work) =>
      db.transaction(async (tx) => {
        const paused: Queryable = {
          async query<Row>(sql: string, params?: unknown[]): Promise<Row[]> {
            if (arrived < parties && sql.trimStart().startsWith('INSERT INTO contacts')) {
              arrived += 1;
              if (arrived === parties) releaseAll();
              await allArrived;
            }
            return tx.query<Row>(sql, params);
          },
        };
        try {
          return await work(paused);
        } catch (error) {
          if ((error as { code?: unknown }).code === UNIQUE_VIOLATION) lost += 1;
          throw error;
        }
      }),
  };
  return { db: racing, lostRaces: () => lost };
}
