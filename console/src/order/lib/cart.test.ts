import { describe, expect, it } from 'vitest';
import { MAX_QUANTITY_PER_LINE, type CartLine } from '../../../../orders/cart.js';
import { parseMenu, publishedMenu, type OptionGroup } from '../../../../orders/menu.js';
import { addToCart, previewCart, sameChoices, setQuantity, toggleChoice, unmetGroups } from './cart.js';

const TODAY = '2026-12-05';

const menu = parseMenu({
  currency: 'USD',
  items: [
    {
      id: 'taco',
      name: 'Carnitas taco',
      priceMinor: 450,
      options: [
        { id: 'salsa', name: 'Salsa', min: 1, max: 1, choices: [{ id: 'verde', name: 'Verde', priceDeltaMinor: 0 }, { id: 'roja', name: 'Roja', priceDeltaMinor: 0 }] },
        {
          id: 'extras',
          name: 'Extras',
          min: 0,
          max: 2,
          choices: [
            { id: 'cheese', name: 'Cheese', priceDeltaMinor: 75 },
            { id: 'guac', name: 'Guacamole', priceDeltaMinor: 150 },
            { id: 'onion', name: 'Onion', priceDeltaMinor: 0 },
          ],
        },
      ],
      available: true,
      soldOut: false,
    },
    { id: 'horchata', name: 'Horchata', priceMinor: 300, available: true, soldOut: false },
    { id: 'brisket', name: 'Brisket plate', priceMinor: 1200, available: true, soldOut: false },
    { id: 'burrito', name: 'Burrito', priceMinor: 1100, available: true, soldOut: true },
  ],
  specials: [{ itemId: 'brisket', date: TODAY, quantity: 5, priceMinor: 1000 }],
});

const [salsa, extras] = menu.items[0]!.options as [OptionGroup, OptionGroup];

describe('addToCart', () => {
  it('merges a line with the same item and choices', () => {
    const lines = addToCart([{ itemId: 'taco', quantity: 1, choices: ['verde', 'cheese'] }], { itemId: 'taco', quantity: 2, choices: ['cheese', 'verde'] });
    expect(lines).toEqual([{ itemId: 'taco', quantity: 3, choices: ['verde', 'cheese'] }]);
  });

  it('adds a new line for other choices', () => {
    const lines = addToCart([{ itemId: 'taco', quantity: 1, choices: ['verde'] }], { itemId: 'taco', quantity: 1, choices: ['roja'] });
    expect(lines).toEqual([
      { itemId: 'taco', quantity: 1, choices: ['verde'] },
      { itemId: 'taco', quantity: 1, choices: ['roja'] },
    ]);
  });

  it('caps a line at the maximum quantity', () => {
    const lines = addToCart([{ itemId: 'horchata', quantity: MAX_QUANTITY_PER_LINE - 1, choices: [] }], { itemId: 'horchata', quantity: 5, choices: [] });
    expect(lines).toEqual([{ itemId: 'horchata', quantity: MAX_QUANTITY_PER_LINE, choices: [] }]);
  });

  it('leaves the given list unchanged', () => {
    const before: CartLine[] = [{ itemId: 'horchata', quantity: 1, choices: [] }];
    addToCart(before, { itemId: 'horchata', quantity: 1, choices: [] });
    expect(before).toEqual([{ itemId: 'horchata', quantity: 1, choices: [] }]);
  });
});

describe('sameChoices', () => {
  it.each([
    [['a', 'b'], ['b', 'a'], true],
    [['a'], ['a', 'b'], false],
    [['a', 'a'], ['a', 'b'], false],
    [[], [], true],
  ])('%j and %j give %s', (a, b, expected) => {
    expect(sameChoices(a, b)).toBe(expected);
  });
});

describe('setQuantity', () => {
  const lines: CartLine[] = [
    { itemId: 'horchata', quantity: 2, choices: [] },
    { itemId: 'brisket', quantity: 1, choices: [] },
  ];

  it('changes one line', () => {
    expect(setQuantity(lines, 1, 3)).toEqual([
      { itemId: 'horchata', quantity: 2, choices: [] },
      { itemId: 'brisket', quantity: 3, choices: [] },
    ]);
  });

  it('removes a line at 0', () => {
    expect(setQuantity(lines, 0, 0)).toEqual([{ itemId: 'brisket', quantity: 1, choices: [] }]);
  });

  it('clamps to the maximum', () => {
    expect(setQuantity(lines, 0, 99)[0]!.quantity).toBe(MAX_QUANTITY_PER_LINE);
  });

  it('rejects an index outside the cart', () => {
    expect(() => setQuantity(lines, 2, 1)).toThrow('invalid cart line index: 2 (the cart has 2 lines)');
  });
});

describe('toggleChoice', () => {
  it('replaces the choice of a single-choice group', () => {
    expect(toggleChoice(salsa, ['verde', 'cheese'], 'roja')).toEqual(['cheese', 'roja']);
  });

  it('keeps a required single choice on a second tap', () => {
    expect(toggleChoice(salsa, ['verde'], 'verde')).toEqual(['verde']);
  });

  it('toggles in a multiple-choice group', () => {
    expect(toggleChoice(extras, ['verde'], 'cheese')).toEqual(['verde', 'cheese']);
    expect(toggleChoice(extras, ['verde', 'cheese'], 'cheese')).toEqual(['verde']);
  });

  it('takes no more than the group maximum', () => {
    expect(toggleChoice(extras, ['cheese', 'guac'], 'onion')).toEqual(['cheese', 'guac']);
  });

  it('rejects a choice of another group', () => {
    expect(() => toggleChoice(salsa, [], 'cheese')).toThrow('invalid choice: "cheese" (expected a choice of group salsa)');
  });
});

describe('unmetGroups', () => {
  it('lists groups below their minimum', () => {
    expect(unmetGroups([salsa, extras], ['cheese']).map((group) => group.id)).toEqual(['salsa']);
    expect(unmetGroups([salsa, extras], ['roja'])).toEqual([]);
  });
});

describe('previewCart', () => {
  const published = publishedMenu(menu, TODAY, { brisket: 3 });

  it('prices choices and the special', () => {
    const preview = previewCart(published, [
      { itemId: 'taco', quantity: 2, choices: ['verde', 'guac'] },
      { itemId: 'brisket', quantity: 1, choices: [] },
    ]);

    expect(preview.priced.ok).toBe(true);
    expect(preview.priced.lines.map((line) => line.lineTotalMinor)).toEqual([1200, 1000]);
    expect(preview.priced.subtotalMinor).toBe(2200);
    expect(preview.discount).toBeUndefined();
    expect(preview.totalMinor).toBe(2200);
  });

  it('applies a percent discount', () => {
    const preview = previewCart(published, [{ itemId: 'horchata', quantity: 3, choices: [] }], { kind: 'percent', value: 10 });
    expect(preview.discount).toEqual({ applied: true, discountMinor: 90, totalMinor: 810 });
    expect(preview.totalMinor).toBe(810);
  });

  it('reports a minimum spend not met', () => {
    const preview = previewCart(published, [{ itemId: 'horchata', quantity: 1, choices: [] }], { kind: 'amount', value: 200, currency: 'USD', minSpendMinor: 800 });
    expect(preview.discount).toMatchObject({ applied: false, rejection: 'min_spend', missingMinor: 500 });
    expect(preview.totalMinor).toBe(300);
  });

  it('skips the discount for an empty cart', () => {
    const preview = previewCart(published, [], { kind: 'percent', value: 10 });
    expect(preview.discount).toBeUndefined();
    expect(preview.priced.errors.map((error) => error.reason)).toEqual(['empty']);
  });

  it('flags the special beyond what is left', () => {
    const preview = previewCart(published, [{ itemId: 'brisket', quantity: 3, choices: [] }]);
    expect(preview.priced.ok).toBe(false);
    expect(preview.priced.errors.map((error) => [error.field, error.reason])).toEqual([['lines.0.quantity', 'special_limit']]);
  });

  it('flags a sold-out item', () => {
    const preview = previewCart(published, [{ itemId: 'burrito', quantity: 1, choices: [] }]);
    expect(preview.priced.errors.map((error) => [error.field, error.reason])).toEqual([['lines.0.itemId', 'sold_out']]);
  });
});
