import { describe, expect, it } from 'vitest';
import { SlidingWindowLimiter } from './rate-limit.js';

function limiterAt(clock: { now: number }, maxClients = 100) {
  return new SlidingWindowLimiter({ max: 2, windowMs: 60_000, maxClients, now: () => clock.now });
}

describe('SlidingWindowLimiter', () => {
  it('allows max requests per window', () => {
    const clock = { now: 1_000_000 };
    const limiter = limiterAt(clock);

    expect(limiter.take('a')).toEqual({ allowed: true });
    clock.now += 10_000;
    expect(limiter.take('a')).toEqual({ allowed: true });
    clock.now += 5_000;
    expect(limiter.take('a')).toEqual({ allowed: false, retryAfterSeconds: 45, first: true });
  });

  it('slides with the oldest request', () => {
    const clock = { now: 1_000_000 };
    const limiter = limiterAt(clock);
    limiter.take('a');
    clock.now += 10_000;
    limiter.take('a');

    clock.now += 50_000;
    expect(limiter.take('a')).toEqual({ allowed: true });
    expect(limiter.take('a')).toEqual({ allowed: false, retryAfterSeconds: 10, first: true });
  });

  it('does not count rejected requests', () => {
    const clock = { now: 1_000_000 };
    const limiter = limiterAt(clock);
    limiter.take('a');
    limiter.take('a');
    for (let i = 0; i < 5; i++) limiter.take('a');

    clock.now += 60_000;
    expect(limiter.take('a')).toEqual({ allowed: true });
  });

  it('marks the first rejection of a burst', () => {
    const clock = { now: 1_000_000 };
    const limiter = limiterAt(clock);
    limiter.take('a');
    limiter.take('a');

    expect(limiter.take('a')).toMatchObject({ allowed: false, first: true });
    expect(limiter.take('a')).toMatchObject({ allowed: false, first: false });
    clock.now += 60_000;
    expect(limiter.take('a')).toEqual({ allowed: true });
    expect(limiter.take('a')).toEqual({ allowed: true });
    expect(limiter.take('a')).toMatchObject({ allowed: false, first: true });
  });

  it('rounds a sub-second wait up to one second', () => {
    const clock = { now: 1_000_000 };
    const limiter = limiterAt(clock);
    limiter.take('a');
    limiter.take('a');

    clock.now += 59_999;
    expect(limiter.take('a')).toEqual({ allowed: false, retryAfterSeconds: 1, first: true });
  });

  it('counts clients apart', () => {
    const clock = { now: 1_000_000 };
    const limiter = limiterAt(clock);
    limiter.take('a');
    limiter.take('a');

    expect(limiter.take('b')).toEqual({ allowed: true });
    expect(limiter.take('a').allowed).toBe(false);
  });

  it('forgets the least recently seen client at the bound', () => {
    const clock = { now: 1_000_000 };
    const limiter = limiterAt(clock, 2);
    limiter.take('a');
    limiter.take('a');
    limiter.take('b');
    // Seeing a again makes b the least recently seen client.
    expect(limiter.take('a').allowed).toBe(false);

    limiter.take('c');

    expect(limiter.size).toBe(2);
    expect(limiter.take('a').allowed).toBe(false);
    expect(limiter.take('b')).toEqual({ allowed: true });
  });

  it('rejects invalid options', () => {
    expect(() => new SlidingWindowLimiter({ max: 0, windowMs: 1_000, maxClients: 1 })).toThrow('invalid max: 0 (expected an integer of at least 1)');
    expect(() => new SlidingWindowLimiter({ max: 1, windowMs: 0, maxClients: 1 })).toThrow('invalid windowMs: 0 (expected a positive number of milliseconds)');
    expect(() => new SlidingWindowLimiter({ max: 1, windowMs: 1_000, maxClients: 0.5 })).toThrow('invalid maxClients: 0.5 (expected an integer of at least 1)');
  });
});
