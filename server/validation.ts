import type { z } from 'zod';
import { clipValue, CloudburstError, formatValue } from '../common/errors.js';

/**
 * Parses `input` with `schema`; on failure throws an `invalid_input` error that
 * names the first offending field, the value received and what was expected.
 */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown, prefix = ''): z.infer<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;

  const issue = result.error.issues[0]!;
  const field = [prefix, ...issue.path.map(String)].filter(Boolean).join('.') || '(body)';
  const value = valueAt(input, issue.path);
  throw new CloudburstError('invalid_input', `invalid ${field}: ${formatValue(value)} (${issue.message})`, {
    field,
    value: clipValue(value),
  });
}

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let current = input;
  for (const key of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<PropertyKey, unknown>)[key];
  }
  return current;
}
