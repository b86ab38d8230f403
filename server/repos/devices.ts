import { randomBytes, randomUUID } from 'node:crypto';
import type { Queryable } from '../../store/types.js';
import { hashToken } from '../auth.js';

/** 32 random bytes, base64url: the device's bearer secret. */
const DEVICE_TOKEN_BYTES = 32;

/** Registers a device. The token is returned once and only its hash is stored. */
export async function registerDevice(db: Queryable, platform: string | null): Promise<{ deviceId: string; token: string }> {
  const deviceId = randomUUID();
  const token = randomBytes(DEVICE_TOKEN_BYTES).toString('base64url');
  await db.query(`INSERT INTO devices (id, token_hash, platform) VALUES ($1, $2, $3)`, [deviceId, hashToken(token), platform]);
  return { deviceId, token };
}

export async function findDeviceByToken(db: Queryable, token: string): Promise<{ deviceId: string; lastSeq: number } | null> {
  const rows = await db.query<{ id: string; last_seq: number | string }>(`SELECT id, last_seq FROM devices WHERE token_hash = $1`, [
    hashToken(token),
  ]);
  const row = rows[0];
  return row ? { deviceId: row.id, lastSeq: Number(row.last_seq) } : null;
}
