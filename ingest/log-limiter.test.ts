import { describe, expect, it } from 'vitest';
import { LogLimiter } from './log-limiter.js';
import { captureLogs } from './test-server.js';

describe('LogLimiter', () => {
  it('limits warnings per window', async () => {
    const { logger, lines } = captureLogs();
    let now = 0;
    const limiter = new LogLimiter(logger, { maxPerWindow: 2, windowMs: 1_000, now: () => now });

    for (let i = 0; i < 5; i++) limiter.warn({ i }, 'rejected invalid device frame');
    now = 1_000;
    limiter.warn({ i: 5 }, 'rejected invalid device frame');
    await new Promise((resolve) => setImmediate(resolve));

    expect(lines.map((line) => line.i)).toEqual([0, 1, 5]);
    expect(lines[2]!.suppressed).toBe(3);
    expect(lines[0]!.suppressed).toBeUndefined();
  });
});
