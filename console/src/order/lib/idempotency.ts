import { backoffDelay, sleep, type BackoffOptions } from '../../../../common/retry.js';
import { ApiError } from '../../../../sdk/orders/http.js';

/**
 * Returns a random UUID (version 4). `crypto.randomUUID` exists only in secure contexts,
 * and a phone may open the page over plain HTTP on a local network, so the fallback
 * builds one from `crypto.getRandomValues`, which every context has.
 */
export function newIdempotencyKey(): string {
  if (typeof crypto.randomUUID === 'function') return crypto.randomUUID();

  const bytes = crypto.getRandomValues(new Uint8Array(16));
  bytes[6] = (bytes[6]! & 0x0f) | 0x40;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = [...bytes].map((byte) => byte.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/**
 * One Idempotency-Key per request body. Sending the same body again, by an automatic
 * retry or a second tap, reuses the key, so the server returns the first result and
 * never makes a second order or charge. A changed body gets a new key, because the
 * server rejects a key that comes back with another body.
 */
export class IdempotencyKeys {
  #fingerprint: string | null = null;
  #key = '';
  readonly #generate: () => string;

  constructor(generate: () => string = newIdempotencyKey) {
    this.#generate = generate;
  }

  /** Returns the key for a request body, given as a string that is equal for equal bodies (its JSON). */
  keyFor(fingerprint: string): string {
    if (fingerprint !== this.#fingerprint) {
      this.#fingerprint = fingerprint;
      this.#key = this.#generate();
    }
    return this.#key;
  }

  /** Forgets the key after a final reply, so the next attempt is a new request. */
  reset(): void {
    this.#fingerprint = null;
    this.#key = '';
  }
}

export interface RetryOptions {
  /** Total tries, the first included. */
  attempts: number;
  backoff: BackoffOptions;
  /** Replaced in tests so they do not wait. */
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
}

/**
 * Retries for a phone on a weak network: 4 tries, 0.5 s to 4 s apart, so a customer
 * waits at most about 8 s before the page shows the error and a retry button.
 */
export const REQUEST_RETRY: RetryOptions = { attempts: 4, backoff: { initialMs: 500, maxMs: 4_000 } };

/**
 * Runs `task` and runs it again after a backoff while it fails with a retriable
 * ApiError (no reply, 429 or 5xx), up to `attempts` tries. Any other error is thrown at once.
 * Only tasks that are safe to repeat belong here: reads, or writes with an Idempotency-Key.
 */
export async function retryRetriable<T>(task: () => Promise<T>, options: RetryOptions): Promise<T> {
  const wait = options.sleep ?? sleep;
  for (let attempt = 0; ; attempt += 1) {
    try {
      return await task();
    } catch (error) {
      const lastTry = attempt + 1 >= options.attempts;
      if (lastTry || !(error instanceof ApiError) || !error.retriable) throw error;
      await wait(backoffDelay(attempt, options.backoff, options.random));
    }
  }
}
