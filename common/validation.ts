import type { z } from 'zod';
import { clipValue, CloudburstError, formatValue } from './errors.js';

/**
 * Parses `input` with `schema`; on failure throws an `invalid_input` error that
 * names the first offending field, the value received and what was expected.
 */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown, prefix = ''): z.infer<S> {
  rejectUnstorable(input, prefix);
  const result = schema.safeParse(input);
  if (result.success) return result.data;

  // A misspelt key also leaves the real one missing; naming the unknown key shows what to fix.
  const issues = result.error.issues;
  const issue = issues.find((candidate) => candidate.code === 'unrecognized_keys') ?? issues[0]!;
  const field = [prefix, ...issue.path.map(String)].filter(Boolean).join('.') || '(body)';
  if (issue.code === 'unrecognized_keys') {
    const names = issue.keys.map((key) => JSON.stringify(key)).join(', ');
    throw new CloudburstError('invalid_input', `invalid ${field}: unknown field ${names} (check its spelling and case)`, {
      field,
      value: issue.keys.join(', '),
    });
  }
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

/** Deepest nesting accepted in a request body; our largest body (a campaign) nests 3 levels. */
const MAX_DEPTH = 32;

/**
 * Rejects what no schema should have to consider: nesting deeper than MAX_DEPTH, and
 * strings with a NUL character, which PostgreSQL text cannot store.
 */
function rejectUnstorable(input: unknown, prefix: string): void {
  const stack: Array<{ value: unknown; path: string[]; depth: number }> = [{ value: input, path: prefix ? [prefix] : [], depth: 0 }];
  while (stack.length > 0) {
    const { value, path, depth } = stack.pop()!;
    const field = path.join('.') || '(body)';
    if (typeof value === 'string' && value.includes('\u0000')) {
      throw new CloudburstError('invalid_input', `invalid ${field}: ${formatValue(value)} (expected text without NUL characters)`, {
        field,
        value: clipValue(value),
      });
    }
    if (typeof value !== 'object' || value === null) continue;
    if (depth >= MAX_DEPTH) {
      throw new CloudburstError('invalid_input', `invalid ${field}: nested more than ${MAX_DEPTH} levels deep`, { field });
    }
    for (const [key, child] of Object.entries(value)) stack.push({ value: child, path: [...path, key], depth: depth + 1 });
  }
}
