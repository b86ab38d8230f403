import { assertLocalDate, type Menu, type MenuItem } from '../orders/menu.js';

/**
 * Demo menus built from the FoodItems text of the San Francisco permit file, such as
 * "Tacos: Burritos: Quesadillas". Pure: the demo command publishes what this returns.
 *
 * The permit file lists what a truck sells but never a price, so every price here is
 * made up from the keyword table below. They only give the demo's order page something
 * to show and are not real prices.
 */

/** Items kept per truck. Some permits list twenty foods, more than a phone screen shows at a glance. */
export const MAX_DEMO_ITEMS = 12;

/** Name of the one item of a truck whose permit lists no food. */
export const FALLBACK_ITEM_NAME = 'Daily plate';

/** Percent taken off the daily special's price. */
export const SPECIAL_DISCOUNT_PERCENT = 20;

/** Units of the daily special sold per day. */
export const SPECIAL_QUANTITY = 20;

/** Made-up price of a food that no row of the price table matches, in US cents. */
export const DEFAULT_PRICE_MINOR = 800;

/** Made-up prices run in steps of 50 cents, as a truck's price board does. */
const PRICE_STEP_MINOR = 50;

/**
 * Made-up price ranges in US cents by keyword. The first row whose pattern matches a
 * word of the item's name wins, so "Taco burrito plate" sells at the taco price.
 */
export const PRICE_TABLE: ReadonlyArray<{ label: string; pattern: RegExp; minMinor: number; maxMinor: number }> = [
  {
    label: 'drinks and coffee',
    pattern: /\b(drinks?|beverages?|coffee|espresso|teas?|sodas?|juices?|smoothies?|shakes?|horchata|lemonade)\b/i,
    minMinor: 300,
    maxMinor: 450,
  },
  { label: 'tacos and hot dogs', pattern: /\b(tacos?|hot ?dogs?)\b/i, minMinor: 450, maxMinor: 650 },
  { label: 'plates, burritos and sandwiches', pattern: /\b(plates?|burritos?|sandwich(es)?|tortas?|bowls?)\b/i, minMinor: 900, maxMinor: 1300 },
];

/**
 * Separators between foods in the FoodItems column: ":" in most rows, ";" and "," in
 * some, and the word "and" or "&". Real rows also use "/" ("Sandwiches/Sliders") and
 * write sentences ("rice plates. Various beverages."), so "/" and "." split too.
 */
const FOOD_SEPARATOR = /[:;,./&]|\band\b/i;

/** A parenthesised aside lists the parts of the food before it, as in "nachos (refried beans: cheese sauce)". */
const ASIDE = /\([^()]*\)/g;

/** Maximum length of an item name that the menu schema accepts. */
const MAX_NAME_CHARS = 120;

/** Maximum length of an item id that the menu schema accepts. */
const MAX_ID_CHARS = 64;

/**
 * Splits a permit's FoodItems text into item names: trimmed, with the first letter in
 * capitals, without empty parts and without repeats (compared case-insensitively), in
 * the order the permit lists them. Returns at most `max` names.
 */
export function splitFoodItems(foodItems: string, max = MAX_DEMO_ITEMS): string[] {
  const names: string[] = [];
  const seen = new Set<string>();

  for (const part of foodItems.replace(ASIDE, ' ').split(FOOD_SEPARATOR)) {
    const name = cleanName(part);
    if (name === '') continue;

    const key = name.toLowerCase();
    if (seen.has(key)) continue;
    seen.add(key);
    names.push(name);
    if (names.length === max) break;
  }
  return names;
}

function cleanName(part: string): string {
  // Dashes, quotes and a stray bracket of an unclosed aside are not part of a food's name.
  const trimmed = part
    .replace(/\s+/g, ' ')
    .replace(/^[\s\-–—"'()]+|[\s\-–—"'()]+$/g, '')
    .slice(0, MAX_NAME_CHARS)
    .trim();
  if (trimmed === '') return '';
  return trimmed[0]!.toUpperCase() + trimmed.slice(1);
}

/**
 * Returns an id for `name` that is not in `usedIds` and adds it there: the name in lower
 * case ASCII with "-" between words, followed by "-2", "-3" and so on when an earlier
 * item uses it. A name with no ASCII letter or digit becomes "item".
 */
export function slugId(name: string, usedIds: Set<string>): string {
  // NFKD splits "é" into "e" and a combining accent (a Unicode mark), which the next step drops.
  const base =
    name
      .normalize('NFKD')
      .replace(/\p{M}/gu, '')
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '')
      // Room for a "-NN" suffix within the schema's limit.
      .slice(0, MAX_ID_CHARS - 4)
      .replace(/-+$/, '') || 'item';

  let id = base;
  for (let suffix = 2; usedIds.has(id); suffix++) id = `${base}-${suffix}`;
  usedIds.add(id);
  return id;
}

/**
 * Returns a made-up price in US cents for a food named `name`, or DEFAULT_PRICE_MINOR
 * when no PRICE_TABLE row matches. A hash of the name picks the step within the first
 * matching range, so a name keeps its price from one run to the next.
 */
export function demoPriceMinor(name: string): number {
  const row = PRICE_TABLE.find((candidate) => candidate.pattern.test(name));
  if (row === undefined) return DEFAULT_PRICE_MINOR;

  const steps = (row.maxMinor - row.minMinor) / PRICE_STEP_MINOR + 1;
  return row.minMinor + (fnv1a(name.toLowerCase()) % steps) * PRICE_STEP_MINOR;
}

/** 32-bit FNV-1a hash of the UTF-16 code units of `text`: small, stable and spread well enough to pick a price step. */
function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let index = 0; index < text.length; index++) {
    hash ^= text.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash;
}

/**
 * Builds a demo menu in USD from a permit's FoodItems text: one available item per food
 * (at most MAX_DEMO_ITEMS), or one "Daily plate" when the text names none, and one daily
 * special on `localDate`: the first item, SPECIAL_DISCOUNT_PERCENT off, SPECIAL_QUANTITY units.
 *
 * @throws invalid_input naming `localDate` unless it is a date such as "2026-12-05"
 */
export function demoMenu(foodItems: string, localDate: string): Menu {
  assertLocalDate('localDate', localDate);

  const names = splitFoodItems(foodItems);
  if (names.length === 0) names.push(FALLBACK_ITEM_NAME);

  const ids = new Set<string>();
  const items: MenuItem[] = names.map((name) => ({
    id: slugId(name, ids),
    name,
    priceMinor: demoPriceMinor(name),
    options: [],
    available: true,
    soldOut: false,
  }));

  const first = items[0]!;
  const special = {
    itemId: first.id,
    date: localDate,
    quantity: SPECIAL_QUANTITY,
    priceMinor: Math.round((first.priceMinor * (100 - SPECIAL_DISCOUNT_PERCENT)) / 100),
  };
  return { currency: 'USD', items, specials: [special] };
}
