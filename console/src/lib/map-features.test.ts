import { describe, expect, it } from 'vitest';
import type { LiveFence } from '../../../common/protocol.js';
import type { DeviceEntry, OfferEntry } from './live-model.js';
import { DEVICE_STALE_AFTER_MS, deviceFeatures, fenceFeatures, OFFER_VISIBLE_MS, offerFeatures, truckFeatures } from './map-features.js';
import { offlineStyle, pulsePaint } from './map-style.js';

const now = Date.parse('2025-06-01T12:00:00Z');

describe('truckFeatures', () => {
  it('places trucks at lon/lat and blanks a missing permit', () => {
    const collection = truckFeatures([{ id: 't1', name: 'A', lat: 37.7, lon: -122.4, permitLocationId: null, timeZone: 'UTC' }]);
    expect(collection.features[0]?.geometry.coordinates).toEqual([-122.4, 37.7]);
    expect(collection.features[0]?.properties).toEqual({ id: 't1', name: 'A', permitLocationId: '' });
  });
});

describe('fenceFeatures', () => {
  const fence = (activeFrom: string, activeUntil: string): LiveFence => ({
    id: 'f1',
    campaignId: 'c1',
    truckId: 't1',
    lat: 37.7,
    lon: -122.4,
    radiusM: 200,
    activeFrom,
    activeUntil,
  });

  it('draws a 64-vertex polygon', () => {
    const [feature] = fenceFeatures([fence('2025-06-01T11:00:00Z', '2025-06-01T13:00:00Z')], now).features;
    expect(feature?.geometry.coordinates[0]).toHaveLength(65);
  });

  it.each([
    ['inside its hours', '2025-06-01T11:00:00Z', '2025-06-01T13:00:00Z', true],
    ['before its hours', '2025-06-01T13:00:00Z', '2025-06-01T14:00:00Z', false],
    ['at its end', '2025-06-01T11:00:00Z', '2025-06-01T12:00:00Z', false],
  ])('marks a fence %s', (_case, from, until, active) => {
    expect(fenceFeatures([fence(from, until)], now).features[0]?.properties.active).toBe(active);
  });
});

describe('deviceFeatures', () => {
  it('marks devices stale after the limit', () => {
    const devices: DeviceEntry[] = [
      { id: 'fresh', lat: 1, lon: 2, ts: 0, receivedAt: now - DEVICE_STALE_AFTER_MS },
      { id: 'stale', lat: 1, lon: 2, ts: 0, receivedAt: now - DEVICE_STALE_AFTER_MS - 1 },
    ];
    expect(deviceFeatures(devices, now).features.map((feature) => feature.properties.stale)).toEqual([false, true]);
  });
});

describe('offerFeatures', () => {
  it('shows recent offers at the triggering ping', () => {
    const entry = (offerId: string, receivedAt: number) =>
      ({ offer: { offerId, ping: { seq: 1, ts: 0, lat: 37.1, lon: -122.1 } }, receivedAt }) as OfferEntry;
    const collection = offerFeatures([entry('recent', now - OFFER_VISIBLE_MS), entry('old', now - OFFER_VISIBLE_MS - 1)], now);
    expect(collection.features.map((feature) => feature.properties.offerId)).toEqual(['recent']);
    expect(collection.features[0]?.geometry.coordinates).toEqual([-122.1, 37.1]);
  });
});

describe('offlineStyle', () => {
  const style = offlineStyle();

  it('loads nothing from the network', () => {
    expect(style.glyphs).toBeUndefined();
    expect(style.sprite).toBeUndefined();
    for (const source of Object.values(style.sources)) expect(source.type).toBe('geojson');
  });

  it('has no symbol layers, which would need glyphs', () => {
    expect(style.layers.filter((layer) => layer.type === 'symbol')).toEqual([]);
  });

  it('draws trucks on top', () => {
    expect(style.layers.at(-1)?.id).toBe('trucks');
  });
});

describe('pulsePaint', () => {
  it('grows and fades over a cycle', () => {
    expect(pulsePaint(0)).toEqual({ radius: 6, opacity: 0.5 });
    expect(pulsePaint(0.5).radius).toBeGreaterThan(6);
    expect(pulsePaint(0.999).opacity).toBeLessThan(0.01);
  });
});
