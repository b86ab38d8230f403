import { describe, expect, it } from 'vitest';
import { publishedMenu, type Menu } from '../../../../orders/menu.js';
import { daySalesOf } from './special-sales.js';

const MENU: Menu = {
  currency: 'USD',
  items: [
    { id: 'taco', name: 'Taco', priceMinor: 400, options: [], available: true, soldOut: false },
    { id: 'burger', name: 'Burger', priceMinor: 1000, options: [], available: true, soldOut: false },
    { id: 'stew', name: 'Stew', priceMinor: 900, options: [], available: false, soldOut: false },
    { id: 'pie', name: 'Pie', priceMinor: 500, options: [], available: true, soldOut: false },
  ],
  specials: [
    { itemId: 'taco', date: '2026-12-04', quantity: 30, priceMinor: 300 },
    { itemId: 'burger', date: '2026-12-04', quantity: 10 },
    { itemId: 'stew', date: '2026-12-04', quantity: 5 },
    { itemId: 'pie', date: '2026-12-05', quantity: 8 },
  ],
};

describe('daySalesOf', () => {
  it('reads the day sales', () => {
    const sales = daySalesOf(publishedMenu(MENU, '2026-12-04', { taco: 12, burger: 14 }));
    expect(sales.date).toBe('2026-12-04');
    expect([...sales.byItem]).toEqual([
      ['taco', { quantity: 30, remaining: 18, sold: 12 }],
      // Sold past the quantity: the public menu reports none left, so the sales stop at the quantity.
      ['burger', { quantity: 10, remaining: 0, sold: 10 }],
    ]);
  });

  it('reports nothing without sold counts', () => {
    expect(daySalesOf(publishedMenu(MENU, '2026-12-04')).byItem.size).toBe(0);
  });
});
