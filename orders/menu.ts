import { z } from 'zod';
import { invalidInput } from '../common/errors.js';
import { parseInput } from '../common/validation.js';
import { currencySchema } from './money.js';

/**
 * A truck's menu and what the customer's phone shows of it. Prices are integers in the
 * minor unit of the menu's one currency. Pure and browser-safe.
 */

/**
 * Largest price or price delta accepted, in minor units: ten million US dollars in
 * cents, far above any food-truck item in any currency, so a larger value is a unit
 * mistake. With the cart limits it keeps every order total a safe integer.
 */
export const MAX_PRICE_MINOR = 1_000_000_000;

/** Maximum daily quantity of a special. A food truck sells hundreds of an item a day, not tens of thousands. */
export const MAX_SPECIAL_QUANTITY = 10_000;

const MAX_ITEMS = 500;
const MAX_GROUPS_PER_ITEM = 20;
const MAX_CHOICES_PER_GROUP = 50;
const MAX_SPECIALS = 1_000;

const LOCAL_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Returns whether `value` is a real calendar date written YYYY-MM-DD. */
export function isLocalDate(value: unknown): value is string {
  if (typeof value !== 'string') return false;
  const match = LOCAL_DATE.exec(value);
  if (!match) return false;

  const [year, month, day] = match.slice(1).map(Number) as [number, number, number];
  const date = new Date(Date.UTC(year, month - 1, day));
  return year >= 2000 && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

/** Throws `invalid_input` naming `field` unless `value` is a local date such as "2026-12-05". */
export function assertLocalDate(field: string, value: unknown): asserts value is string {
  if (!isLocalDate(value)) throw invalidInput(field, value, 'a local date like "2026-12-05", in the year 2000 or later');
}

export const localDateSchema = z.string().refine(isLocalDate, 'expected a local date like "2026-12-05", in the year 2000 or later');

/** Menu ids appear in URLs and order lines, so they are short and need no escaping. */
const idSchema = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/, 'expected an id of 1 to 64 letters, digits, "_", "." or "-", starting with a letter or digit');

const nameSchema = z.string().trim().min(1).max(120);
const descriptionSchema = z.string().trim().min(1).max(1_000);
const priceSchema = z
  .number()
  .min(0)
  .max(MAX_PRICE_MINOR)
  .int('expected an integer amount in minor units (cents)');

/** Texts in Simplified Chinese. The English texts are the item's own `name` and `description`. */
const translationsSchema = z
  .object({
    'zh-CN': z.object({ name: nameSchema, description: descriptionSchema.optional() }).strict().optional(),
  })
  .strict();

/**
 * A choice adds to the item's price and never subtracts, so the item's own price is its
 * lowest and a free-item discount can rely on it.
 */
const choiceSchema = z
  .object({
    id: idSchema,
    name: nameSchema,
    translations: translationsSchema.optional(),
    priceDeltaMinor: priceSchema,
  })
  .strict();

const optionGroupSchema = z
  .object({
    id: idSchema,
    name: nameSchema,
    translations: translationsSchema.optional(),
    /** Minimum number of choices the customer picks in this group. 0 makes the group optional. */
    min: z.number().int().min(0).max(MAX_CHOICES_PER_GROUP),
    /** Maximum number of choices the customer may pick in this group. */
    max: z.number().int().min(1).max(MAX_CHOICES_PER_GROUP),
    choices: z.array(choiceSchema).min(1).max(MAX_CHOICES_PER_GROUP),
  })
  .strict()
  .superRefine((group, ctx) => {
    if (group.min > group.max) {
      ctx.addIssue({ code: 'custom', path: ['min'], message: `expected at most max (${group.max})` });
    }
    if (group.max > group.choices.length) {
      ctx.addIssue({ code: 'custom', path: ['max'], message: `expected at most the number of choices (${group.choices.length})` });
    }
  });

const tagSchema = z.string().trim().min(1).max(40);

const menuItemSchema = z
  .object({
    id: idSchema,
    name: nameSchema,
    description: descriptionSchema.optional(),
    translations: translationsSchema.optional(),
    /** Price before choices, in minor units of the menu's currency. */
    priceMinor: priceSchema,
    options: z.array(optionGroupSchema).max(MAX_GROUPS_PER_ITEM).default([]),
    /** False hides the item from the phone, e.g. a winter dish in summer. */
    available: z.boolean(),
    /** True shows the item as sold out for now, so the phone lists it but it cannot be ordered. */
    soldOut: z.boolean(),
    tags: z.array(tagSchema).max(20).optional(),
  })
  .strict()
  .superRefine((item, ctx) => {
    // An order line lists choice ids without their group, so they are unique across the item's groups.
    const groupIds = new Set<string>();
    const choiceIds = new Set<string>();
    item.options.forEach((group, groupIndex) => {
      if (groupIds.has(group.id)) {
        ctx.addIssue({ code: 'custom', path: ['options', groupIndex, 'id'], message: `expected an option group id unique within item ${item.id}` });
      }
      groupIds.add(group.id);

      group.choices.forEach((choice, choiceIndex) => {
        if (choiceIds.has(choice.id)) {
          ctx.addIssue({
            code: 'custom',
            path: ['options', groupIndex, 'choices', choiceIndex, 'id'],
            message: `expected a choice id unique across all option groups of item ${item.id}`,
          });
        }
        choiceIds.add(choice.id);
      });
    });
  });

/**
 * A limited run of an item on one local day. While the day has a special for an item,
 * the item sells at most `quantity` times that day, at `priceMinor` when it is set, and
 * shows as sold out once they are gone.
 */
const dailySpecialSchema = z
  .object({
    itemId: idSchema,
    date: localDateSchema,
    quantity: z.number().int().min(1).max(MAX_SPECIAL_QUANTITY),
    priceMinor: priceSchema.optional(),
  })
  .strict();

export const menuSchema = z
  .object({
    currency: currencySchema,
    items: z.array(menuItemSchema).max(MAX_ITEMS),
    specials: z.array(dailySpecialSchema).max(MAX_SPECIALS).default([]),
  })
  .strict()
  .superRefine((menu, ctx) => {
    const itemIds = new Set<string>();
    menu.items.forEach((item, index) => {
      if (itemIds.has(item.id)) ctx.addIssue({ code: 'custom', path: ['items', index, 'id'], message: 'expected an item id unique within the menu' });
      itemIds.add(item.id);
    });

    const specialDays = new Set<string>();
    menu.specials.forEach((special, index) => {
      if (!itemIds.has(special.itemId)) {
        ctx.addIssue({ code: 'custom', path: ['specials', index, 'itemId'], message: 'expected the id of an item on this menu' });
      }
      const key = `${special.itemId} ${special.date}`;
      if (specialDays.has(key)) {
        ctx.addIssue({ code: 'custom', path: ['specials', index, 'date'], message: `expected one special per day for item ${special.itemId}` });
      }
      specialDays.add(key);
    });
  });

export type Menu = z.infer<typeof menuSchema>;
export type MenuItem = Menu['items'][number];
export type OptionGroup = MenuItem['options'][number];
export type Choice = OptionGroup['choices'][number];
export type DailySpecial = Menu['specials'][number];
export type Translations = NonNullable<MenuItem['translations']>;

/**
 * Parses a menu as the admin sends it.
 *
 * @throws invalid_input naming the first offending field (e.g. `items.2.priceMinor`) and its value
 */
export function parseMenu(input: unknown, prefix = ''): Menu {
  return parseInput(menuSchema, input, prefix);
}

/** Returns the specials of `localDate` by item id. */
export function specialsOn(menu: Menu, localDate: string): Map<string, DailySpecial> {
  assertLocalDate('localDate', localDate);
  const specials = new Map<string, DailySpecial>();
  for (const special of menu.specials) {
    if (special.date === localDate) specials.set(special.itemId, special);
  }
  return specials;
}

/**
 * Checks the counts of today's specials already sold, by item id.
 *
 * @throws invalid_input naming `specialsSold.<itemId>` for a count that is not an integer of at least 0
 */
export function assertSpecialsSold(specialsSold: Readonly<Record<string, number>>): void {
  for (const [itemId, sold] of Object.entries(specialsSold)) {
    if (!Number.isSafeInteger(sold) || sold < 0) throw invalidInput(`specialsSold.${itemId}`, sold, 'a count of at least 0');
  }
}

/** Returns how many of a special are left, never below 0: the store may have sold past a quantity the admin lowered. */
export function specialRemaining(special: DailySpecial, specialsSold: Readonly<Record<string, number>>): number {
  // Own keys only: an item id such as "constructor" must not read Object.prototype.
  const sold = Object.hasOwn(specialsSold, special.itemId) ? specialsSold[special.itemId]! : 0;
  return Math.max(0, special.quantity - sold);
}

export interface PublishedSpecial {
  quantity: number;
  /** Units left today, present when the sold counts were given. */
  remaining?: number;
}

/** An item as the phone shows it. */
export interface PublishedItem {
  id: string;
  name: string;
  description?: string;
  translations?: Translations;
  tags: string[];
  /** Price before choices today: the special's price when today's special sets one. */
  priceMinor: number;
  /** The usual price, present only when today's special changes it. */
  regularPriceMinor?: number;
  options: OptionGroup[];
  /** True when the admin marked the item sold out or today's special has none left. */
  soldOut: boolean;
  special?: PublishedSpecial;
}

export interface PublishedMenu {
  currency: string;
  date: string;
  items: PublishedItem[];
}

/**
 * Returns the menu as the customer's phone shows it on `localDate`: unavailable items
 * hidden, sold-out items flagged, and today's specials with their price and, when
 * `specialsSold` is given, how many are left. Items keep the menu's order.
 *
 * @throws invalid_input for a malformed `localDate` or sold count
 */
export function publishedMenu(menu: Menu, localDate: string, specialsSold?: Readonly<Record<string, number>>): PublishedMenu {
  const specials = specialsOn(menu, localDate);
  if (specialsSold) assertSpecialsSold(specialsSold);

  const items: PublishedItem[] = [];
  for (const item of menu.items) {
    if (!item.available) continue;

    const published: PublishedItem = {
      id: item.id,
      name: item.name,
      tags: item.tags ?? [],
      priceMinor: item.priceMinor,
      options: item.options,
      soldOut: item.soldOut,
    };
    if (item.description !== undefined) published.description = item.description;
    if (item.translations !== undefined) published.translations = item.translations;

    const special = specials.get(item.id);
    if (special) {
      published.special = { quantity: special.quantity };
      if (special.priceMinor !== undefined && special.priceMinor !== item.priceMinor) {
        published.priceMinor = special.priceMinor;
        published.regularPriceMinor = item.priceMinor;
      }
      if (specialsSold) {
        const remaining = specialRemaining(special, specialsSold);
        published.special.remaining = remaining;
        if (remaining === 0) published.soldOut = true;
      }
    }
    items.push(published);
  }

  return { currency: menu.currency, date: localDate, items };
}
