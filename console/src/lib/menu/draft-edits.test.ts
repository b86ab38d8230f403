import { describe, expect, it } from 'vitest';
import { newItemDraft, newSpecialDraft, type MenuDraft } from './draft.js';
import {
  addChoice,
  addGroup,
  addItem,
  addSpecial,
  moveItem,
  pastSpecialKeys,
  removeChoice,
  removeGroup,
  removeItem,
  removeSpecial,
  shownSpecials,
} from './draft-edits.js';

function draftWithItems(...names: string[]): MenuDraft {
  const items = names.map((name) => ({ ...newItemDraft(), name }));
  return { currency: 'USD', items, specials: [] };
}

const names = (draft: MenuDraft) => draft.items.map((item) => item.name);

describe('item rows', () => {
  it('adds an empty item at the end', () => {
    const draft = draftWithItems('Burger');
    addItem(draft);
    expect(names(draft)).toEqual(['Burger', '']);
    expect(draft.items[1]).toMatchObject({ id: '', price: '', available: true, soldOut: false, options: [] });
  });

  it('moves an item up and down', () => {
    const draft = draftWithItems('A', 'B', 'C');
    moveItem(draft, 2, -1);
    expect(names(draft)).toEqual(['A', 'C', 'B']);
    moveItem(draft, 0, 1);
    expect(names(draft)).toEqual(['C', 'A', 'B']);
  });

  it('does not move past either end', () => {
    const draft = draftWithItems('A', 'B');
    moveItem(draft, 0, -1);
    moveItem(draft, 1, 1);
    moveItem(draft, 5, -1);
    expect(names(draft)).toEqual(['A', 'B']);
  });

  it('removes an item with its specials', () => {
    const draft = draftWithItems('A', 'B');
    const [a, b] = draft.items as [MenuDraft['items'][number], MenuDraft['items'][number]];
    draft.specials.push(newSpecialDraft(a.key, '2026-12-04'), newSpecialDraft(b.key, '2026-12-04'), newSpecialDraft(a.key, '2026-12-05'));
    removeItem(draft, 0);
    expect(names(draft)).toEqual(['B']);
    expect(draft.specials.map((special) => special.itemKey)).toEqual([b.key]);
  });

  it('ignores removing an item out of range', () => {
    const draft = draftWithItems('A');
    removeItem(draft, 3);
    expect(names(draft)).toEqual(['A']);
  });
});

describe('group and choice rows', () => {
  it('adds a required group of one choice', () => {
    const draft = draftWithItems('A');
    addGroup(draft, 0);
    expect(draft.items[0]!.options).toHaveLength(1);
    expect(draft.items[0]!.options[0]).toMatchObject({ id: '', name: '', min: '1', max: '1' });
    expect(draft.items[0]!.options[0]!.choices).toHaveLength(1);
  });

  it('adds and removes choices', () => {
    const draft = draftWithItems('A');
    addGroup(draft, 0);
    addChoice(draft, 0, 0);
    addChoice(draft, 0, 0);
    const group = draft.items[0]!.options[0]!;
    group.choices.forEach((choice, index) => (choice.name = `c${index}`));
    removeChoice(draft, 0, 0, 1);
    expect(group.choices.map((choice) => choice.name)).toEqual(['c0', 'c2']);
  });

  it('removes a group', () => {
    const draft = draftWithItems('A');
    addGroup(draft, 0);
    addGroup(draft, 0);
    draft.items[0]!.options[1]!.name = 'second';
    removeGroup(draft, 0, 0);
    expect(draft.items[0]!.options.map((group) => group.name)).toEqual(['second']);
  });

  it('ignores rows of an item out of range', () => {
    const draft = draftWithItems('A');
    addGroup(draft, 4);
    addChoice(draft, 0, 4);
    expect(draft.items[0]!.options).toEqual([]);
  });
});

describe('special rows', () => {
  it('adds a special for the first item on the date given', () => {
    const draft = draftWithItems('A', 'B');
    addSpecial(draft, '2026-12-04');
    expect(draft.specials).toHaveLength(1);
    expect(draft.specials[0]).toMatchObject({ itemKey: draft.items[0]!.key, date: '2026-12-04', quantity: '', price: '' });
  });

  it('adds no special to a menu without items', () => {
    const draft = draftWithItems();
    addSpecial(draft, '2026-12-04');
    expect(draft.specials).toEqual([]);
  });

  it('removes a special by key', () => {
    const draft = draftWithItems('A');
    addSpecial(draft, '2026-12-04');
    addSpecial(draft, '2026-12-05');
    removeSpecial(draft, draft.specials[0]!.key);
    expect(draft.specials.map((special) => special.date)).toEqual(['2026-12-05']);
  });

  it('hides past specials, keeps indices', () => {
    const draft = draftWithItems('A');
    for (const date of ['2026-12-03', '2026-12-04', '', '2026-11-30', '2027-01-01']) addSpecial(draft, date);
    const hidden = pastSpecialKeys(draft, '2026-12-04');
    expect(hidden).toEqual(new Set([draft.specials[0]!.key, draft.specials[3]!.key]));

    const shown = shownSpecials(draft, hidden);
    expect(shown.map(({ index, special }) => [index, special.date])).toEqual([
      [1, '2026-12-04'],
      [2, ''],
      [4, '2027-01-01'],
    ]);
  });
});
