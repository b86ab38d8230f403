import { describe, expect, it } from 'vitest';
import type { Menu } from '../../../../orders/menu.js';
import { draftFromMenu } from './draft.js';
import { pastSpecialKeys } from './draft-edits.js';
import { formFieldOf, isFieldOnForm } from './error-paths.js';

const MENU: Menu = {
  currency: 'USD',
  items: [
    { id: 'taco', name: 'Taco', priceMinor: 400, options: [], available: true, soldOut: false },
    {
      id: 'burger',
      name: 'Burger',
      priceMinor: 1000,
      options: [
        { id: 'size', name: 'Size', min: 1, max: 1, choices: [{ id: 'small', name: 'Small', priceDeltaMinor: 0 }] },
        {
          id: 'extras',
          name: 'Extras',
          min: 0,
          max: 2,
          choices: [
            { id: 'cheddar', name: 'Cheddar', priceDeltaMinor: 150 },
            { id: 'bacon', name: 'Bacon', priceDeltaMinor: 200 },
          ],
        },
      ],
      available: true,
      soldOut: false,
    },
  ],
  specials: [
    { itemId: 'taco', date: '2026-12-01', quantity: 5 },
    { itemId: 'taco', date: '2026-12-04', quantity: 30 },
  ],
};

const TODAY = '2026-12-04';
const draft = draftFromMenu(MENU);
const hidden = pastSpecialKeys(draft, TODAY);

describe('formFieldOf', () => {
  it.each([
    ['currency', 'currency'],
    ['items', 'items'],
    ['specials', 'specials'],
    ['items.1.priceMinor', 'items.1.priceMinor'],
    ['items.0.name', 'items.0.name'],
    ['items.0.description', 'items.0.description'],
    ['items.0.soldOut', 'items.0.soldOut'],
    ['items.1.options', 'items.1.options'],
    ['items.1.translations.zh-CN.name', 'items.1.translations.zh-CN.name'],
    ['items.1.translations.zh-CN.description', 'items.1.translations.zh-CN.description'],
    ['items.1.options.1.max', 'items.1.options.1.max'],
    ['items.1.options.0.choices', 'items.1.options.0.choices'],
    ['items.1.options.1.choices.1.priceDeltaMinor', 'items.1.options.1.choices.1.priceDeltaMinor'],
    ['specials.1.quantity', 'specials.1.quantity'],
  ])('places %s at %s', (path, field) => {
    expect(formFieldOf(path, draft, hidden)).toBe(field);
  });

  it.each([
    ['items.1.id', 'items.1.name'],
    ['items.1.options.1.id', 'items.1.options.1.name'],
    ['items.1.options.1.choices.0.id', 'items.1.options.1.choices.0.name'],
    ['items.0.translations', 'items.0.translations.zh-CN.name'],
    ['items.0.translations.zh-CN', 'items.0.translations.zh-CN.name'],
    ['items.1.options.0.translations.zh-CN', 'items.1.options.0.translations.zh-CN.name'],
  ])('places %s at the name input %s', (path, field) => {
    expect(formFieldOf(path, draft, hidden)).toBe(field);
  });

  it.each([
    ['(body)'],
    ['items.0'],
    ['items.0.tags.0'],
    ['items.5.name'],
    ['items.1.options.2.name'],
    ['items.1.options.0.choices.3.name'],
    ['items.1.options.0.translations.zh-CN.description'],
    ['specials.0.quantity'],
    ['specials.2.date'],
    ['menu.currency'],
  ])('finds no control for %s', (path) => {
    expect(formFieldOf(path, draft, hidden)).toBeNull();
  });
});

describe('isFieldOnForm', () => {
  it('places unhidden past specials', () => {
    expect(isFieldOnForm('specials.0.date', draft, hidden)).toBe(false);
    expect(isFieldOnForm('specials.0.date', draft, new Set())).toBe(true);
  });
});
