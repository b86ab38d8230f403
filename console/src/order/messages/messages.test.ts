import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { LOCALES } from '../../lib/messages/index.js';
import { en } from './en.js';
import { orderDictionaries, pickOrderLocale } from './index.js';

const orderDir = fileURLToPath(new URL('..', import.meta.url));
const referenceKeys = Object.keys(en).sort();
const placeholders = (template: string): string[] => [...template.matchAll(/\{(\w+)\}/g)].map((match) => match[1]!).sort();

describe('order page catalogs', () => {
  it.each(LOCALES)('%s has exactly the English keys', (locale) => {
    expect(Object.keys(orderDictionaries[locale]).sort()).toEqual(referenceKeys);
  });

  it.each(LOCALES)('%s has no empty messages', (locale) => {
    const empty = Object.entries(orderDictionaries[locale]).filter(([, message]) => message.trim() === '');
    expect(empty).toEqual([]);
  });

  it.each(LOCALES)('%s uses the English placeholders', (locale) => {
    const dictionary = orderDictionaries[locale];
    const mismatched = referenceKeys.filter((key) => placeholders(dictionary[key as keyof typeof en]).join() !== placeholders(en[key as keyof typeof en]).join());
    expect(mismatched).toEqual([]);
  });

  it('zh-CN is translated, not copied', () => {
    // Brand names, language names, formats and placeholder-only messages read the same in both.
    const same = new Set(['page.brand', 'language.en', 'language.zh-CN', 'payment.expiryPlaceholder', 'payment.cvc', 'options.priceDelta', 'benefit.described', 'status.line', 'card.brand.visa', 'card.brand.discover', 'card.brand.jcb']);
    const copied = referenceKeys.filter((key) => !same.has(key) && orderDictionaries['zh-CN'][key as keyof typeof en] === en[key as keyof typeof en]);
    expect(copied).toEqual([]);
  });
});

/** Returns the message keys the page's code names in quotes, such as 'menu.add'. */
function quotedKeys(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'messages' ? [] : quotedKeys(path);
    if (!/\.(svelte|ts)$/.test(entry.name) || entry.name.endsWith('.test.ts')) return [];
    const source = readFileSync(path, 'utf8');
    return [...source.matchAll(/'((?:page|location|code|offer|benefit|trucks|menu|options|cart|card\.brand|checkout|payment|status|error)\.[\w.-]+)'/g)].map((match) => match[1]!);
  });
}

describe('message keys in the code', () => {
  const keys = [...new Set(quotedKeys(orderDir))];

  it('finds keys', () => {
    expect(keys.length).toBeGreaterThan(50);
  });

  it('all exist in the catalog', () => {
    expect(keys.filter((key) => !(key in en))).toEqual([]);
  });
});

describe('pickOrderLocale', () => {
  it.each([
    ['zh-CN', ['en-US'], 'zh-CN'],
    [null, ['fr-FR', 'zh-TW', 'en'], 'zh-CN'],
    [null, ['en-GB'], 'en'],
    ['de', ['de-DE'], 'en'],
    [null, [], 'en'],
  ] as const)('saved %s with %j gives %s', (saved, languages, expected) => {
    expect(pickOrderLocale(saved, languages)).toBe(expected);
  });
});
