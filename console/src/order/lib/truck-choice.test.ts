import { describe, expect, it } from 'vitest';
import type { OfferTruck } from './offer.js';
import { collapsedTruckChoices, truckChoices } from './truck-choice.js';

const byName = (a: string, b: string) => a.localeCompare(b, 'en');

/** Two trucks named Curry Up, one north of the other, and two others; about 1 km apart in all. */
const TRUCKS: OfferTruck[] = [
  { id: 'south-curry', name: 'Curry Up', lat: 37.775, lon: -122.418 },
  { id: 'taco', name: 'Taco Loco', lat: 37.7793, lon: -122.4193 },
  { id: 'north-curry', name: 'Curry Up', lat: 37.785, lon: -122.418 },
  { id: 'bao', name: 'Bao Bus', lat: 37.79, lon: -122.41 },
];

/** About 33 m north of Taco Loco. */
const NEAR_TACO = { lat: 37.7796, lon: -122.4193 };

const ids = (entries: Array<{ truck: OfferTruck }>) => entries.map((entry) => entry.truck.id);

describe('truckChoices', () => {
  it('sorts by name and numbers same names north to south', () => {
    const entries = truckChoices(TRUCKS, null, byName);

    expect(ids(entries)).toEqual(['bao', 'north-curry', 'south-curry', 'taco']);
    expect(entries.map((entry) => entry.ordinal)).toEqual([null, 1, 2, null]);
    expect(entries.every((entry) => entry.distanceM === null)).toBe(true);
  });

  it('sorts by distance from the phone', () => {
    const entries = truckChoices(TRUCKS, NEAR_TACO, byName);

    expect(ids(entries)).toEqual(['taco', 'south-curry', 'north-curry', 'bao']);
    expect(entries[0]!.distanceM).toBeCloseTo(33.4, 0);
    expect(entries.map((entry) => entry.ordinal)).toEqual([null, null, null, null]);
  });

  it('puts trucks without coordinates last', () => {
    const entries = truckChoices([{ id: 'nowhere', name: 'Aardvark Eats' }, ...TRUCKS], NEAR_TACO, byName);

    expect(ids(entries).at(-1)).toBe('nowhere');
    expect(entries.at(-1)!.distanceM).toBeNull();
  });

  it('numbers a same-named truck without coordinates last', () => {
    const entries = truckChoices([{ id: 'curry-unknown', name: 'Curry Up' }, ...TRUCKS], null, byName);

    expect(ids(entries)).toEqual(['bao', 'north-curry', 'south-curry', 'curry-unknown', 'taco']);
    expect(entries.map((entry) => entry.ordinal)).toEqual([null, 1, 2, 3, null]);
  });

  it('keeps the input unsorted', () => {
    const trucks = [...TRUCKS];
    truckChoices(trucks, NEAR_TACO, byName);
    expect(trucks).toEqual(TRUCKS);
  });
});

describe('collapsedTruckChoices', () => {
  const entries = truckChoices(TRUCKS, null, byName);

  it('shows the first ones', () => {
    expect(ids(collapsedTruckChoices(entries, null, 2))).toEqual(['bao', 'north-curry']);
  });

  it('adds the selected truck further down', () => {
    expect(ids(collapsedTruckChoices(entries, 'taco', 2))).toEqual(['bao', 'north-curry', 'taco']);
  });

  it('does not repeat a selected truck in view', () => {
    expect(ids(collapsedTruckChoices(entries, 'bao', 2))).toEqual(['bao', 'north-curry']);
  });

  it('shows five by default', () => {
    const many = Array.from({ length: 8 }, (_, index) => ({ id: `t${index}`, name: `Truck ${index}` }));
    expect(collapsedTruckChoices(truckChoices(many, null, byName), null)).toHaveLength(5);
  });
});
