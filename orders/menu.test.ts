import { describe, expect, it } from 'vitest';
import { CloudburstError } from '../common/errors.js';
import { parseMenu, publishedMenu, type Menu } from './menu.js';

const TODAY = '2026-12-05';

function menuInput(): Record<string, unknown> {
  return {
    currency: 'USD',
    items: [
      {
        id: 'taco',
        name: 'Carnitas taco',
        description: 'Slow-cooked pork, onion, cilantro',
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
        ],
        available: true,
        soldOut: false,
        tags: ['pork'],
      },
      { id: 'burrito', name: 'Burrito', priceMinor: 1100, available: true, soldOut: true },
      { id: 'pozole', name: 'Pozole', priceMinor: 900, available: false, soldOut: false },
      { id: 'brisket', name: 'Brisket plate', priceMinor: 1200, available: true, soldOut: false },
      { id: 'elote', name: 'Elote', priceMinor: 500, available: true, soldOut: false },
    ],
    specials: [
      { itemId: 'brisket', date: TODAY, quantity: 5, priceMinor: 1000 },
      { itemId: 'elote', date: TODAY, quantity: 3 },
      { itemId: 'elote', date: '2026-12-06', quantity: 8, priceMinor: 400 },
    ],
  };
}

function withItem(patch: Record<string, unknown>): Record<string, unknown> {
  const input = menuInput();
  const items = input.items as Record<string, unknown>[];
  items[0] = { ...items[0], ...patch };
  return input;
}

function parseError(input: unknown): CloudburstError {
  try {
    parseMenu(input);
  } catch (error) {
    if (error instanceof CloudburstError) return error;
    throw error;
  }
  throw new Error('expected parseMenu to throw');
}

describe('parseMenu', () => {
  it('accepts a menu and fills defaults', () => {
    const menu = parseMenu(menuInput());
    expect(menu.items).toHaveLength(5);
    expect(menu.items[1]!.options).toEqual([]);
    expect(parseMenu({ currency: 'JPY', items: [] })).toEqual({ currency: 'JPY', items: [], specials: [] });
  });

  const choice = { id: 'verde', name: 'Verde', priceDeltaMinor: 0 };
  const cases: Array<{ name: string; input: () => unknown; field: string; message: string }> = [
    {
      name: 'lower-case currency',
      input: () => ({ ...menuInput(), currency: 'usd' }),
      field: 'currency',
      message: 'invalid currency: "usd" (expected an ISO 4217 currency code in capitals, such as "USD")',
    },
    {
      name: 'unknown currency',
      input: () => ({ ...menuInput(), currency: 'ABC' }),
      field: 'currency',
      message: 'invalid currency: "ABC" (expected an ISO 4217 currency code in capitals, such as "USD")',
    },
    {
      name: 'fractional price',
      input: () => withItem({ priceMinor: 4.5 }),
      field: 'items.0.priceMinor',
      message: 'invalid items.0.priceMinor: 4.5 (expected an integer amount in minor units (cents))',
    },
    {
      name: 'negative price',
      input: () => withItem({ priceMinor: -1 }),
      field: 'items.0.priceMinor',
      message: 'invalid items.0.priceMinor: -1 (Too small: expected number to be >=0)',
    },
    {
      name: 'price above the maximum',
      input: () => withItem({ priceMinor: 1_000_000_001 }),
      field: 'items.0.priceMinor',
      message: 'invalid items.0.priceMinor: 1000000001 (Too big: expected number to be <=1000000000)',
    },
    {
      name: 'id with a space',
      input: () => withItem({ id: 'carnitas taco' }),
      field: 'items.0.id',
      message: 'invalid items.0.id: "carnitas taco" (expected an id of 1 to 64 letters, digits, "_", "." or "-", starting with a letter or digit)',
    },
    {
      name: 'empty Chinese name',
      input: () => withItem({ translations: { 'zh-CN': { name: ' ' } } }),
      field: 'items.0.translations.zh-CN.name',
      message: 'invalid items.0.translations.zh-CN.name: " " (Too small: expected string to have >=1 characters)',
    },
    {
      name: 'group min above max',
      input: () => withItem({ options: [{ id: 'salsa', name: 'Salsa', min: 2, max: 1, choices: [choice, { ...choice, id: 'roja' }] }] }),
      field: 'items.0.options.0.min',
      message: 'invalid items.0.options.0.min: 2 (expected at most max (1))',
    },
    {
      name: 'group max above its choices',
      input: () => withItem({ options: [{ id: 'salsa', name: 'Salsa', min: 0, max: 2, choices: [choice] }] }),
      field: 'items.0.options.0.max',
      message: 'invalid items.0.options.0.max: 2 (expected at most the number of choices (1))',
    },
    {
      name: 'negative choice delta',
      input: () => withItem({ options: [{ id: 'salsa', name: 'Salsa', min: 0, max: 1, choices: [{ ...choice, priceDeltaMinor: -50 }] }] }),
      field: 'items.0.options.0.choices.0.priceDeltaMinor',
      message: 'invalid items.0.options.0.choices.0.priceDeltaMinor: -50 (Too small: expected number to be >=0)',
    },
    {
      name: 'duplicate group id',
      input: () =>
        withItem({
          options: [
            { id: 'salsa', name: 'Salsa', min: 0, max: 1, choices: [choice] },
            { id: 'salsa', name: 'Salsa again', min: 0, max: 1, choices: [{ ...choice, id: 'roja' }] },
          ],
        }),
      field: 'items.0.options.1.id',
      message: 'invalid items.0.options.1.id: "salsa" (expected an option group id unique within item taco)',
    },
    {
      name: 'choice id repeated in another group',
      input: () =>
        withItem({
          options: [
            { id: 'salsa', name: 'Salsa', min: 0, max: 1, choices: [choice] },
            { id: 'extra', name: 'Extra', min: 0, max: 1, choices: [choice] },
          ],
        }),
      field: 'items.0.options.1.choices.0.id',
      message: 'invalid items.0.options.1.choices.0.id: "verde" (expected a choice id unique across all option groups of item taco)',
    },
    {
      name: 'duplicate item id',
      input: () => withItem({ id: 'burrito' }),
      field: 'items.1.id',
      message: 'invalid items.1.id: "burrito" (expected an item id unique within the menu)',
    },
    {
      name: 'special of an unknown item',
      input: () => ({ ...menuInput(), specials: [{ itemId: 'quesadilla', date: TODAY, quantity: 4 }] }),
      field: 'specials.0.itemId',
      message: 'invalid specials.0.itemId: "quesadilla" (expected the id of an item on this menu)',
    },
    {
      name: 'special on a date that does not exist',
      input: () => ({ ...menuInput(), specials: [{ itemId: 'elote', date: '2026-02-30', quantity: 4 }] }),
      field: 'specials.0.date',
      message: 'invalid specials.0.date: "2026-02-30" (expected a local date like "2026-12-05", in the year 2000 or later)',
    },
    {
      name: 'two specials for one item and day',
      input: () => ({
        ...menuInput(),
        specials: [
          { itemId: 'elote', date: TODAY, quantity: 4 },
          { itemId: 'elote', date: TODAY, quantity: 9 },
        ],
      }),
      field: 'specials.1.date',
      message: 'invalid specials.1.date: "2026-12-05" (expected one special per day for item elote)',
    },
    {
      name: 'special without quantity',
      input: () => ({ ...menuInput(), specials: [{ itemId: 'elote', date: TODAY, quantity: 0 }] }),
      field: 'specials.0.quantity',
      message: 'invalid specials.0.quantity: 0 (Too small: expected number to be >=1)',
    },
  ];

  for (const { name, input, field, message } of cases) {
    it(`rejects ${name}`, () => {
      const error = parseError(input());
      expect(error.code).toBe('invalid_input');
      expect(error.field).toBe(field);
      expect(error.message).toBe(message);
    });
  }

  it('rejects an unknown item field', () => {
    const error = parseError({ currency: 'USD', items: [{ id: 'a', name: 'A', priceMinor: 1, available: true, soldOut: false, colour: 'red' }] });
    expect(error.field).toBe('items.0');
    expect(error.message).toBe(
      'invalid items.0: unknown field "colour" (check its spelling and case)',
    );
  });
});

describe('publishedMenu', () => {
  const menu: Menu = parseMenu(menuInput());

  it('shows the phone today with remaining specials', () => {
    const published = publishedMenu(menu, TODAY, { brisket: 2, elote: 3 });
    expect(published).toEqual({
      currency: 'USD',
      date: TODAY,
      items: [
        {
          id: 'taco',
          name: 'Carnitas taco',
          description: 'Slow-cooked pork, onion, cilantro',
          translations: { 'zh-CN': { name: '猪肉塔可' } },
          tags: ['pork'],
          priceMinor: 450,
          options: menu.items[0]!.options,
          soldOut: false,
        },
        { id: 'burrito', name: 'Burrito', tags: [], priceMinor: 1100, options: [], soldOut: true },
        {
          id: 'brisket',
          name: 'Brisket plate',
          tags: [],
          priceMinor: 1000,
          regularPriceMinor: 1200,
          options: [],
          soldOut: false,
          special: { quantity: 5, remaining: 3 },
        },
        { id: 'elote', name: 'Elote', tags: [], priceMinor: 500, options: [], soldOut: true, special: { quantity: 3, remaining: 0 } },
      ],
    });
  });

  it('omits remaining without sold counts', () => {
    const items = publishedMenu(menu, TODAY).items;
    expect(items.find((item) => item.id === 'brisket')!.special).toEqual({ quantity: 5 });
    expect(items.find((item) => item.id === 'elote')!.soldOut).toBe(false);
  });

  it('counts missing sold entries as none sold', () => {
    const brisket = publishedMenu(menu, TODAY, {}).items.find((item) => item.id === 'brisket')!;
    expect(brisket.special).toEqual({ quantity: 5, remaining: 5 });
  });

  it('never shows a negative remaining', () => {
    const brisket = publishedMenu(menu, TODAY, { brisket: 7 }).items.find((item) => item.id === 'brisket')!;
    expect(brisket.special).toEqual({ quantity: 5, remaining: 0 });
    expect(brisket.soldOut).toBe(true);
  });

  it('uses the specials of the given day only', () => {
    const items = publishedMenu(menu, '2026-12-06', { elote: 1 }).items;
    expect(items.find((item) => item.id === 'brisket')).toEqual({ id: 'brisket', name: 'Brisket plate', tags: [], priceMinor: 1200, options: [], soldOut: false });
    expect(items.find((item) => item.id === 'elote')).toEqual({
      id: 'elote',
      name: 'Elote',
      tags: [],
      priceMinor: 400,
      regularPriceMinor: 500,
      options: [],
      soldOut: false,
      special: { quantity: 8, remaining: 7 },
    });
  });

  it('ignores inherited keys of the sold counts', () => {
    const constructorMenu = parseMenu({
      currency: 'USD',
      items: [{ id: 'constructor', name: 'Builder bowl', priceMinor: 800, available: true, soldOut: false }],
      specials: [{ itemId: 'constructor', date: TODAY, quantity: 2 }],
    });
    expect(publishedMenu(constructorMenu, TODAY, {}).items[0]!.special).toEqual({ quantity: 2, remaining: 2 });
  });

  it('rejects a malformed date', () => {
    expect(() => publishedMenu(menu, '2026-13-01')).toThrow('invalid localDate: "2026-13-01" (expected a local date like "2026-12-05", in the year 2000 or later)');
  });

  it('rejects a negative sold count', () => {
    expect(() => publishedMenu(menu, TODAY, { elote: -1 })).toThrow('invalid specialsSold.elote: -1 (expected a count of at least 0)');
  });
});
