import { describe, expect, it } from 'vitest';
import type { OfferPayload } from '../../../../common/protocol.js';
import { benefitMessage, keepNamedTruck, minSpendMessage, offerAppliesAt, offerFromLookup, offerFromPush, truckForOffer } from './offer.js';

const money = (amountMinor: number, currency: string) => `${currency} ${amountMinor}`;

const PUSHED: OfferPayload = {
  offerId: 'o1',
  campaignId: 'c1',
  campaignName: 'Lunch burst',
  deviceId: 'd1',
  truck: { id: 't1', name: 'Taco Loco', lat: 37.7793, lon: -122.4193 },
  code: 'K7QW-9XTM',
  benefit: { kind: 'percent', value: 10, description: '10% off' },
  validUntil: '2026-12-05T21:00:00.000Z',
  ping: { seq: 1, ts: 0, lat: 37.78, lon: -122.42 },
  distanceM: 30,
  decidedAt: '2026-12-05T20:00:00.000Z',
};

const LOOKUP = {
  offer: {
    code: 'WRAP-7788',
    campaignName: 'Friday lunch',
    benefit: { kind: 'amount', value: 300, currency: 'USD', description: '$3.00 off', minSpendMinor: 1000 },
    validFrom: '2026-12-05T18:00:00.000Z',
    validUntil: '2026-12-05T22:00:00.000Z',
    state: 'usable',
    trucks: [
      { id: 't1', name: 'Taco Loco', lat: 37.7793, lon: -122.4193, timeZone: 'America/Los_Angeles' },
      { id: 't2', name: 'Dumpling Dash', lat: 37.7946, lon: -122.3999, timeZone: 'America/Los_Angeles' },
    ],
  },
};

describe('offerFromPush', () => {
  it('keeps the code, benefit and truck', () => {
    expect(offerFromPush(PUSHED, Date.parse('2026-12-05T20:30:00.000Z'))).toEqual({
      code: 'K7QW-9XTM',
      campaignName: 'Lunch burst',
      benefit: { kind: 'percent', value: 10, description: '10% off' },
      validUntil: '2026-12-05T21:00:00.000Z',
      state: 'usable',
      trucks: [{ id: 't1', name: 'Taco Loco', lat: 37.7793, lon: -122.4193 }],
      source: 'push',
      namedTruckId: 't1',
    });
  });

  it('marks an offer past its end as expired', () => {
    expect(offerFromPush(PUSHED, Date.parse('2026-12-05T21:00:00.000Z')).state).toBe('expired');
  });
});

describe('offerFromLookup', () => {
  it('reads the trucks with their time zones, by name', () => {
    const offer = offerFromLookup(LOOKUP);
    expect(offer.trucks).toEqual([
      { id: 't2', name: 'Dumpling Dash', lat: 37.7946, lon: -122.3999, timeZone: 'America/Los_Angeles' },
      { id: 't1', name: 'Taco Loco', lat: 37.7793, lon: -122.4193, timeZone: 'America/Los_Angeles' },
    ]);
    expect(offer).toMatchObject({ code: 'WRAP-7788', state: 'usable', source: 'lookup', validUntil: '2026-12-05T22:00:00.000Z', namedTruckId: null });
  });

  it('leaves out coordinates that are no numbers', () => {
    const offer = offerFromLookup({ offer: { ...LOOKUP.offer, trucks: [{ id: 't1', name: 'Taco Loco', lat: '37.7', lon: null }] } });
    expect(offer.trucks).toEqual([{ id: 't1', name: 'Taco Loco' }]);
  });

  it('keeps a state the code cannot be used in', () => {
    expect(offerFromLookup({ offer: { ...LOOKUP.offer, state: 'redeemed' } }).state).toBe('redeemed');
  });

  it.each([
    [{}, 'invalid code offer reply: missing "offer" object'],
    [{ offer: { ...LOOKUP.offer, code: 7 } }, 'invalid code offer reply: offer.code is 7 (expected a string)'],
    [{ offer: { ...LOOKUP.offer, benefit: { kind: 'percent' } } }, 'invalid code offer reply: offer.benefit lacks a kind and description'],
    [{ offer: { ...LOOKUP.offer, trucks: [{ id: 't1' }] } }, 'invalid code offer reply: offer.trucks.0 lacks an id and name'],
  ])('rejects %j', (body, message) => {
    expect(() => offerFromLookup(body)).toThrow(message);
  });
});

describe('benefitMessage', () => {
  it.each([
    [{ kind: 'percent', value: 15, description: '15% off' }, { key: 'benefit.percent', params: { value: 15 } }],
    [{ kind: 'amount', value: 300, currency: 'USD', description: '$3.00 off' }, { key: 'benefit.amount', params: { amount: 'USD 300' } }],
    [{ kind: 'free_item', item: 'lassi', description: 'A free lassi' }, { key: 'benefit.freeItem', params: { item: 'lassi' } }],
    [{ kind: 'amount', value: 300, description: '3.00 off' }, { key: 'benefit.described', params: { description: '3.00 off' } }],
  ] as const)('describes %j', (benefit, expected) => {
    expect(benefitMessage(benefit, money)).toEqual(expected);
  });
});

describe('minSpendMessage', () => {
  it('formats the minimum spend', () => {
    expect(minSpendMessage(LOOKUP.offer.benefit as never, money)).toEqual({ key: 'benefit.minSpend', params: { amount: 'USD 1000' } });
  });

  it('is null without one', () => {
    expect(minSpendMessage(PUSHED.benefit, money)).toBeNull();
  });
});

describe('offerAppliesAt', () => {
  it('checks the truck list', () => {
    const offer = offerFromLookup(LOOKUP);
    expect(offerAppliesAt(offer, 't2')).toBe(true);
    expect(offerAppliesAt(offer, 't3')).toBe(false);
  });
});

describe('keepNamedTruck', () => {
  const pushed = offerFromPush({ ...PUSHED, code: 'WRAP-7788' });

  it('keeps the pushed truck for a lookup of its code', () => {
    expect(keepNamedTruck(offerFromLookup(LOOKUP), pushed).namedTruckId).toBe('t1');
  });

  it('drops it for another code', () => {
    expect(keepNamedTruck(offerFromLookup(LOOKUP), offerFromPush(PUSHED)).namedTruckId).toBeNull();
  });

  it('drops it when the lookup lacks the truck', () => {
    const otherTrucks = offerFromLookup({ offer: { ...LOOKUP.offer, trucks: [LOOKUP.offer.trucks[1]] } });
    expect(keepNamedTruck(otherTrucks, pushed).namedTruckId).toBeNull();
  });

  it('changes nothing without an earlier offer', () => {
    const lookup = offerFromLookup(LOOKUP);
    expect(keepNamedTruck(lookup, null)).toBe(lookup);
  });
});

describe('truckForOffer', () => {
  const lookup = offerFromLookup(LOOKUP);

  it('opens the pushed truck', () => {
    expect(truckForOffer(offerFromPush(PUSHED), null)).toBe('t1');
    expect(truckForOffer(offerFromPush(PUSHED), 't2')).toBe('t1');
  });

  it('keeps a chosen truck the code applies at', () => {
    expect(truckForOffer({ ...lookup, namedTruckId: 't1' }, 't2')).toBe('t2');
  });

  it('opens the named truck of a looked-up code', () => {
    expect(truckForOffer({ ...lookup, namedTruckId: 't1' }, 't9')).toBe('t1');
  });

  it('leaves the choice of several trucks to the customer', () => {
    expect(truckForOffer(lookup, null)).toBeNull();
    expect(truckForOffer(lookup, 't9')).toBeNull();
  });
});
