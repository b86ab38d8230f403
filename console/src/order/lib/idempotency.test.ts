import { afterEach, describe, expect, it, vi } from 'vitest';
import { ApiError } from '../../../../sdk/orders/http.js';
import { IdempotencyKeys, newIdempotencyKey, retryRetriable, type RetryOptions } from './idempotency.js';

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('newIdempotencyKey', () => {
  afterEach(() => {
    vi.unstubAllGlobals();
  });

  it('returns a version 4 UUID', () => {
    expect(newIdempotencyKey()).toMatch(UUID_V4);
  });

  it('builds one from random bytes without randomUUID', () => {
    vi.stubGlobal('crypto', { getRandomValues: (bytes: Uint8Array) => bytes.fill(0xff) });
    expect(newIdempotencyKey()).toBe('ffffffff-ffff-4fff-bfff-ffffffffffff');
  });
});

describe('IdempotencyKeys', () => {
  function counter(): () => string {
    let next = 0;
    return () => `key-${++next}`;
  }

  it('reuses the key for the same body', () => {
    const keys = new IdempotencyKeys(counter());
    expect(keys.keyFor('{"a":1}')).toBe('key-1');
    expect(keys.keyFor('{"a":1}')).toBe('key-1');
  });

  it('makes a new key for a changed body', () => {
    const keys = new IdempotencyKeys(counter());
    keys.keyFor('{"a":1}');
    expect(keys.keyFor('{"a":2}')).toBe('key-2');
    expect(keys.keyFor('{"a":1}')).toBe('key-3');
  });

  it('makes a new key after a reset', () => {
    const keys = new IdempotencyKeys(counter());
    keys.keyFor('{"a":1}');
    keys.reset();
    expect(keys.keyFor('{"a":1}')).toBe('key-2');
  });
});

describe('retryRetriable', () => {
  const waits: number[] = [];
  const options: RetryOptions = {
    attempts: 3,
    backoff: { initialMs: 100, maxMs: 1_000 },
    random: () => 0,
    sleep: async (ms) => {
      waits.push(ms);
    },
  };

  afterEach(() => {
    waits.length = 0;
  });

  function failing(errors: unknown[], result = 'done'): () => Promise<string> {
    return async () => {
      const error = errors.shift();
      if (error !== undefined) throw error;
      return result;
    };
  }

  const noReply = () => new ApiError(0, { code: 'network', message: 'no reply' });

  it('retries a request without reply and a 503', async () => {
    const task = failing([noReply(), new ApiError(503, { code: 'unavailable', message: 'busy' })]);
    await expect(retryRetriable(task, options)).resolves.toBe('done');
    expect(waits).toEqual([50, 100]);
  });

  it('gives up after the attempts', async () => {
    const task = failing([noReply(), noReply(), noReply(), noReply()]);
    await expect(retryRetriable(task, options)).rejects.toMatchObject({ status: 0, code: 'network' });
    expect(waits).toEqual([50, 100]);
  });

  it('throws a rejection at once', async () => {
    const task = failing([new ApiError(400, { code: 'invalid_input', message: 'invalid customer.phone', field: 'customer.phone' })]);
    await expect(retryRetriable(task, options)).rejects.toMatchObject({ status: 400, field: 'customer.phone' });
    expect(waits).toEqual([]);
  });

  it('throws other errors at once', async () => {
    await expect(retryRetriable(failing([new TypeError('bad reply')]), options)).rejects.toThrow('bad reply');
    expect(waits).toEqual([]);
  });
});
