import { describe, expect, it } from 'vitest';
import { CloudburstError } from '../common/errors.js';
import { assertCartOrderable, parseCartLines, priceCart, type CartLine, type PricedCart } from './cart.js';
import { parseMenu } from './menu.js';

const TODAY = '2026-12-05';

const menu = parseMenu({
  currency: 'USD',
  items: [
    {
      id: 'taco',
      name: 'Carnitas taco',
      translations: { 'zh-CN': { name: '猪肉塔可' } },
      priceMinor: 450,
      options: [
        {
          id: 'salsa',
          name: 'Salsa',
          min: 1,
          max: 1,
          choices: [
            { id: 'verde', name: 'Verde', priceDeltaMinor: 0 },
            { id: 'roja', name: 'Roja', priceDeltaMinor: 0 },
          ],
        },
        {
          id: 'extras',
          name: 'Extras',
          min: 0,
          max: 2,
          choices: [
            { id: 'cheese', name: 'Cheese', priceDeltaMinor: 75 },
            { id: 'guac', name: 'Guacamole', translations: { 'zh-CN': { name: '牛油果酱' } }, priceDeltaMinor: 150 },
          ],
        },
      ],
      available: true,
      soldOut: false,
    },
    { id: 'horchata', name: 'Horchata', priceMinor: 300, available: true, soldOut: false },
    { id: 'burrito', name: 'Burrito', priceMinor: 1100, available: true, soldOut: true },
    { id: 'pozole', name: 'Pozole', priceMinor: 900, available: false, soldOut: false },
    { id: 'brisket', name: 'Brisket plate', priceMinor: 1200, available: true, soldOut: false },
    { id: 'elote', name: 'Elote', priceMinor: 500, available: true, soldOut: false },
  ],
  specials: [
    { itemId: 'brisket', date: TODAY, quantity: 5, priceMinor: 1000 },
    { itemId: 'elote', date: TODAY, quantity: 3 },
  ],
});

function price(lines: CartLine[], specialsSold: Record<string, number> = {}): PricedCart {
  return priceCart(menu, lines, { localDate: TODAY, specialsSold });
}

function thrown(action: () => unknown): CloudburstError {
  try {
    action();
  } catch (error) {
    if (error instanceof CloudburstError) return error;
    throw error;
  }
  throw new Error('expected a CloudburstError');
}

describe('priceCart totals', () => {
  it('prices lines with choices and specials', () => {
    const cart = price(
      [
        { itemId: 'taco', quantity: 2, choices: ['guac', 'verde', 'cheese'] },
        { itemId: 'horchata', quantity: 1, choices: [] },
        { itemId: 'brisket', quantity: 2, choices: [] },
      ],
      { brisket: 2 },
    );

    expect(cart).toEqual({
      ok: true,
      currency: 'USD',
      errors: [],
      itemCount: 5,
      subtotalMinor: 3650,
      lines: [
        {
          index: 0,
          itemId: 'taco',
          name: 'Carnitas taco',
          translations: { 'zh-CN': { name: '猪肉塔可' } },
          quantity: 2,
          choices: [
            { groupId: 'extras', choiceId: 'guac', name: 'Guacamole', translations: { 'zh-CN': { name: '牛油果酱' } }, priceDeltaMinor: 150 },
            { groupId: 'salsa', choiceId: 'verde', name: 'Verde', priceDeltaMinor: 0 },
            { groupId: 'extras', choiceId: 'cheese', name: 'Cheese', priceDeltaMinor: 75 },
          ],
          unitBaseMinor: 450,
          unitPriceMinor: 675,
          lineTotalMinor: 1350,
          special: false,
        },
        {
          index: 1,
          itemId: 'horchata',
          name: 'Horchata',
          quantity: 1,
          choices: [],
          unitBaseMinor: 300,
          unitPriceMinor: 300,
          lineTotalMinor: 300,
          special: false,
        },
        {
          index: 2,
          itemId: 'brisket',
          name: 'Brisket plate',
          quantity: 2,
          choices: [],
          unitBaseMinor: 1000,
          unitPriceMinor: 1000,
          lineTotalMinor: 2000,
          special: true,
        },
      ],
    });
  });

  it('uses the regular price on other days', () => {
    const cart = priceCart(menu, [{ itemId: 'brisket', quantity: 7, choices: [] }], { localDate: '2026-12-06', specialsSold: { brisket: 5 } });
    expect(cart.ok).toBe(true);
    expect(cart.subtotalMinor).toBe(8400);
    expect(cart.lines[0]!.special).toBe(false);
  });

  it('keeps a special without price at the item price', () => {
    const cart = price([{ itemId: 'elote', quantity: 3, choices: [] }]);
    expect(cart.ok).toBe(true);
    expect(cart.lines[0]!.unitBaseMinor).toBe(500);
    expect(cart.subtotalMinor).toBe(1500);
  });
});

describe('priceCart items', () => {
  it('reports an unknown item', () => {
    const cart = price([{ itemId: 'quesadilla', quantity: 1, choices: [] }]);
    expect(cart.ok).toBe(false);
    expect(cart.lines).toEqual([]);
    expect(cart.subtotalMinor).toBe(0);
    expect(cart.errors).toEqual([
      { field: 'lines.0.itemId', value: 'quesadilla', reason: 'unknown_item', message: 'invalid lines.0.itemId: "quesadilla" (expected the id of an item on the menu)' },
    ]);
  });

  it('reports an unavailable item', () => {
    expect(price([{ itemId: 'pozole', quantity: 1, choices: [] }]).errors).toEqual([
      { field: 'lines.0.itemId', value: 'pozole', reason: 'unavailable', message: 'invalid lines.0.itemId: "pozole" (Pozole is not on the menu now)' },
    ]);
  });

  it('reports a sold-out item', () => {
    expect(price([{ itemId: 'burrito', quantity: 1, choices: [] }]).errors).toEqual([
      { field: 'lines.0.itemId', value: 'burrito', reason: 'sold_out', message: 'invalid lines.0.itemId: "burrito" (Burrito is sold out)' },
    ]);
  });

  it('reports a special with none left', () => {
    expect(price([{ itemId: 'elote', quantity: 1, choices: [] }], { elote: 3 }).errors).toEqual([
      { field: 'lines.0.itemId', value: 'elote', reason: 'sold_out', message: "invalid lines.0.itemId: \"elote\" (today's special Elote is sold out)" },
    ]);
  });

  it('reports each bad line and prices the good ones', () => {
    const cart = price([
      { itemId: 'horchata', quantity: 2, choices: [] },
      { itemId: 'quesadilla', quantity: 0, choices: [] },
      { itemId: 'taco', quantity: 1, choices: [] },
    ]);
    expect(cart.ok).toBe(false);
    expect(cart.errors.map((error) => [error.field, error.reason])).toEqual([
      ['lines.1.itemId', 'unknown_item'],
      ['lines.1.quantity', 'invalid_quantity'],
      ['lines.2.choices', 'too_few_choices'],
    ]);
    expect(cart.lines.map((line) => line.index)).toEqual([0]);
    expect(cart.subtotalMinor).toBe(600);
    expect(cart.itemCount).toBe(2);
  });

  it('reports an empty cart', () => {
    expect(price([]).errors).toEqual([{ field: 'lines', value: [], reason: 'empty', message: 'invalid lines: [] (expected at least one line)' }]);
  });
});

describe('priceCart quantities', () => {
  for (const quantity of [0, 21, 1.5, -1, Number.NaN]) {
    it(`rejects quantity ${quantity}`, () => {
      const cart = price([{ itemId: 'horchata', quantity, choices: [] }]);
      expect(cart.errors).toHaveLength(1);
      expect(cart.errors[0]!.field).toBe('lines.0.quantity');
      expect(cart.errors[0]!.reason).toBe('invalid_quantity');
      expect(cart.errors[0]!.message).toBe(`invalid lines.0.quantity: ${Number.isNaN(quantity) ? 'NaN' : quantity} (expected a whole number from 1 to 20)`);
    });
  }

  it('accepts 20 on a line and 50 in an order', () => {
    const cart = price([
      { itemId: 'horchata', quantity: 20, choices: [] },
      { itemId: 'horchata', quantity: 20, choices: [] },
      { itemId: 'taco', quantity: 10, choices: ['roja'] },
    ]);
    expect(cart.ok).toBe(true);
    expect(cart.itemCount).toBe(50);
    expect(cart.subtotalMinor).toBe(16_500);
  });

  it('rejects 51 items in an order', () => {
    const cart = price([
      { itemId: 'horchata', quantity: 20, choices: [] },
      { itemId: 'horchata', quantity: 20, choices: [] },
      { itemId: 'taco', quantity: 11, choices: ['roja'] },
    ]);
    expect(cart.ok).toBe(false);
    expect(cart.errors).toEqual([
      { field: 'lines', value: 51, reason: 'too_many_items', message: 'invalid lines: 51 (expected at most 50 items in one order)' },
    ]);
  });
});

describe('priceCart specials', () => {
  it('accepts exactly what is left', () => {
    const cart = price([{ itemId: 'brisket', quantity: 3, choices: [] }], { brisket: 2 });
    expect(cart.ok).toBe(true);
    expect(cart.subtotalMinor).toBe(3000);
  });

  it('rejects one more than is left', () => {
    expect(price([{ itemId: 'brisket', quantity: 4, choices: [] }], { brisket: 2 }).errors).toEqual([
      {
        field: 'lines.0.quantity',
        value: 4,
        reason: 'special_limit',
        message: "invalid lines.0.quantity: 4 (only 3 of today's special Brisket plate (brisket) are left)",
      },
    ]);
  });

  it('counts the special across lines', () => {
    const cart = price(
      [
        { itemId: 'brisket', quantity: 2, choices: [] },
        { itemId: 'brisket', quantity: 2, choices: [] },
      ],
      { brisket: 2 },
    );
    expect(cart.errors).toEqual([
      {
        field: 'lines.1.quantity',
        value: 2,
        reason: 'special_limit',
        message: "invalid lines.1.quantity: 2 (only 3 of today's special Brisket plate (brisket) are left, and earlier lines already take 2)",
      },
    ]);
    expect(cart.lines.map((line) => line.index)).toEqual([0]);
  });

  it('rejects bad sold counts and dates', () => {
    expect(() => price([{ itemId: 'horchata', quantity: 1, choices: [] }], { brisket: 1.5 })).toThrow(
      'invalid specialsSold.brisket: 1.5 (expected a count of at least 0)',
    );
    expect(() => priceCart(menu, [], { localDate: '05/12/2026', specialsSold: {} })).toThrow('invalid localDate: "05/12/2026"');
  });
});

describe('priceCart choices', () => {
  it('reports an unknown choice', () => {
    expect(price([{ itemId: 'taco', quantity: 1, choices: ['verde', 'mole'] }]).errors).toEqual([
      { field: 'lines.0.choices', value: 'mole', reason: 'unknown_choice', message: 'invalid lines.0.choices: "mole" (expected a choice of Carnitas taco (taco))' },
    ]);
  });

  it('reports a repeated choice', () => {
    expect(price([{ itemId: 'taco', quantity: 1, choices: ['verde', 'cheese', 'cheese'] }]).errors).toEqual([
      { field: 'lines.0.choices', value: 'cheese', reason: 'duplicate_choice', message: 'invalid lines.0.choices: "cheese" (expected each choice at most once)' },
    ]);
  });

  it('reports too few choices in a group', () => {
    expect(price([{ itemId: 'taco', quantity: 1, choices: ['cheese'] }]).errors).toEqual([
      {
        field: 'lines.0.choices',
        value: ['cheese'],
        reason: 'too_few_choices',
        message: 'invalid lines.0.choices: ["cheese"] (expected at least 1 of "Salsa" (salsa), got 0)',
      },
    ]);
  });

  it('reports too many choices in a group', () => {
    expect(price([{ itemId: 'taco', quantity: 1, choices: ['verde', 'roja'] }]).errors).toEqual([
      {
        field: 'lines.0.choices',
        value: ['verde', 'roja'],
        reason: 'too_many_choices',
        message: 'invalid lines.0.choices: ["verde","roja"] (expected at most 1 of "Salsa" (salsa), got 2)',
      },
    ]);
  });

  it('rejects choices on an item without options', () => {
    expect(price([{ itemId: 'horchata', quantity: 1, choices: ['verde'] }]).errors.map((error) => error.reason)).toEqual(['unknown_choice']);
  });
});

describe('assertCartOrderable', () => {
  it('passes an orderable cart', () => {
    expect(() => assertCartOrderable(price([{ itemId: 'horchata', quantity: 1, choices: [] }]))).not.toThrow();
  });

  it('raises a conflict when the menu changed', () => {
    const error = thrown(() => assertCartOrderable(price([{ itemId: 'burrito', quantity: 1, choices: [] }, { itemId: 'nope', quantity: 1, choices: [] }])));
    expect(error.code).toBe('conflict');
    expect(error.field).toBe('lines.0.itemId');
    expect(error.value).toBe('burrito');
    expect(error.message).toBe('invalid lines.0.itemId: "burrito" (Burrito is sold out)');
    expect(error.context).toEqual({
      errors: [
        { field: 'lines.0.itemId', reason: 'sold_out' },
        { field: 'lines.1.itemId', reason: 'unknown_item' },
      ],
    });
  });

  it('raises invalid input for a malformed line', () => {
    const error = thrown(() => assertCartOrderable(price([{ itemId: 'taco', quantity: 1, choices: ['mole', 'verde'] }])));
    expect(error.code).toBe('invalid_input');
    expect(error.field).toBe('lines.0.choices');
    expect(error.value).toBe('mole');
  });
});

describe('parseCartLines', () => {
  it('fills missing choices', () => {
    expect(parseCartLines([{ itemId: 'horchata', quantity: 1 }])).toEqual([{ itemId: 'horchata', quantity: 1, choices: [] }]);
  });

  it('names the malformed field', () => {
    const error = thrown(() => parseCartLines([{ itemId: 'horchata', quantity: '2' }]));
    expect(error.field).toBe('lines.0.quantity');
    expect(error.message).toBe('invalid lines.0.quantity: "2" (Invalid input: expected number, received string)');
  });

  it('rejects more lines than an order can hold', () => {
    const lines = Array.from({ length: 51 }, () => ({ itemId: 'horchata', quantity: 1, choices: [] }));
    const error = thrown(() => parseCartLines(lines));
    expect(error.field).toBe('lines');
    expect(error.message).toContain('(expected at most 50 lines, because an order holds at most 50 items)');
  });
});
