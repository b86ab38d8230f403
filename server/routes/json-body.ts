import type { Context } from 'hono';
import { CloudburstError } from '../../common/errors.js';

/** Reads the request body as JSON; an empty body reads as `{}` when `allowEmpty`. */
export async function readJson(c: Context, options: { allowEmpty?: boolean } = {}): Promise<unknown> {
  const text = await c.req.text();
  if (text.trim() === '') {
    if (options.allowEmpty) return {};
    throw new CloudburstError('invalid_input', 'invalid (body): missing (expected a JSON object)', { field: '(body)' });
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new CloudburstError('invalid_input', `invalid (body): not JSON (${(error as Error).message})`, { field: '(body)' });
  }
}
