import { readFile } from 'node:fs/promises';
import { parse } from 'csv-parse/sync';
import { beforeAll, describe, expect, it } from 'vitest';
import { CloudburstError } from '../common/errors.js';
import { parseMenu } from '../orders/menu.js';
import { BUNDLED_PERMITS } from './data-files.js';
import { DEFAULT_PRICE_MINOR, demoMenu, demoPriceMinor, MAX_DEMO_ITEMS, PRICE_TABLE, slugId, splitFoodItems } from './menus.js';
import { readApprovedPermits, type PermitLocation } from './permits.js';

const TODAY = '2026-12-05';

let permits: PermitLocation[];
/** Every row of the permit file, approved or not, by location id. */
let rows: Map<string, Record<string, string>>;

beforeAll(async () => {
  permits = await readApprovedPermits(BUNDLED_PERMITS);
  const all = parse(await readFile(BUNDLED_PERMITS), { columns: true, bom: true }) as Array<Record<string, string>>;
  rows = new Map(all.map((row) => [row.locationid!, row]));
});

function foodItemsOf(locationId: string): string {
  const row = rows.get(locationId);
  if (row === undefined) throw new Error(`location ${locationId} is not in ${BUNDLED_PERMITS}`);
  return row.FoodItems!;
}

function priceRange(label: string): { minMinor: number; maxMinor: number } {
  return PRICE_TABLE.find((row) => row.label === label)!;
}

describe('splitFoodItems on real permits', () => {
  it('splits on colons', () => {
    expect(splitFoodItems(foodItemsOf('1575171'))).toEqual(['Tacos', 'Burritos', 'Quesadillas', 'Tortas']);
  });

  it('splits on semicolons', () => {
    expect(splitFoodItems(foodItemsOf('1575155'))).toEqual(['Mexican', 'Burritos', 'Burrito Bowls', 'Salads']);
  });

  it('splits on "and" and "&"', () => {
    expect(splitFoodItems(foodItemsOf('1568970'))).toEqual(['Breakfast', 'Lunch items with a nod to various cultures']);
    expect(splitFoodItems(foodItemsOf('1565593'))).toEqual(['Noodles', 'Meat', 'Drinks']);
  });

  it('splits sentences and slashes', () => {
    expect(splitFoodItems(foodItemsOf('1568961'))).toEqual([
      'Senor Sisig',
      'Filipino fusion food',
      'Tacos',
      'Burritos',
      'Nachos',
      'Rice plates',
      'Various beverages',
      'Chairman Bao',
      'Vegetable',
      'Meat sandwiches filled with Asian-flavored meats',
      'Vegetables',
    ]);
    expect(splitFoodItems(foodItemsOf('1569152'))).toEqual(['Asian Fusion - Japanese Sandwiches', 'Sliders', 'Misubi']);
  });

  it('drops parenthesised asides', () => {
    const names = splitFoodItems(foodItemsOf('1568992'));
    expect(names).toEqual(['Tacos', 'Burritos', 'Quesadillas', 'Tortas', 'Nachos', 'Carnes', 'Canned beans', 'Rice', 'Sodas', 'Horchata drinks']);
  });

  it('drops repeated foods', () => {
    const names = splitFoodItems(foodItemsOf('1568998'));
    expect(names.filter((name) => name === 'Chicken burritos')).toHaveLength(1);
    expect(names).toHaveLength(10);
    expect(names.at(-1)).toBe('Soda');
  });

  it('caps a long list at 12 foods', () => {
    const names = splitFoodItems(foodItemsOf('1571659'));
    expect(MAX_DEMO_ITEMS).toBe(12);
    expect(names).toHaveLength(12);
    expect(names[0]).toBe('Hot dogs');
    expect(names[11]).toBe('Soups');
  });

  it('keeps a list without separators whole', () => {
    expect(splitFoodItems(foodItemsOf('1575168'))).toEqual(['Tacos burritos quesadillas tortas pupusas flautas tamales']);
  });
});

describe('splitFoodItems edge cases', () => {
  it('splits on commas', () => {
    expect(splitFoodItems('tamales, elotes ,  champurrado')).toEqual(['Tamales', 'Elotes', 'Champurrado']);
  });

  it('compares repeats case-insensitively', () => {
    expect(splitFoodItems('Tacos: tacos: TACOS: Tortas')).toEqual(['Tacos', 'Tortas']);
  });

  it('returns nothing for empty text', () => {
    expect(splitFoodItems('')).toEqual([]);
    expect(splitFoodItems(' : ; and . ')).toEqual([]);
  });

  it('keeps "and" inside a word', () => {
    expect(splitFoodItems('Candy: Sandwiches')).toEqual(['Candy', 'Sandwiches']);
  });
});

describe('slugId', () => {
  it('writes names as lower-case words joined by dashes', () => {
    expect(slugId("POPO's Noodle", new Set())).toBe('popo-s-noodle');
    expect(slugId('Crème brûlée', new Set())).toBe('creme-brulee');
  });

  it('numbers an id already taken', () => {
    const usedIds = new Set<string>();
    expect(slugId('Hot dogs', usedIds)).toBe('hot-dogs');
    expect(slugId('Hot-dogs', usedIds)).toBe('hot-dogs-2');
    expect(slugId('hot dogs!', usedIds)).toBe('hot-dogs-3');
    expect([...usedIds]).toEqual(['hot-dogs', 'hot-dogs-2', 'hot-dogs-3']);
  });

  it('falls back to "item" without ASCII letters', () => {
    const usedIds = new Set<string>();
    expect(slugId('寿司', usedIds)).toBe('item');
    expect(slugId('拉面', usedIds)).toBe('item-2');
  });

  it('keeps a long id within 64 characters', () => {
    const usedIds = new Set<string>();
    const name = 'Meat sandwiches filled with Asian-flavored meats and vegetables of the day';
    const first = slugId(name, usedIds);
    const second = slugId(name, usedIds);
    expect(first).toBe('meat-sandwiches-filled-with-asian-flavored-meats-and-vegetab');
    expect(second).toBe(`${first}-2`);
    expect(second.length).toBeLessThanOrEqual(64);
  });
});

describe('demoPriceMinor', () => {
  it('prices drinks and coffee from 300 to 450 cents', () => {
    for (const name of ['Coffee', 'Drinks', 'Matcha Green Tea', 'Horchata', 'Soft drinks', 'Cold beverages', 'Fruit juices']) {
      const price = demoPriceMinor(name);
      expect(price, name).toBeGreaterThanOrEqual(300);
      expect(price, name).toBeLessThanOrEqual(450);
    }
  });

  it('prices tacos and hot dogs from 450 to 650 cents', () => {
    for (const name of ['Tacos', 'Taco', 'Hot dogs', 'Vegan Hot Dogs', 'Hotdog']) {
      const price = demoPriceMinor(name);
      expect(price, name).toBeGreaterThanOrEqual(450);
      expect(price, name).toBeLessThanOrEqual(650);
    }
  });

  it('prices plates, burritos and sandwiches from 900 to 1300 cents', () => {
    for (const name of ['Rice plates', 'Burritos', 'Sandwich', 'Sandwiches', 'Daily plate']) {
      const price = demoPriceMinor(name);
      expect(price, name).toBeGreaterThanOrEqual(900);
      expect(price, name).toBeLessThanOrEqual(1300);
    }
  });

  it('prices other foods at the default', () => {
    expect(DEFAULT_PRICE_MINOR).toBe(800);
    expect(demoPriceMinor('Noodles')).toBe(800);
    expect(demoPriceMinor('Prepackaged Kettlecorn')).toBe(800);
  });

  it('uses the first matching row', () => {
    const price = demoPriceMinor('Taco burrito plate');
    expect(price).toBeGreaterThanOrEqual(450);
    expect(price).toBeLessThanOrEqual(650);
  });

  it('prices in steps of 50 cents', () => {
    for (const name of ['Coffee', 'Tacos', 'Burritos', 'Soda', 'Tortas', 'Rice plates']) {
      expect(demoPriceMinor(name) % 50, name).toBe(0);
    }
  });

  it('gives a name the same price in any case', () => {
    expect(demoPriceMinor('BURRITOS')).toBe(demoPriceMinor('burritos'));
  });
});

describe('demoMenu on real permits', () => {
  it('builds the menu of a taqueria', () => {
    const menu = demoMenu(foodItemsOf('1575171'), TODAY);
    expect(menu.currency).toBe('USD');
    expect(menu.items.map((item) => item.id)).toEqual(['tacos', 'burritos', 'quesadillas', 'tortas']);
    expect(menu.items.map((item) => item.name)).toEqual(['Tacos', 'Burritos', 'Quesadillas', 'Tortas']);
    expect(menu.items.map((item) => item.priceMinor)).toEqual([650, 1000, 800, 1000]);
    for (const item of menu.items) {
      expect(item).toMatchObject({ available: true, soldOut: false, options: [] });
    }
    expect(menu.specials).toEqual([{ itemId: 'tacos', date: TODAY, quantity: 20, priceMinor: 520 }]);
  });

  it('makes the first food the daily special at 20 % off', () => {
    const menu = demoMenu(foodItemsOf('1568975'), TODAY);
    expect(menu.items[0]).toMatchObject({ id: 'drip-coffee', name: 'Drip Coffee', priceMinor: 400 });
    expect(menu.specials).toEqual([{ itemId: 'drip-coffee', date: TODAY, quantity: 20, priceMinor: 320 }]);
  });

  it('gives a permit without foods a daily plate', () => {
    const row = rows.get('1334819')!;
    expect(row.FoodItems).toBe('');
    const menu = demoMenu(row.FoodItems!, TODAY);
    expect(menu.items).toHaveLength(1);
    expect(menu.items[0]).toMatchObject({ id: 'daily-plate', name: 'Daily plate', available: true, soldOut: false });
    const { minMinor, maxMinor } = priceRange('plates, burritos and sandwiches');
    expect(menu.items[0]!.priceMinor).toBeGreaterThanOrEqual(minMinor);
    expect(menu.items[0]!.priceMinor).toBeLessThanOrEqual(maxMinor);
    expect(menu.specials).toEqual([{ itemId: 'daily-plate', date: TODAY, quantity: 20, priceMinor: Math.round(menu.items[0]!.priceMinor * 0.8) }]);
  });

  it('builds a valid menu for every approved truck', () => {
    expect(permits).toHaveLength(58);
    for (const permit of permits) {
      const menu = demoMenu(permit.foodItems, TODAY);
      expect(parseMenu(menu), permit.locationId).toEqual(menu);
      expect(menu.items.length, permit.locationId).toBeGreaterThanOrEqual(1);
      expect(menu.items.length, permit.locationId).toBeLessThanOrEqual(MAX_DEMO_ITEMS);
      expect(new Set(menu.items.map((item) => item.id)).size, permit.locationId).toBe(menu.items.length);
      expect(menu.specials, permit.locationId).toHaveLength(1);
      expect(menu.specials[0]!.itemId, permit.locationId).toBe(menu.items[0]!.id);
    }
  });

  it('builds the same menu on every run', () => {
    for (const permit of permits) {
      expect(demoMenu(permit.foodItems, TODAY)).toEqual(demoMenu(permit.foodItems, TODAY));
    }
  });
});

describe('demoMenu errors', () => {
  it('rejects a malformed local date', () => {
    let caught: unknown;
    try {
      demoMenu('Tacos', '2026-13-01');
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(CloudburstError);
    expect((caught as CloudburstError).field).toBe('localDate');
    expect((caught as CloudburstError).value).toBe('2026-13-01');
  });
});
