import { describe, expect, it } from 'vitest';
import { priceCart, type CartLine } from '../../../../orders/cart.js';
import { parseMenu, publishedMenu } from '../../../../orders/menu.js';
import { localizedText, pricingInputs, readMenuTruck, readPublishedMenu } from './menu.js';

const TODAY = '2026-12-05';

const menu = parseMenu({
  currency: 'USD',
  items: [
    {
      id: 'taco',
      name: 'Carnitas taco',
      description: 'Slow-cooked pork',
      translations: { 'zh-CN': { name: '猪肉塔可' } },
      priceMinor: 450,
      available: true,
      soldOut: false,
    },
    { id: 'brisket', name: 'Brisket plate', priceMinor: 1200, available: true, soldOut: false },
    { id: 'elote', name: 'Elote', priceMinor: 500, available: true, soldOut: false },
    { id: 'burrito', name: 'Burrito', priceMinor: 1100, available: true, soldOut: true },
    { id: 'pozole', name: 'Pozole', priceMinor: 900, available: false, soldOut: false },
  ],
  specials: [
    { itemId: 'brisket', date: TODAY, quantity: 5, priceMinor: 1000 },
    { itemId: 'elote', date: TODAY, quantity: 3 },
    { itemId: 'taco', date: '2026-12-06', quantity: 9 },
  ],
});

describe('localizedText', () => {
  it('uses the zh-CN name with the English description as fallback', () => {
    expect(localizedText(menu.items[0]!, 'zh-CN')).toEqual({ name: '猪肉塔可', description: 'Slow-cooked pork' });
  });

  it('uses the own texts in English', () => {
    expect(localizedText(menu.items[0]!, 'en')).toEqual({ name: 'Carnitas taco', description: 'Slow-cooked pork' });
  });

  it('falls back without a translation', () => {
    expect(localizedText(menu.items[1]!, 'zh-CN')).toEqual({ name: 'Brisket plate' });
  });
});

describe('pricingInputs', () => {
  const sold = { brisket: 2, elote: 3 };
  const published = publishedMenu(menu, TODAY, sold);

  it('rebuilds the specials and the sold counts', () => {
    const { menu: rebuilt, specialsSold } = pricingInputs(published);
    expect(rebuilt.specials).toEqual([
      { itemId: 'brisket', date: TODAY, quantity: 5, priceMinor: 1000 },
      { itemId: 'elote', date: TODAY, quantity: 3 },
    ]);
    expect(specialsSold).toEqual({ brisket: 2, elote: 3 });
    expect(rebuilt.items.find((item) => item.id === 'brisket')!.priceMinor).toBe(1200);
  });

  it.each<[string, CartLine[]]>([
    ['special price', [{ itemId: 'brisket', quantity: 3, choices: [] }]],
    ['special limit', [{ itemId: 'brisket', quantity: 4, choices: [] }]],
    ['special sold out', [{ itemId: 'elote', quantity: 1, choices: [] }]],
    ['admin sold out', [{ itemId: 'burrito', quantity: 1, choices: [] }]],
    ['plain item', [{ itemId: 'taco', quantity: 2, choices: [] }]],
  ])('prices the %s as the server does', (_case, lines) => {
    const { menu: rebuilt, specialsSold } = pricingInputs(published);
    const onPhone = priceCart(rebuilt, lines, { localDate: TODAY, specialsSold });
    const onServer = priceCart(menu, lines, { localDate: TODAY, specialsSold: sold });

    expect(onPhone.subtotalMinor).toBe(onServer.subtotalMinor);
    expect(onPhone.lines).toEqual(onServer.lines);
    expect(onPhone.errors.map((error) => [error.field, error.reason])).toEqual(onServer.errors.map((error) => [error.field, error.reason]));
  });
});

describe('pricingInputs of a hidden item', () => {
  it('reports it as unknown, because the phone never sees it', () => {
    const { menu: rebuilt, specialsSold } = pricingInputs(publishedMenu(menu, TODAY));
    const cart = priceCart(rebuilt, [{ itemId: 'pozole', quantity: 1, choices: [] }], { localDate: TODAY, specialsSold });
    expect(cart.errors.map((error) => [error.field, error.reason])).toEqual([['lines.0.itemId', 'unknown_item']]);
  });
});

describe('readPublishedMenu', () => {
  it('returns the menu of a reply', () => {
    const published = publishedMenu(menu, TODAY);
    expect(readPublishedMenu({ menu: published })).toBe(published);
  });

  it.each([
    [null, 'invalid menu reply: missing "menu" object'],
    [{ menu: { currency: 'USD', date: TODAY } }, 'invalid menu reply: menu.items is not an array'],
    [{ menu: { date: TODAY, items: [] } }, 'invalid menu reply: menu.currency is undefined (expected a currency code)'],
    [{ menu: { currency: 'USD', date: TODAY, items: [{ id: 'a', name: 'A', priceMinor: 1.5 }] } }, 'invalid menu reply: menu.items.0 lacks an id, name or integer priceMinor'],
  ])('rejects %j', (body, message) => {
    expect(() => readPublishedMenu(body)).toThrow(message);
  });
});

describe('readMenuTruck', () => {
  it('returns the truck of a reply', () => {
    const body = { menu: {}, truck: { id: 't1', name: 'Taco Loco', timeZone: 'America/Los_Angeles', lat: 37.7 } };
    expect(readMenuTruck(body)).toEqual({ id: 't1', name: 'Taco Loco', timeZone: 'America/Los_Angeles' });
  });

  it.each([[{ menu: {} }], [null], [{ truck: { id: 't1', name: 7, timeZone: 'UTC' } }], [{ truck: { id: 't1', name: 'Taco Loco' } }]])('returns null for %j', (body) => {
    expect(readMenuTruck(body)).toBeNull();
  });
});
