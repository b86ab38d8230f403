import { describe, expect, it } from 'vitest';
import type { LiveFence, LiveTruck, OfferPayload } from '../../../common/protocol.js';
import { applyFrame, emptyModel, MAX_RECENT_OFFERS } from './live-model.js';

const truck: LiveTruck = { id: 't1', name: 'Taco Loco', lat: 37.78, lon: -122.4, permitLocationId: 'P-1', timeZone: 'America/Los_Angeles' };
const fence: LiveFence = {
  id: 'f1',
  campaignId: 'c1',
  truckId: 't1',
  lat: 37.78,
  lon: -122.4,
  radiusM: 300,
  activeFrom: '2025-01-01T00:00:00Z',
  activeUntil: '2030-01-01T00:00:00Z',
};

function offer(id: number, decidedAt = new Date(Date.UTC(2025, 0, 1, 12, 0, id)).toISOString()): OfferPayload {
  return {
    offerId: `o${id}`,
    campaignId: 'c1',
    campaignName: 'Lunch',
    deviceId: `d${id}`,
    truck: { id: 't1', name: 'Taco Loco', lat: 37.78, lon: -122.4 },
    code: `CODE${id}`,
    benefit: { kind: 'percent', value: 10, description: '10% off' },
    validUntil: '2030-01-01T00:00:00Z',
    ping: { seq: id, ts: 0, lat: 37.781, lon: -122.401 },
    distanceM: 120,
    decidedAt,
  };
}

const snapshot = (offers: OfferPayload[] = []) =>
  applyFrame(emptyModel(), { type: 'snapshot', trucks: [truck], fences: [fence], offers, devices: [{ id: 'd1', lat: 37.7, lon: -122.4, ts: 5 }] }, 1000);

describe('applyFrame', () => {
  it('replaces everything on a snapshot', () => {
    const model = snapshot([offer(1)]);
    expect(model.trucks.get('t1')).toEqual(truck);
    expect(model.fences.size).toBe(1);
    expect(model.devices.get('d1')?.receivedAt).toBe(5);
    expect(model.offersSent).toBe(1);
  });

  it('sorts snapshot offers newest first', () => {
    const model = snapshot([offer(1), offer(3), offer(2)]);
    expect(model.offers.map((entry) => entry.offer.offerId)).toEqual(['o3', 'o2', 'o1']);
  });

  it('upserts a truck and keeps other collections', () => {
    const before = snapshot();
    const after = applyFrame(before, { type: 'truck', truck: { ...truck, name: 'Renamed' } }, 2000);
    expect(after.trucks.get('t1')?.name).toBe('Renamed');
    expect(after.fences).toBe(before.fences);
    expect(after.devices).toBe(before.devices);
  });

  it('removes a fence', () => {
    const after = applyFrame(snapshot(), { type: 'fence-removed', fenceId: 'f1' }, 2000);
    expect(after.fences.size).toBe(0);
  });

  it('ignores removal of an unknown fence', () => {
    const before = snapshot();
    expect(applyFrame(before, { type: 'fence-removed', fenceId: 'nope' }, 2000)).toBe(before);
  });

  it('moves devices and stamps the arrival time', () => {
    const after = applyFrame(snapshot(), { type: 'devices', devices: [{ id: 'd1', lat: 1, lon: 2, ts: 9 }, { id: 'd2', lat: 3, lon: 4, ts: 9 }] }, 2000);
    expect(after.devices.get('d1')).toEqual({ id: 'd1', lat: 1, lon: 2, ts: 9, receivedAt: 2000 });
    expect(after.devices.size).toBe(2);
  });

  it('adds an offer on top and counts it', () => {
    const after = applyFrame(snapshot([offer(1)]), { type: 'offer', offer: offer(2) }, 2000);
    expect(after.offers[0]?.offer.offerId).toBe('o2');
    expect(after.offers[0]?.receivedAt).toBe(2000);
    expect(after.offersSent).toBe(2);
  });

  it('ignores an offer it already has', () => {
    const before = snapshot([offer(1)]);
    expect(applyFrame(before, { type: 'offer', offer: offer(1) }, 2000)).toBe(before);
  });

  it('keeps at most the recent offers but counts all', () => {
    let model = snapshot();
    for (let i = 1; i <= MAX_RECENT_OFFERS + 5; i += 1) model = applyFrame(model, { type: 'offer', offer: offer(i, new Date(i * 1000).toISOString()) }, i);
    expect(model.offers).toHaveLength(MAX_RECENT_OFFERS);
    expect(model.offers[0]?.offer.offerId).toBe(`o${MAX_RECENT_OFFERS + 5}`);
    expect(model.offersSent).toBe(MAX_RECENT_OFFERS + 5);
  });

  it('leaves the model alone on an error frame', () => {
    const before = snapshot();
    expect(applyFrame(before, { type: 'error', code: 'internal', message: 'boom' }, 2000)).toBe(before);
  });
});
