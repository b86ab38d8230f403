import { createHash } from 'node:crypto';

import { describe, expect, it } from 'vitest';

import { offerIdFor } from './offer-id.js';

const UUID_SHAPE = /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('offerIdFor', () => {
  it('returns the same id for the same pair', () => {
    expect(offerIdFor('campaign-1', 'device-1')).toBe(offerIdFor('campaign-1', 'device-1'));
  });

  it('has the UUID shape with version 5 and the RFC 4122 variant', () => {
    for (const [campaignId, deviceId] of [
      ['campaign-1', 'device-1'],
      ['c', 'd'],
      ['ñandú', '设备'],
    ] as const) {
      expect(offerIdFor(campaignId, deviceId)).toMatch(UUID_SHAPE);
    }
  });

  it('is derived from sha256 of campaign, line feed, device', () => {
    const hex = createHash('sha256').update('campaign-1\ndevice-1').digest('hex');
    const id = offerIdFor('campaign-1', 'device-1').replaceAll('-', '');

    // Every nibble except the version nibble (12) and the variant bits (16) is the digest's.
    expect(id.slice(0, 12)).toBe(hex.slice(0, 12));
    expect(id.slice(13, 16)).toBe(hex.slice(13, 16));
    expect(id.slice(17, 32)).toBe(hex.slice(17, 32));
    expect(parseInt(id[16]!, 16) & 0x3).toBe(parseInt(hex[16]!, 16) & 0x3);
  });

  it('differs between pairs', () => {
    const ids = new Set([
      offerIdFor('campaign-1', 'device-1'),
      offerIdFor('campaign-1', 'device-2'),
      offerIdFor('campaign-2', 'device-1'),
      offerIdFor('campaign-1d', 'evice-1'),
      offerIdFor('campaign-', '1device-1'),
    ]);
    expect(ids.size).toBe(5);
  });

  it('rejects a campaign id with a line feed', () => {
    expect(() => offerIdFor('a\nb', 'c')).toThrow('invalid campaignId: "a\\nb" (expected a non-empty string without line feeds)');
  });

  it('rejects an empty device id', () => {
    expect(() => offerIdFor('campaign-1', '')).toThrow('invalid deviceId: "" (expected a non-empty string)');
  });
});
