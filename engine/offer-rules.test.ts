import { describe, expect, it } from 'vitest';

import { FenceRecord } from './fence-record.js';
import { validateFence } from './validate.js';
import { chooseOfferFences, type EnteredFence } from './offer-rules.js';

function entered(id: string, campaignId: string, truckId: string, distanceM: number, activeFrom = 0, activeUntil = 1_000): EnteredFence {
  const record = new FenceRecord(validateFence({ id, campaignId, truckId, lat: 0, lon: 0, radiusM: 100, activeFrom, activeUntil }));
  return { record, distanceM };
}

function chosenIds(fences: EnteredFence[], ts: number, offeredCampaigns: string[] = []): string[] {
  return chooseOfferFences(fences, ts, new Set(offeredCampaigns)).map((f) => f.record.fence.id);
}

describe('chooseOfferFences', () => {
  it('picks the nearest fence of a campaign', () => {
    expect(chosenIds([entered('far', 'c1', 't1', 80), entered('near', 'c1', 't2', 20)], 500)).toEqual(['near']);
  });

  it('breaks a distance tie by the smaller truck id', () => {
    expect(chosenIds([entered('f-b', 'c1', 'truck-b', 50), entered('f-a', 'c1', 'truck-a', 50)], 500)).toEqual(['f-a']);
  });

  it('breaks a truck tie by the smaller fence id', () => {
    expect(chosenIds([entered('f-2', 'c1', 'truck-a', 50), entered('f-1', 'c1', 'truck-a', 50)], 500)).toEqual(['f-1']);
  });

  it('returns one fence per campaign ordered by campaign id', () => {
    const fences = [entered('f-z', 'zeta', 't1', 10), entered('f-a', 'alpha', 't1', 10), entered('f-a2', 'alpha', 't2', 5)];
    expect(chosenIds(fences, 500)).toEqual(['f-a2', 'f-z']);
  });

  it('skips fences outside their active window', () => {
    expect(chosenIds([entered('early', 'c1', 't1', 10, 600, 700)], 599)).toEqual([]);
    expect(chosenIds([entered('start', 'c1', 't1', 10, 600, 700)], 600)).toEqual(['start']);
    expect(chosenIds([entered('end', 'c1', 't1', 10, 600, 700)], 700)).toEqual([]);
  });

  it('lets an active farther fence win over an inactive nearer one', () => {
    const fences = [entered('inactive', 'c1', 't1', 10, 600, 700), entered('active', 'c1', 't2', 90)];
    expect(chosenIds(fences, 500)).toEqual(['active']);
  });

  it('skips campaigns the device already has an offer for', () => {
    const fences = [entered('f1', 'c1', 't1', 10), entered('f2', 'c2', 't1', 10)];
    expect(chosenIds(fences, 500, ['c1'])).toEqual(['f2']);
  });
});
