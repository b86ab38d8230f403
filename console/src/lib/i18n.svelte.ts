import { dictionaries, formatMessage, LOCALES, matchLocale, type Locale, type MessageKey, type MessageParams } from './messages/index.js';

const LOCALE_STORAGE_KEY = 'cloudburst.locale';

/**
 * Picks the locale saved by the language switcher, else the first supported entry of the
 * browser's preferred languages, else English.
 */
export function detectLocale(): Locale {
  const saved = readSavedLocale();
  if (saved) return saved;
  for (const tag of navigator.languages ?? [navigator.language]) {
    const locale = matchLocale(tag);
    if (locale) return locale;
  }
  return 'en';
}

function readSavedLocale(): Locale | null {
  try {
    const saved = localStorage.getItem(LOCALE_STORAGE_KEY);
    return LOCALES.find((locale) => locale === saved) ?? null;
  } catch {
    // Storage is unavailable in some privacy modes, so fall back to the browser languages.
    return null;
  }
}

/** Current locale with its messages and Intl formatters. Reading any of them tracks the locale. */
export class I18n {
  locale = $state<Locale>('en');

  #numberFormat = $derived(new Intl.NumberFormat(this.locale));
  #distanceFormat = $derived(
    new Intl.NumberFormat(this.locale, { style: 'unit', unit: 'meter', unitDisplay: 'short', maximumFractionDigits: 0 }),
  );
  #timeFormat = $derived(new Intl.DateTimeFormat(this.locale, { timeStyle: 'medium' }));
  #dateTimeFormat = $derived(new Intl.DateTimeFormat(this.locale, { dateStyle: 'short', timeStyle: 'medium' }));

  constructor(locale: Locale) {
    this.locale = locale;
  }

  /** Switches the locale and saves the choice for the next visit. */
  setLocale(locale: Locale): void {
    this.locale = locale;
    try {
      localStorage.setItem(LOCALE_STORAGE_KEY, locale);
    } catch {
      // Without storage the choice lasts until the page reloads.
    }
  }

  t = (key: MessageKey, params?: MessageParams): string => formatMessage(dictionaries[this.locale][key], params);

  formatNumber(value: number): string {
    return this.#numberFormat.format(value);
  }

  formatDistance(metres: number): string {
    return this.#distanceFormat.format(metres);
  }

  /** Formats an instant as a time of day, with the date in front unless it is today. */
  formatTime(instant: Date | number | string, now: Date = new Date()): string {
    const date = new Date(instant);
    if (Number.isNaN(date.getTime())) return String(instant);
    return date.toDateString() === now.toDateString() ? this.#timeFormat.format(date) : this.#dateTimeFormat.format(date);
  }
}

export const i18n = new I18n(detectLocale());
