import { describe, expect, it } from 'vitest';
import { parseMenu, type Menu } from '../../../../orders/menu.js';
import { draftFromMenu, emptyMenuDraft, newChoiceDraft, newGroupDraft, newItemDraft, newSpecialDraft, type MenuDraft } from './draft.js';
import { buildMenu } from './menu-body.js';

/** A saved menu with every field the form edits or keeps. */
const SAVED: Menu = {
  currency: 'USD',
  items: [
    {
      id: 'burger',
      name: 'Burger',
      description: 'Beef, brioche',
      translations: { 'zh-CN': { name: '汉堡', description: '牛肉' } },
      priceMinor: 1000,
      options: [
        {
          id: 'extras',
          name: 'Extras',
          translations: { 'zh-CN': { name: '加料' } },
          min: 0,
          max: 2,
          choices: [
            { id: 'cheddar', name: 'Cheddar', translations: { 'zh-CN': { name: '切达' } }, priceDeltaMinor: 150 },
            { id: 'onion', name: 'Onion', priceDeltaMinor: 0 },
          ],
        },
      ],
      available: true,
      soldOut: false,
      tags: ['beef'],
    },
    { id: 'taco', name: 'Taco', priceMinor: 400, options: [], available: false, soldOut: true },
  ],
  specials: [
    { itemId: 'taco', date: '2026-12-04', quantity: 30, priceMinor: 300 },
    { itemId: 'burger', date: '2026-12-05', quantity: 10 },
  ],
};

function built(draft: MenuDraft): Menu {
  const result = buildMenu(draft);
  if (!result.ok) throw new Error(`expected a menu, got problems ${JSON.stringify(result.problems)}`);
  return result.menu;
}

describe('buildMenu', () => {
  it('rebuilds a saved menu unchanged', () => {
    expect(built(draftFromMenu(SAVED))).toEqual(SAVED);
  });

  it('builds an empty menu in US dollars', () => {
    expect(built(emptyMenuDraft())).toEqual({ currency: 'USD', items: [], specials: [] });
  });

  it('builds new rows with derived ids', () => {
    const draft = emptyMenuDraft('jpy');
    const item = newItemDraft();
    item.name = ' Ramen ';
    item.nameZh = '拉面';
    item.price = '1,200';
    const size = newGroupDraft();
    size.name = 'Size';
    size.choices[0]!.name = 'Large';
    size.choices[0]!.priceDelta = '200';
    const toppings = newGroupDraft();
    toppings.name = 'Toppings';
    toppings.min = '0';
    toppings.choices[0]!.name = 'Large';
    item.options.push(size, toppings);
    const dumplings = newItemDraft();
    dumplings.name = '饺子';
    dumplings.price = '600';
    draft.items.push(item, dumplings);
    draft.specials.push(newSpecialDraft(dumplings.key, '2026-12-04'));
    draft.specials[0]!.quantity = '25';

    const menu = built(draft);

    expect(menu).toEqual({
      currency: 'JPY',
      items: [
        {
          id: 'ramen',
          name: 'Ramen',
          translations: { 'zh-CN': { name: '拉面' } },
          priceMinor: 1200,
          options: [
            { id: 'size', name: 'Size', min: 1, max: 1, choices: [{ id: 'large', name: 'Large', priceDeltaMinor: 200 }] },
            { id: 'toppings', name: 'Toppings', min: 0, max: 1, choices: [{ id: 'large-2', name: 'Large', priceDeltaMinor: 0 }] },
          ],
          available: true,
          soldOut: false,
        },
        { id: 'item', name: '饺子', priceMinor: 600, options: [], available: true, soldOut: false },
      ],
      specials: [{ itemId: 'item', date: '2026-12-04', quantity: 25 }],
    });
    expect(parseMenu(menu)).toEqual(menu);
  });

  it('names each unreadable field', () => {
    const draft = emptyMenuDraft('US');
    const item = newItemDraft();
    item.price = 'abc';
    item.descriptionZh = '牛肉';
    const group = newGroupDraft();
    group.min = 'one';
    group.max = '';
    group.choices = [];
    item.options.push(group);
    draft.items.push(item);
    const special = newSpecialDraft(item.key, '');
    special.quantity = '2.5';
    special.price = '1.999';
    draft.specials.push(special);

    const result = buildMenu(draft);

    expect(result).toEqual({
      ok: false,
      problems: [
        { field: 'currency', key: 'menu.check.currency' },
        { field: 'items.0.name', key: 'menu.check.required' },
        { field: 'items.0.priceMinor', key: 'menu.check.money', params: { example: '12.50' } },
        { field: 'items.0.translations.zh-CN.name', key: 'menu.check.required' },
        { field: 'items.0.options.0.name', key: 'menu.check.required' },
        { field: 'items.0.options.0.min', key: 'menu.check.count' },
        { field: 'items.0.options.0.max', key: 'menu.check.required' },
        { field: 'items.0.options.0.choices', key: 'menu.check.noChoices' },
        { field: 'specials.0.date', key: 'menu.check.required' },
        { field: 'specials.0.quantity', key: 'menu.check.count' },
        { field: 'specials.0.priceMinor', key: 'menu.check.decimals', params: { currency: 'US', digits: 2 } },
      ],
    });
  });

  it('names the decimals a currency allows', () => {
    const draft = emptyMenuDraft('JPY');
    const item = newItemDraft();
    item.name = 'Ramen';
    item.price = '980.5';
    const group = newGroupDraft();
    group.name = 'Size';
    group.choices[0]!.name = 'Large';
    group.choices[0]!.priceDelta = 'abc';
    item.options.push(group);
    draft.items.push(item);

    expect(buildMenu(draft)).toEqual({
      ok: false,
      problems: [
        { field: 'items.0.priceMinor', key: 'menu.check.noDecimals', params: { currency: 'JPY' } },
        { field: 'items.0.options.0.choices.0.priceDeltaMinor', key: 'menu.check.money', params: { example: '1250' } },
      ],
    });
  });

  it('requires the item of a special', () => {
    const draft = draftFromMenu(SAVED);
    draft.specials[0]!.itemKey = 'item-gone';
    expect(buildMenu(draft)).toEqual({ ok: false, problems: [{ field: 'specials.0.itemId', key: 'menu.check.required' }] });
  });

  it('leaves ranges to the server', () => {
    const draft = draftFromMenu(SAVED);
    draft.items[0]!.options[0]!.max = '5';
    const menu = built(draft);
    expect(menu.items[0]!.options[0]!.max).toBe(5);
    expect(() => parseMenu(menu)).toThrow('items.0.options.0.max');
  });
});

describe('special quantity', () => {
  it.each([['0'], ['10001']])('reports %s with the bounds', (quantity) => {
    const draft = draftFromMenu(SAVED);
    draft.specials[0]!.quantity = quantity;
    const built = buildMenu(draft);
    expect(built.ok).toBe(false);
    expect(built.ok ? [] : built.problems).toEqual([{ field: 'specials.0.quantity', key: 'menu.check.range', params: { min: 1, max: 10_000 } }]);
  });
});

describe('new rows', () => {
  it('get keys no other row has', () => {
    const keys = [newItemDraft().key, newItemDraft().key, newGroupDraft().key, newChoiceDraft().key, newSpecialDraft('x', '').key];
    expect(new Set(keys).size).toBe(keys.length);
  });
});
