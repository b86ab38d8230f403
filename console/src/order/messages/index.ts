import { LOCALES, matchLocale, type Locale } from '../../lib/messages/index.js';
import { en, type OrderMessageKey } from './en.js';
import { zhCN } from './zh-CN.js';

export type { OrderMessageKey } from './en.js';

/** The order page's catalogs; the locales and `formatMessage` are the console's. */
export const orderDictionaries: Record<Locale, Record<OrderMessageKey, string>> = { en, 'zh-CN': zhCN };

/**
 * Picks the locale the customer chose earlier, else the first supported entry of the
 * browser's preferred languages, else English.
 */
export function pickOrderLocale(saved: string | null, languages: readonly string[]): Locale {
  const chosen = LOCALES.find((locale) => locale === saved);
  if (chosen) return chosen;
  for (const tag of languages) {
    const locale = matchLocale(tag);
    if (locale) return locale;
  }
  return 'en';
}
