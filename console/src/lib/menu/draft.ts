import type { Choice, DailySpecial, Menu, MenuItem, OptionGroup, Translations } from '../../../../orders/menu.js';
import { formatMoneyInput } from './money-input.js';

/**
 * The menu editor's form model. Amounts and counts are the text in their inputs, read
 * when the menu is built for saving, so a half-typed price never changes what is shown.
 * Every row has a `key` that stays put while rows are added, moved and removed, for keyed
 * lists and for specials, which point at their item before it has an id.
 */

/** Currency of a truck's first menu. */
export const DEFAULT_CURRENCY = 'USD';

export interface ChoiceDraft {
  key: string;
  /** Empty until the menu is saved with this choice; `buildMenu` then derives one from the name. */
  id: string;
  name: string;
  nameZh: string;
  /** Kept from the saved menu, which the form does not show for choices. */
  descriptionZh: string;
  /** Added to the item's price, in major units; empty means free. */
  priceDelta: string;
}

export interface GroupDraft {
  key: string;
  id: string;
  name: string;
  nameZh: string;
  descriptionZh: string;
  min: string;
  max: string;
  choices: ChoiceDraft[];
}

export interface ItemDraft {
  key: string;
  id: string;
  name: string;
  nameZh: string;
  description: string;
  descriptionZh: string;
  /** Price in major units of the menu's currency. */
  price: string;
  available: boolean;
  soldOut: boolean;
  options: GroupDraft[];
  /** Kept from the saved menu, which the form does not edit. */
  tags: string[] | undefined;
}

export interface SpecialDraft {
  key: string;
  /** Key of the item on special. */
  itemKey: string;
  /** Local date YYYY-MM-DD, as a date input gives it. */
  date: string;
  quantity: string;
  /** Special price in major units; empty keeps the item's price. */
  price: string;
}

export interface MenuDraft {
  currency: string;
  items: ItemDraft[];
  specials: SpecialDraft[];
}

let lastKey = 0;

/** Returns a key no other row of this page has. */
function nextKey(kind: string): string {
  lastKey += 1;
  return `${kind}-${lastKey}`;
}

export function emptyMenuDraft(currency = DEFAULT_CURRENCY): MenuDraft {
  return { currency, items: [], specials: [] };
}

export function newItemDraft(): ItemDraft {
  return {
    key: nextKey('item'),
    id: '',
    name: '',
    nameZh: '',
    description: '',
    descriptionZh: '',
    price: '',
    available: true,
    soldOut: false,
    options: [],
    tags: undefined,
  };
}

/** Creates a group of one required choice, the most common kind ("Size", "Spice level"). */
export function newGroupDraft(): GroupDraft {
  return { key: nextKey('group'), id: '', name: '', nameZh: '', descriptionZh: '', min: '1', max: '1', choices: [newChoiceDraft()] };
}

export function newChoiceDraft(): ChoiceDraft {
  return { key: nextKey('choice'), id: '', name: '', nameZh: '', descriptionZh: '', priceDelta: '' };
}

export function newSpecialDraft(itemKey: string, date: string): SpecialDraft {
  return { key: nextKey('special'), itemKey, date, quantity: '', price: '' };
}

/** Converts a saved menu to the form model. */
export function draftFromMenu(menu: Menu): MenuDraft {
  const { currency } = menu;
  const items = menu.items.map((item) => itemDraftFrom(item, currency));
  const keyOfItem = new Map(items.map((item) => [item.id, item.key]));
  const specials = menu.specials.map((special) => specialDraftFrom(special, keyOfItem.get(special.itemId) ?? '', currency));
  return { currency, items, specials };
}

function itemDraftFrom(item: MenuItem, currency: string): ItemDraft {
  return {
    key: nextKey('item'),
    id: item.id,
    name: item.name,
    ...translatedDraft(item.translations),
    description: item.description ?? '',
    price: formatMoneyInput(item.priceMinor, currency),
    available: item.available,
    soldOut: item.soldOut,
    options: item.options.map((group) => groupDraftFrom(group, currency)),
    tags: item.tags,
  };
}

function groupDraftFrom(group: OptionGroup, currency: string): GroupDraft {
  return {
    key: nextKey('group'),
    id: group.id,
    name: group.name,
    ...translatedDraft(group.translations),
    min: String(group.min),
    max: String(group.max),
    choices: group.choices.map((choice) => choiceDraftFrom(choice, currency)),
  };
}

function choiceDraftFrom(choice: Choice, currency: string): ChoiceDraft {
  return {
    key: nextKey('choice'),
    id: choice.id,
    name: choice.name,
    ...translatedDraft(choice.translations),
    priceDelta: choice.priceDeltaMinor === 0 ? '' : formatMoneyInput(choice.priceDeltaMinor, currency),
  };
}

function specialDraftFrom(special: DailySpecial, itemKey: string, currency: string): SpecialDraft {
  return {
    key: nextKey('special'),
    itemKey,
    date: special.date,
    quantity: String(special.quantity),
    price: special.priceMinor === undefined ? '' : formatMoneyInput(special.priceMinor, currency),
  };
}

function translatedDraft(translations: Translations | undefined): { nameZh: string; descriptionZh: string } {
  const zh = translations?.['zh-CN'];
  return { nameZh: zh?.name ?? '', descriptionZh: zh?.description ?? '' };
}
