import { describe, expect, it } from 'vitest';
import type { Menu } from '../../../../orders/menu.js';
import { draftFromMenu, type MenuDraft } from './draft.js';
import { addItem, removeSpecial } from './draft-edits.js';
import { draftSignature } from './draft-signature.js';

const MENU: Menu = {
  currency: 'USD',
  items: [
    {
      id: 'burger',
      name: 'Burger',
      priceMinor: 1000,
      options: [{ id: 'extras', name: 'Extras', min: 0, max: 1, choices: [{ id: 'onion', name: 'Onion', priceDeltaMinor: 0 }] }],
      available: true,
      soldOut: false,
    },
    { id: 'taco', name: 'Taco', priceMinor: 400, options: [], available: true, soldOut: false },
  ],
  specials: [{ itemId: 'taco', date: '2026-12-04', quantity: 30 }],
};

describe('draftSignature', () => {
  it('ignores row keys', () => {
    expect(draftSignature(draftFromMenu(MENU))).toBe(draftSignature(draftFromMenu(MENU)));
  });

  it('compares amounts, counts and texts as saved', () => {
    const draft = draftFromMenu(MENU);
    draft.items[0]!.price = '10';
    draft.items[0]!.name = ' Burger ';
    draft.items[0]!.options[0]!.max = '01';
    draft.items[0]!.options[0]!.choices[0]!.priceDelta = '0';
    draft.currency = 'usd';
    expect(draftSignature(draft)).toBe(draftSignature(draftFromMenu(MENU)));
  });

  it.each([
    ['a price', (draft: MenuDraft) => (draft.items[1]!.price = '4.01')],
    ['a sold-out flag', (draft: MenuDraft) => (draft.items[1]!.soldOut = true)],
    ['a Chinese name', (draft: MenuDraft) => (draft.items[0]!.nameZh = '汉堡')],
    ['an unreadable price', (draft: MenuDraft) => (draft.items[0]!.price = 'abc')],
    ['a new item', (draft: MenuDraft) => addItem(draft)],
    ['a removed special', (draft: MenuDraft) => removeSpecial(draft, draft.specials[0]!.key)],
    ['the item of a special', (draft: MenuDraft) => (draft.specials[0]!.itemKey = draft.items[0]!.key)],
    ['the order of the items', (draft: MenuDraft) => draft.items.reverse()],
  ])('changes with %s', (_change, edit) => {
    const draft = draftFromMenu(MENU);
    edit(draft);
    expect(draftSignature(draft)).not.toBe(draftSignature(draftFromMenu(MENU)));
  });
});
