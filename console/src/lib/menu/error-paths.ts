import type { MenuDraft } from './draft.js';

/**
 * Places the server's rejections on the form. A 400 reply names the field by its path in
 * the PUT body (`items.2.priceMinor`, `specials.0.date`), and the form's controls use the
 * same paths, so most map to themselves. Ids are derived from names, so an id error shows
 * at the name.
 */

const ITEM = String.raw`items\.(\d+)`;
const GROUP = String.raw`${ITEM}\.options\.(\d+)`;
const CHOICE = String.raw`${GROUP}\.choices\.(\d+)`;
const ZH_NAME = String.raw`translations\.zh-CN\.name`;

/** The paths that have a control, or a spot for a list's problems, on the form. */
const ITEM_FIELD = new RegExp(String.raw`^${ITEM}\.(?:name|description|priceMinor|available|soldOut|options|${ZH_NAME}|translations\.zh-CN\.description)$`);
const GROUP_FIELD = new RegExp(String.raw`^${GROUP}\.(?:name|min|max|choices|${ZH_NAME})$`);
const CHOICE_FIELD = new RegExp(String.raw`^${CHOICE}\.(?:name|priceDeltaMinor|${ZH_NAME})$`);
const SPECIAL_FIELD = /^specials\.(\d+)\.(?:itemId|date|quantity|priceMinor)$/;
const LIST_FIELDS = new Set(['currency', 'items', 'specials']);

/**
 * Returns the form field that shows an error on `path`, or null when the form has no
 * control for it (an unknown key, the tags, a hidden past special), so the editor shows the
 * message above the form instead.
 */
export function formFieldOf(path: string, draft: MenuDraft, hiddenSpecials: ReadonlySet<string>): string | null {
  const field = path
    .replace(new RegExp(String.raw`^((?:${CHOICE})|(?:${GROUP})|(?:${ITEM}))\.id$`), '$1.name')
    .replace(/\.translations(?:\.zh-CN)?$/, '.translations.zh-CN.name');
  return isFieldOnForm(field, draft, hiddenSpecials) ? field : null;
}

/** Returns whether the form shows a control, or a list's problem spot, for `field` with the draft as it is. */
export function isFieldOnForm(field: string, draft: MenuDraft, hiddenSpecials: ReadonlySet<string>): boolean {
  if (LIST_FIELDS.has(field)) return true;

  const special = SPECIAL_FIELD.exec(field);
  if (special) {
    const key = draft.specials[Number(special[1])]?.key;
    return key !== undefined && !hiddenSpecials.has(key);
  }

  const indices = (CHOICE_FIELD.exec(field) ?? GROUP_FIELD.exec(field) ?? ITEM_FIELD.exec(field))?.slice(1).map(Number);
  if (!indices) return false;
  const [itemIndex, groupIndex, choiceIndex] = indices as [number, number | undefined, number | undefined];
  const item = draft.items[itemIndex];
  if (!item || groupIndex === undefined) return item !== undefined;
  const group = item.options[groupIndex];
  if (!group || choiceIndex === undefined) return group !== undefined;
  return group.choices[choiceIndex] !== undefined;
}
