import { describe, expect, it } from 'vitest';
import { parseMenu, publishedMenu } from '../../../../orders/menu.js';
import { cartSnapshot, restoreCart, savedCartOf } from './cart-restore.js';
import type { CustomerOrder } from './order-status.js';

const TODAY = '2026-12-05';

const MENU = parseMenu({
  currency: 'USD',
  items: [
    {
      id: 'taco',
      name: 'Carnitas taco',
      translations: { 'zh-CN': { name: '猪肉塔可' } },
      priceMinor: 450,
      available: true,
      soldOut: false,
      options: [{ id: 'salsa', name: 'Salsa', min: 1, max: 1, choices: [{ id: 'verde', name: 'Verde', priceDeltaMinor: 0 }] }],
    },
    { id: 'horchata', name: 'Horchata', priceMinor: 300, available: true, soldOut: false },
    { id: 'burrito', name: 'Burrito', translations: { 'zh-CN': { name: '墨西哥卷饼' } }, priceMinor: 1100, available: true, soldOut: true },
    { id: 'elote', name: 'Elote', priceMinor: 500, available: true, soldOut: false },
    { id: 'pozole', name: 'Pozole', priceMinor: 900, available: false, soldOut: false },
  ],
  specials: [{ itemId: 'elote', date: TODAY, quantity: 3 }],
});

describe('cartSnapshot', () => {
  it('saves the lines with the names of their items', () => {
    const menu = publishedMenu(MENU, TODAY, {});
    const lines = [
      { itemId: 'taco', quantity: 2, choices: ['verde'] },
      { itemId: 'horchata', quantity: 1, choices: [] },
      { itemId: 'gone', quantity: 1, choices: [] },
    ];
    expect(cartSnapshot('t1', lines, menu)).toEqual({
      truckId: 't1',
      lines,
      names: { taco: { name: 'Carnitas taco', translations: { 'zh-CN': { name: '猪肉塔可' } } }, horchata: { name: 'Horchata' } },
    });
  });

  it('copies the lines', () => {
    const lines = [{ itemId: 'taco', quantity: 2, choices: ['verde'] }];
    const snapshot = cartSnapshot('t1', lines, null);
    lines[0]!.choices.push('roja');
    expect(snapshot.lines).toEqual([{ itemId: 'taco', quantity: 2, choices: ['verde'] }]);
    expect(snapshot.names).toEqual({});
  });
});

describe('restoreCart', () => {
  const saved = {
    truckId: 't1',
    lines: [
      { itemId: 'taco', quantity: 2, choices: ['verde'] },
      { itemId: 'burrito', quantity: 1, choices: [] },
      { itemId: 'pozole', quantity: 1, choices: [] },
      { itemId: 'horchata', quantity: 3, choices: [] },
      { itemId: 'elote', quantity: 1, choices: [] },
      { itemId: 'gone', quantity: 1, choices: [] },
    ],
    names: { pozole: { name: 'Pozole' }, burrito: { name: 'Old burrito name' } },
  };

  it('keeps lines the menu still offers', () => {
    const restored = restoreCart(saved, publishedMenu(MENU, TODAY, { elote: 1 }));
    expect(restored.lines).toEqual([
      { itemId: 'taco', quantity: 2, choices: ['verde'] },
      { itemId: 'horchata', quantity: 3, choices: [] },
      { itemId: 'elote', quantity: 1, choices: [] },
    ]);
  });

  it('names the sold-out and removed items', () => {
    const restored = restoreCart(saved, publishedMenu(MENU, TODAY, { elote: 3 }));
    expect(restored.lines.map((line) => line.itemId)).toEqual(['taco', 'horchata']);
    expect(restored.removed).toEqual([{ name: 'Burrito', translations: { 'zh-CN': { name: '墨西哥卷饼' } } }, { name: 'Pozole' }, { name: 'Elote' }]);
  });

  it('keeps a line whose option changed, for the cart to show', () => {
    const restored = restoreCart({ truckId: 't1', lines: [{ itemId: 'taco', quantity: 1, choices: ['roja'] }], names: {} }, publishedMenu(MENU, TODAY, {}));
    expect(restored).toEqual({ lines: [{ itemId: 'taco', quantity: 1, choices: ['roja'] }], removed: [] });
  });

  it('names an item once for two removed lines', () => {
    const twice = { truckId: 't1', lines: [{ itemId: 'burrito', quantity: 1, choices: [] }, { itemId: 'burrito', quantity: 2, choices: ['x'] }], names: {} };
    expect(restoreCart(twice, publishedMenu(MENU, TODAY, {})).removed).toEqual([{ name: 'Burrito', translations: { 'zh-CN': { name: '墨西哥卷饼' } } }]);
  });
});

describe('savedCartOf', () => {
  it('rebuilds the cart of a placed order', () => {
    const order = {
      truckId: 't1',
      lines: [
        {
          index: 0,
          itemId: 'taco',
          name: 'Carnitas taco',
          translations: { 'zh-CN': { name: '猪肉塔可' } },
          quantity: 2,
          choices: [{ groupId: 'salsa', choiceId: 'verde', name: 'Verde', priceDeltaMinor: 0 }],
          unitBaseMinor: 450,
          unitPriceMinor: 450,
          lineTotalMinor: 900,
          special: false,
        },
        { index: 1, itemId: 'horchata', name: 'Horchata', quantity: 1, choices: [], unitBaseMinor: 300, unitPriceMinor: 300, lineTotalMinor: 300, special: false },
      ],
    } satisfies Pick<CustomerOrder, 'truckId' | 'lines'>;
    expect(savedCartOf(order)).toEqual({
      truckId: 't1',
      lines: [
        { itemId: 'taco', quantity: 2, choices: ['verde'] },
        { itemId: 'horchata', quantity: 1, choices: [] },
      ],
      names: { taco: { name: 'Carnitas taco', translations: { 'zh-CN': { name: '猪肉塔可' } } }, horchata: { name: 'Horchata' } },
    });
  });
});
