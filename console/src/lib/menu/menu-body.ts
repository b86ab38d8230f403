import type { Choice, DailySpecial, Menu, MenuItem, OptionGroup, Translations } from '../../../../orders/menu.js';
import { minorUnitDigits } from '../campaigns/money.js';
import type { MessageKey, MessageParams } from '../messages/index.js';
import type { ChoiceDraft, GroupDraft, ItemDraft, MenuDraft, SpecialDraft } from './draft.js';
import { assignIds } from './menu-ids.js';
import { formatMoneyInput, parseCountInput, parseMoneyInput, type ParsedInput } from './money-input.js';

/** The server's bound on a special's daily quantity (MAX_SPECIAL_QUANTITY in orders/menu.ts, kept out of this bundle with its zod schema). */
const MAX_SPECIAL_QUANTITY = 10_000;

/**
 * Builds the body of `PUT /v1/admin/trucks/:id/menu` from the form, and finds what the form
 * can tell before sending: missing names, amounts and counts that do not read, and a
 * special's quantity outside 1 to 10,000. Other ranges, the min/max rules of option groups
 * and duplicate specials are left to the server, which names the field it rejects.
 */

/** A problem shown next to a field, named by its path in the PUT body (`items.2.priceMinor`). */
export type MenuProblem = { field: string; key: MessageKey; params?: MessageParams } | { field: string; serverMessage: string };

export type BuildResult = { ok: true; menu: Menu } | { ok: false; problems: MenuProblem[] };

const CURRENCY_CODE = /^[A-Z]{3}$/;

/** Builds the menu to save, or lists every problem the form shows before sending. */
export function buildMenu(draft: MenuDraft): BuildResult {
  const problems: MenuProblem[] = [];
  const currency = draft.currency.trim().toUpperCase();
  if (!CURRENCY_CODE.test(currency)) problems.push({ field: 'currency', key: 'menu.check.currency' });

  const reader = new FieldReader(currency, problems);
  const itemIds = assignIds(draft.items, 'item');
  const items = draft.items.map((item, index) => buildItem(item, itemIds[index]!, `items.${index}`, reader));

  const idOfItem = new Map(draft.items.map((item, index) => [item.key, itemIds[index]!]));
  const specials = draft.specials.map((special, index) => buildSpecial(special, idOfItem, `specials.${index}`, reader));

  if (problems.length > 0) return { ok: false, problems };
  return { ok: true, menu: { currency, items, specials } };
}

function buildItem(item: ItemDraft, id: string, path: string, reader: FieldReader): MenuItem {
  const built: MenuItem = {
    id,
    name: reader.name(item.name, `${path}.name`),
    priceMinor: reader.money(item.price, `${path}.priceMinor`, true),
    options: [],
    available: item.available,
    soldOut: item.soldOut,
  };
  const description = item.description.trim();
  if (description !== '') built.description = description;
  const translations = buildTranslations(item, `${path}.translations.zh-CN.name`, reader);
  if (translations) built.translations = translations;
  if (item.tags !== undefined) built.tags = item.tags;

  const groupIds = assignIds(item.options, 'group');
  // Order lines name choices without their group, so choice ids are unique across the item.
  const choiceIds = assignIds(
    item.options.flatMap((group) => group.choices),
    'choice',
  );
  let choiceIndex = 0;
  built.options = item.options.map((group, groupIndex) => {
    const ids = group.choices.map(() => choiceIds[choiceIndex++]!);
    return buildGroup(group, groupIds[groupIndex]!, ids, `${path}.options.${groupIndex}`, reader);
  });
  return built;
}

function buildGroup(group: GroupDraft, id: string, choiceIds: string[], path: string, reader: FieldReader): OptionGroup {
  const built: OptionGroup = {
    id,
    name: reader.name(group.name, `${path}.name`),
    min: reader.count(group.min, `${path}.min`),
    max: reader.count(group.max, `${path}.max`),
    choices: group.choices.map((choice, index) => buildChoice(choice, choiceIds[index]!, `${path}.choices.${index}`, reader)),
  };
  const translations = buildTranslations(group, `${path}.translations.zh-CN.name`, reader);
  if (translations) built.translations = translations;
  if (group.choices.length === 0) reader.report(`${path}.choices`, 'menu.check.noChoices');
  return built;
}

function buildChoice(choice: ChoiceDraft, id: string, path: string, reader: FieldReader): Choice {
  const built: Choice = {
    id,
    name: reader.name(choice.name, `${path}.name`),
    priceDeltaMinor: reader.money(choice.priceDelta, `${path}.priceDeltaMinor`, false) ?? 0,
  };
  const translations = buildTranslations(choice, `${path}.translations.zh-CN.name`, reader);
  if (translations) built.translations = translations;
  return built;
}

function buildSpecial(special: SpecialDraft, idOfItem: ReadonlyMap<string, string>, path: string, reader: FieldReader): DailySpecial {
  const itemId = idOfItem.get(special.itemKey);
  if (itemId === undefined) reader.report(`${path}.itemId`, 'menu.check.required');
  if (special.date === '') reader.report(`${path}.date`, 'menu.check.required');

  const built: DailySpecial = {
    itemId: itemId ?? '',
    date: special.date,
    quantity: reader.count(special.quantity, `${path}.quantity`, { min: 1, max: MAX_SPECIAL_QUANTITY }),
  };
  const priceMinor = reader.money(special.price, `${path}.priceMinor`, false);
  if (priceMinor !== undefined) built.priceMinor = priceMinor;
  return built;
}

/** Builds the zh-CN texts, or none when both are empty. A description needs a name, as the server requires. */
function buildTranslations(row: { nameZh: string; descriptionZh: string }, nameField: string, reader: FieldReader): Translations | undefined {
  const name = row.nameZh.trim();
  const description = row.descriptionZh.trim();
  if (name === '' && description === '') return undefined;
  if (name === '') reader.report(nameField, 'menu.check.required');
  return { 'zh-CN': description === '' ? { name } : { name, description } };
}

/** Reads text fields and records a problem for each that does not read; the returned value then only fills the shape. */
class FieldReader {
  readonly #currency: string;
  readonly #problems: MenuProblem[];

  constructor(currency: string, problems: MenuProblem[]) {
    this.#currency = currency;
    this.#problems = problems;
  }

  report(field: string, key: MessageKey, params?: MessageParams): void {
    this.#problems.push(params ? { field, key, params } : { field, key });
  }

  name(text: string, field: string): string {
    const name = text.trim();
    if (name === '') this.report(field, 'menu.check.required');
    return name;
  }

  /** Reads an amount; an empty optional one is undefined. */
  money(text: string, field: string, required: true): number;
  money(text: string, field: string, required: false): number | undefined;
  money(text: string, field: string, required: boolean): number | undefined {
    const parsed = parseMoneyInput(text, this.#currency);
    if (!parsed.ok && parsed.problem === 'empty' && !required) return undefined;
    return this.#valueOf(parsed, field);
  }

  /** Reads a whole number; with `range`, one outside it is reported with the bounds the server checks. */
  count(text: string, field: string, range?: { min: number; max: number }): number {
    const parsed = parseCountInput(text);
    const value = this.#valueOf(parsed, field, 'menu.check.count');
    if (range && parsed.ok && (value < range.min || value > range.max)) this.report(field, 'menu.check.range', range);
    return value;
  }

  #valueOf(parsed: ParsedInput, field: string, invalidKey?: MessageKey): number {
    if (parsed.ok) return parsed.value;
    if (parsed.problem === 'empty') {
      this.report(field, 'menu.check.required');
    } else if (invalidKey) {
      this.report(field, invalidKey);
    } else {
      this.#reportMoney(parsed.problem, field);
    }
    return 0;
  }

  #reportMoney(problem: 'invalid' | 'decimals', field: string): void {
    const digits = minorUnitDigits(this.#currency);
    if (problem === 'invalid') {
      // An example in the currency's own format: "12.50" for USD, "1250" for JPY.
      this.report(field, 'menu.check.money', { example: formatMoneyInput(1250 * 10 ** Math.max(0, digits - 2), this.#currency) });
    } else if (digits === 0) {
      this.report(field, 'menu.check.noDecimals', { currency: this.#currency });
    } else {
      this.report(field, 'menu.check.decimals', { currency: this.#currency, digits });
    }
  }
}
