import { describe, expect, it } from 'vitest';
import { DEFAULT_INGEST_LIMITS, resolveIngestLimits } from './limits.js';

describe('resolveIngestLimits', () => {
  it('merges overrides into the defaults', () => {
    const limits = resolveIngestLimits({ maxPingsPerFrame: 100 });

    expect(limits.maxPingsPerFrame).toBe(100);
    expect(limits.maxFrameBytes).toBe(DEFAULT_INGEST_LIMITS.maxFrameBytes);
  });

  it('rejects a limit that is not a positive number', () => {
    expect(() => resolveIngestLimits({ helloTimeoutMs: 0 })).toThrow('invalid ingest limit helloTimeoutMs: 0 (expected a positive number)');
    expect(() => resolveIngestLimits({ maxAgeMs: Number.NaN })).toThrow('invalid ingest limit maxAgeMs: NaN');
  });

  it('rejects a message limit below the frame limit', () => {
    expect(() => resolveIngestLimits({ maxFrameBytes: 2048, maxMessageBytes: 1024 })).toThrow(
      'invalid ingest limit maxMessageBytes: 1024 (expected at least maxFrameBytes, 2048)',
    );
  });

  it('rejects an unknown limit', () => {
    expect(() => resolveIngestLimits({ maxPings: 5 } as never)).toThrow('unknown ingest limit "maxPings"');
  });
});
