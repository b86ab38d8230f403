import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Queryable } from '../../store/types.js';

const SECRET_KEY = 'unsubscribe_secret';

/**
 * The key that signs unsubscribe links, made once per store and kept in `settings`,
 * so links in mail already sent keep working across restarts and processes.
 */
export async function unsubscribeSecret(db: Queryable): Promise<string> {
  await db.query(`INSERT INTO settings (key, value) VALUES ($1, $2::jsonb) ON CONFLICT (key) DO NOTHING`, [
    SECRET_KEY,
    JSON.stringify(randomBytes(32).toString('base64url')),
  ]);
  const [row] = await db.query<{ value: string }>(`SELECT value FROM settings WHERE key = $1`, [SECRET_KEY]);
  return typeof row!.value === 'string' && row!.value.startsWith('"') ? (JSON.parse(row!.value) as string) : row!.value;
}

function signature(secret: string, contactId: string): string {
  return createHmac('sha256', secret).update(`unsubscribe:${contactId}`).digest('base64url').slice(0, 32);
}

/** A link that unsubscribes one contact from email; it cannot be forged for another contact. */
export function unsubscribeUrl(publicUrl: string, secret: string, contactId: string): string {
  return `${publicUrl}/unsubscribe/${contactId}/${signature(secret, contactId)}`;
}

export function verifyUnsubscribe(secret: string, contactId: string, token: string): boolean {
  const expected = Buffer.from(signature(secret, contactId));
  const given = Buffer.from(token);
  return expected.length === given.length && timingSafeEqual(expected, given);
}
