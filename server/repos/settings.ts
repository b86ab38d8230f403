import type { Queryable } from '../../store/types.js';

/** Reads a workspace setting stored as JSON under `key`, or `fallback` when none was saved. */
export async function readSetting<T>(db: Queryable, key: string, fallback: T): Promise<T> {
  const rows = await db.query<{ value: T | string }>(`SELECT value FROM settings WHERE key = $1`, [key]);
  if (!rows[0]) return fallback;
  return typeof rows[0].value === 'string' ? (JSON.parse(rows[0].value) as T) : rows[0].value;
}

export async function writeSetting(db: Queryable, key: string, value: unknown): Promise<void> {
  await db.query(
    `INSERT INTO settings (key, value) VALUES ($1, $2::jsonb) ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = now()`,
    [key, JSON.stringify(value)],
  );
}
