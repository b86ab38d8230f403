import { formatMinor } from '../../../../orders/money.js';
import { formatMessage, type Locale, type MessageParams } from '../../lib/messages/index.js';
import { orderDictionaries, pickOrderLocale, type OrderMessageKey } from '../messages/index.js';
import { formatDateTime, formatTimeOfDay } from './format.js';
import { browserStorage, type KeyValueStore } from './storage.js';

/** Kept apart from the console's key: the console and this page are used by different people. */
const LOCALE_STORAGE_KEY = 'cloudburst.order.locale';

/** The page's locale with its messages and formatters. Reading any of them tracks the locale. */
export class OrderI18n {
  locale = $state<Locale>('en');
  readonly #store: KeyValueStore | null;

  constructor(store: KeyValueStore | null, languages: readonly string[]) {
    this.#store = store;
    this.locale = pickOrderLocale(store?.getItem(LOCALE_STORAGE_KEY) ?? null, languages);
  }

  /** Switches the locale, saves the choice for the next visit and sets the document's language for screen readers. */
  setLocale(locale: Locale): void {
    this.locale = locale;
    document.documentElement.lang = locale;
    try {
      this.#store?.setItem(LOCALE_STORAGE_KEY, locale);
    } catch {
      // Without storage the choice lasts until the page reloads.
    }
  }

  t = (key: OrderMessageKey, params?: MessageParams): string => formatMessage(orderDictionaries[this.locale][key], params);

  /** Formats an amount in minor units in the locale, with the currency's own decimals. */
  money = (amountMinor: number, currency: string): string => formatMinor(amountMinor, currency, this.locale);

  /** Formats an instant as date and time, in `timeZone` when given (a truck's zone) and the phone's zone otherwise. */
  dateTime(instant: string, timeZone?: string): string {
    return formatDateTime(this.locale, instant, timeZone);
  }

  /** Formats an instant as a time of day in the phone's zone. */
  time(instant: string): string {
    return formatTimeOfDay(this.locale, instant);
  }
}

export const i18n = new OrderI18n(browserStorage('local'), typeof navigator === 'undefined' ? [] : (navigator.languages ?? [navigator.language]));
