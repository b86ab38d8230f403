import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { CloudburstError, type ErrorCode } from '../common/errors.js';
import type { Logger } from '../common/logger.js';

const STATUS: Record<ErrorCode, ContentfulStatusCode> = {
  invalid_input: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  payload_too_large: 413,
  unavailable: 503,
  internal: 500,
};

/** Seconds a client should wait before retrying a 503. */
const RETRY_AFTER_SECONDS = 2;

/** Turns an error into an HTTP response, in this one place: `{ error: { code, message, field?, value? } }`. */
export function errorResponse(error: unknown, c: Context, logger: Logger): Response {
  if (error instanceof CloudburstError) {
    const status = STATUS[error.code];
    if (status >= 500) logger.error({ err: error, path: c.req.path, method: c.req.method }, 'request failed');
    if (status === 503) c.header('Retry-After', String(RETRY_AFTER_SECONDS));
    return c.json({ error: error.toJSON() }, status);
  }

  logger.error({ err: error, path: c.req.path, method: c.req.method }, 'unexpected error while handling request');
  return c.json({ error: { code: 'internal', message: 'internal error; see the server log' } }, 500);
}
