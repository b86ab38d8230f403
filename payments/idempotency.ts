/**
 * Idempotency records for the sandbox, following the rules Stripe documents for its
 * `Idempotency-Key` header. A key is kept for 24 hours and shared by all operations.
 * A repeat with the same parameters gets the first result, and a repeat with other
 * parameters is rejected. A request that failed validation stores nothing.
 */
import { CloudburstError, formatValue } from '../common/errors.js';
import { BoundedMap } from './bounded-map.js';

export const IDEMPOTENCY_TTL_MS = 24 * 60 * 60 * 1000;

interface IdempotencyRecord {
  fingerprint: string;
  result: unknown;
}

export class IdempotencyRecords {
  readonly #records: BoundedMap<string, IdempotencyRecord>;

  constructor(options: { maxEntries: number; now: () => number; ttlMs?: number }) {
    this.#records = new BoundedMap({ maxEntries: options.maxEntries, ttlMs: options.ttlMs ?? IDEMPOTENCY_TTL_MS, now: options.now });
  }

  /**
   * Runs `compute` once per key and returns a copy of its result for every repeat.
   *
   * @param operation - name of the call, part of the fingerprint, so a key used for a payment cannot be reused for a refund
   * @param parameters - plain JSON values that define the request
   * @throws CloudburstError `conflict` when the key was used with another operation or other parameters
   */
  run<T>(key: string, operation: string, parameters: Record<string, unknown>, compute: () => T): T {
    const fingerprint = `${operation}:${stableJson(parameters)}`;
    const record = this.#records.get(key);
    if (record !== undefined) {
      if (record.fingerprint !== fingerprint) {
        throw new CloudburstError(
          'conflict',
          `idempotencyKey ${formatValue(key)} was already used for a request with other parameters; use a new key for a new ${operation}`,
          { field: 'idempotencyKey', value: key },
        );
      }
      return structuredClone(record.result) as T;
    }

    const result = compute();
    this.#records.set(key, { fingerprint, result: structuredClone(result) });
    return result;
  }
}

function compareText(a: string, b: string): number {
  if (a === b) return 0;
  return a < b ? -1 : 1;
}

/** JSON with object keys sorted, so two equal parameter sets give the same text. */
function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, item]) => item !== undefined)
      .sort(([a], [b]) => compareText(a, b));
    return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${stableJson(item)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}
