import type { MenuDraft } from './draft.js';
import { parseCountInput, parseMoneyInput } from './money-input.js';

/**
 * Returns a text that two drafts share when saving either would store the same menu, so
 * the editor can tell whether there are unsaved changes. Row keys are left out, amounts
 * and counts compare by value ("4.5" and "4.50" are equal), and texts compare trimmed,
 * as the server trims them.
 */
export function draftSignature(draft: MenuDraft): string {
  const currency = draft.currency.trim().toUpperCase();
  const money = (text: string) => {
    const parsed = parseMoneyInput(text, currency);
    return parsed.ok ? parsed.value : text.trim();
  };
  const count = (text: string) => {
    const parsed = parseCountInput(text);
    return parsed.ok ? parsed.value : text.trim();
  };
  const itemIndex = new Map(draft.items.map((item, index) => [item.key, index]));

  return JSON.stringify({
    currency,
    items: draft.items.map((item) => ({
      id: item.id,
      texts: [item.name, item.nameZh, item.description, item.descriptionZh].map((text) => text.trim()),
      price: money(item.price),
      available: item.available,
      soldOut: item.soldOut,
      tags: item.tags ?? null,
      options: item.options.map((group) => ({
        id: group.id,
        texts: [group.name, group.nameZh, group.descriptionZh].map((text) => text.trim()),
        min: count(group.min),
        max: count(group.max),
        choices: group.choices.map((choice) => ({
          id: choice.id,
          texts: [choice.name, choice.nameZh, choice.descriptionZh].map((text) => text.trim()),
          // A choice saved as free comes back with an empty delta, the same as "0".
          priceDelta: choice.priceDelta.trim() === '' ? 0 : money(choice.priceDelta),
        })),
      })),
    })),
    specials: draft.specials.map((special) => ({
      item: itemIndex.get(special.itemKey) ?? null,
      date: special.date,
      quantity: count(special.quantity),
      price: money(special.price),
    })),
  });
}
