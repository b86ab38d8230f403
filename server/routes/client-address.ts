import { getConnInfo } from '@hono/node-server/conninfo';
import type { Context } from 'hono';

/** Returns the TCP peer's address, or undefined where no socket exists, as with `app.request()` in tests. */
export function socketAddress(c: Context): string | undefined {
  const env = c.env as { incoming?: unknown; server?: unknown } | undefined;
  if (env?.incoming === undefined && env?.server === undefined) return undefined;
  return getConnInfo(c).remote.address;
}
