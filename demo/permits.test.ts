import { describe, expect, it } from 'vitest';
import { BUNDLED_PERMITS } from './data-files.js';
import { readApprovedPermits } from './permits.js';

describe('readApprovedPermits', () => {
  it('keeps approved locations with real coordinates', async () => {
    const permits = await readApprovedPermits(BUNDLED_PERMITS);
    // 60 rows are APPROVED in the December 2021 snapshot; 2 of them sit at 0,0.
    expect(permits).toHaveLength(58);
    for (const permit of permits) {
      expect(permit.lat).toBeGreaterThan(37.7);
      expect(permit.lat).toBeLessThan(37.82);
      expect(permit.lon).toBeGreaterThan(-122.52);
      expect(permit.lon).toBeLessThan(-122.36);
    }
  });

  it('keeps quoted fields whole', async () => {
    const permits = await readApprovedPermits(BUNDLED_PERMITS);
    const anzu = permits.find((permit) => permit.locationId === '1569152')!;
    expect(anzu.applicant).toBe('Datam SF LLC dba Anzu To You');
    expect(anzu.lat).toBeCloseTo(37.805885350100986, 12);
  });
});

describe('readApprovedPermits errors', () => {
  it('rejects a missing file', async () => {
    await expect(readApprovedPermits('/nonexistent/permits.csv')).rejects.toThrow(/ENOENT/);
  });
});
