import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { dictionaries, formatMessage, LOCALES, matchLocale } from './messages/index.js';

const srcDir = fileURLToPath(new URL('..', import.meta.url));

const placeholders = (template: string): string[] => [...template.matchAll(/\{(\w+)\}/g)].map((match) => match[1]!).sort();

describe('dictionaries', () => {
  const reference = dictionaries.en;
  const referenceKeys = Object.keys(reference).sort();

  it.each(LOCALES)('%s has exactly the English keys', (locale) => {
    expect(Object.keys(dictionaries[locale]).sort()).toEqual(referenceKeys);
  });

  it.each(LOCALES)('%s has no empty messages', (locale) => {
    const empty = Object.entries(dictionaries[locale]).filter(([, message]) => message.trim() === '');
    expect(empty).toEqual([]);
  });

  it.each(LOCALES)('%s uses the English placeholders', (locale) => {
    const dictionary = dictionaries[locale];
    const mismatched = referenceKeys.filter(
      (key) => placeholders(dictionary[key as keyof typeof reference]).join() !== placeholders(reference[key as keyof typeof reference]).join(),
    );
    expect(mismatched).toEqual([]);
  });
});

describe('formatMessage', () => {
  it('fills placeholders', () => {
    expect(formatMessage('Device {id} at {distance}', { id: 'a1', distance: 12 })).toBe('Device a1 at 12');
  });

  it('keeps placeholders without a value', () => {
    expect(formatMessage('Device {id}', {})).toBe('Device {id}');
  });
});

describe('matchLocale', () => {
  it.each([
    ['zh-CN', 'zh-CN'],
    ['zh-TW', 'zh-CN'],
    ['zh', 'zh-CN'],
    ['en-US', 'en'],
    ['EN_gb', 'en'],
    ['fr-FR', null],
    ['', null],
    [undefined, null],
  ])('maps %s to %s', (tag, expected) => {
    expect(matchLocale(tag)).toBe(expected);
  });
});

// ---------------------------------------------------------------------------
// Hard-coded text check: every user-visible string in a component must come from the dictionaries.

/** Attributes whose values a user sees or hears. */
const VISIBLE_ATTRIBUTES = ['placeholder', 'title', 'alt', 'label', 'aria-label', 'aria-description'];

/** Removes every `{...}` expression, counting nested braces. */
function removeExpressions(markup: string): string {
  let depth = 0;
  let result = '';
  for (const char of markup) {
    if (char === '{') depth += 1;
    if (depth === 0) result += char;
    if (char === '}') depth = Math.max(0, depth - 1);
  }
  return result;
}

/** Returns literal text of a component's markup that contains a letter: text nodes and visible attribute values. */
function findHardCodedText(source: string): string[] {
  const markup = removeExpressions(
    source
      .replace(/<script[\s\S]*?<\/script>/g, '')
      .replace(/<style[\s\S]*?<\/style>/g, '')
      .replace(/<!--[\s\S]*?-->/g, ''),
  );
  const attributePattern = new RegExp(`\\s(${VISIBLE_ATTRIBUTES.join('|')})\\s*=\\s*(["'])(.*?)\\2`, 'g');
  const attributes = [...markup.matchAll(attributePattern)].map((match) => `${match[1]}="${match[3]}"`);
  const texts = markup
    .replace(/<[^>]*>/g, '\n')
    .split('\n')
    .map((line) => line.trim());
  return [...attributes, ...texts].filter((text) => /\p{L}/u.test(text.replace(/^[\w-]+="/, '')));
}

function listComponents(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return listComponents(path);
    return entry.name.endsWith('.svelte') ? [path] : [];
  });
}

describe('hard-coded text check', () => {
  it('flags literal text and attributes', () => {
    const source = '<script>const a = "x";</script><p>Hello</p><input placeholder="Token" /><style>p { color: red; }</style>';
    expect(findHardCodedText(source)).toEqual(['placeholder="Token"', 'Hello']);
  });

  it('accepts expressions, markup and punctuation', () => {
    const source = `<p class="a {b}" title={t('x')}>{t('y', { n: 1 })} · {n}</p>{#if a}<b>{t(\`k.\${c}\`)}</b>{/if}`;
    expect(findHardCodedText(source)).toEqual([]);
  });

  const components = listComponents(srcDir);

  it('finds the components', () => {
    expect(components.length).toBeGreaterThanOrEqual(8);
  });

  it.each(components.map((path) => [relative(srcDir, path), path]))('%s has no hard-coded text', (_name, path) => {
    expect(findHardCodedText(readFileSync(path, 'utf8'))).toEqual([]);
  });
});
