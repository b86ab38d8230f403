import { createHash, timingSafeEqual } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
import { CloudburstError } from '../common/errors.js';

/** SHA-256 of a token, hex. Only this is stored for device tokens. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** Compares two tokens in constant time (over their hashes, so lengths leak nothing). */
export function tokensEqual(given: string, expected: string): boolean {
  return timingSafeEqual(Buffer.from(hashToken(given), 'hex'), Buffer.from(hashToken(expected), 'hex'));
}

/** Requires `Authorization: Bearer <admin token>`. */
export function requireAdmin(adminToken: string): MiddlewareHandler {
  return async function requireAdminToken(c, next) {
    const header = c.req.header('authorization') ?? '';
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (!match) throw new CloudburstError('unauthorized', 'missing admin token: send "Authorization: Bearer <token>"');
    if (!tokensEqual(match[1]!, adminToken)) throw new CloudburstError('unauthorized', 'invalid admin token');
    await next();
  };
}
