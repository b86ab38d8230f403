import { newChoiceDraft, newGroupDraft, newItemDraft, newSpecialDraft, type MenuDraft, type SpecialDraft } from './draft.js';

/**
 * Row edits of the menu form. Each one changes the draft in place, as the editor's
 * reactive draft expects, and ignores an index out of range.
 */

export function addItem(draft: MenuDraft): void {
  draft.items.push(newItemDraft());
}

/** Moves the item at `index` one place up (-1) or down (+1); nothing at either end. */
export function moveItem(draft: MenuDraft, index: number, offset: -1 | 1): void {
  const target = index + offset;
  if (index < 0 || index >= draft.items.length || target < 0 || target >= draft.items.length) return;
  const [item] = draft.items.splice(index, 1);
  draft.items.splice(target, 0, item!);
}

/** Removes an item with its specials, which the server would reject once their item is gone. */
export function removeItem(draft: MenuDraft, index: number): void {
  const [removed] = draft.items.splice(index, 1);
  if (!removed) return;
  draft.specials = draft.specials.filter((special) => special.itemKey !== removed.key);
}

export function addGroup(draft: MenuDraft, itemIndex: number): void {
  draft.items[itemIndex]?.options.push(newGroupDraft());
}

export function removeGroup(draft: MenuDraft, itemIndex: number, groupIndex: number): void {
  draft.items[itemIndex]?.options.splice(groupIndex, 1);
}

export function addChoice(draft: MenuDraft, itemIndex: number, groupIndex: number): void {
  draft.items[itemIndex]?.options[groupIndex]?.choices.push(newChoiceDraft());
}

export function removeChoice(draft: MenuDraft, itemIndex: number, groupIndex: number, choiceIndex: number): void {
  draft.items[itemIndex]?.options[groupIndex]?.choices.splice(choiceIndex, 1);
}

/** Adds a special on `date` for the first item, or does nothing on a menu without items. */
export function addSpecial(draft: MenuDraft, date: string): void {
  const first = draft.items[0];
  if (first) draft.specials.push(newSpecialDraft(first.key, date));
}

/** Removes a special by key: the form lists only some of them, so its position there is not its index. */
export function removeSpecial(draft: MenuDraft, key: string): void {
  draft.specials = draft.specials.filter((special) => special.key !== key);
}

/** A special with its index in `draft.specials`, the index of its field paths. */
export interface IndexedSpecial {
  index: number;
  special: SpecialDraft;
}

/**
 * Returns the keys of the specials before `today`. The form hides them, as they no longer
 * change what sells, but the menu keeps them. The editor takes them once per loaded
 * draft, so a special whose date is being edited does not vanish mid-edit.
 */
export function pastSpecialKeys(draft: MenuDraft, today: string): Set<string> {
  return new Set(draft.specials.flatMap((special) => (special.date !== '' && special.date < today ? [special.key] : [])));
}

/** Lists the specials the form shows, all but `hidden`, in the draft's order. */
export function shownSpecials(draft: MenuDraft, hidden: ReadonlySet<string>): IndexedSpecial[] {
  return draft.specials.flatMap((special, index) => (hidden.has(special.key) ? [] : [{ index, special }]));
}
