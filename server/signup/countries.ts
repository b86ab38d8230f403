import { getCountryCallingCode, isSupportedCountry } from 'libphonenumber-js/max';
import type { SignupLanguage } from './i18n.js';

/**
 * Countries the sign-up form offers for a phone number without a `+` prefix. A
 * number from any other country is still accepted when typed with `+` and its code.
 */
export const SIGNUP_PHONE_COUNTRIES = [
  'US', 'CA', 'MX', 'GB', 'IE', 'AU', 'NZ', 'CN', 'HK', 'TW', 'SG', 'MY', 'JP', 'KR', 'PH', 'IN', 'DE', 'FR', 'ES', 'IT',
] as const;

export const FALLBACK_PHONE_COUNTRY = 'US';

/** Zones whose country is not the fallback; a zone missing here reads as the fallback. */
const COUNTRY_OF_ZONE: Readonly<Record<string, string>> = {
  'America/Toronto': 'CA',
  'America/Vancouver': 'CA',
  'America/Edmonton': 'CA',
  'America/Winnipeg': 'CA',
  'America/Regina': 'CA',
  'America/Halifax': 'CA',
  'America/St_Johns': 'CA',
  'America/Mexico_City': 'MX',
  'America/Tijuana': 'MX',
  'America/Monterrey': 'MX',
  'America/Cancun': 'MX',
  'Europe/London': 'GB',
  'Europe/Dublin': 'IE',
  'Europe/Berlin': 'DE',
  'Europe/Paris': 'FR',
  'Europe/Madrid': 'ES',
  'Europe/Rome': 'IT',
  'Australia/Sydney': 'AU',
  'Australia/Melbourne': 'AU',
  'Australia/Brisbane': 'AU',
  'Australia/Perth': 'AU',
  'Australia/Adelaide': 'AU',
  'Pacific/Auckland': 'NZ',
  'Asia/Shanghai': 'CN',
  'Asia/Urumqi': 'CN',
  'Asia/Hong_Kong': 'HK',
  'Asia/Taipei': 'TW',
  'Asia/Singapore': 'SG',
  'Asia/Kuala_Lumpur': 'MY',
  'Asia/Tokyo': 'JP',
  'Asia/Seoul': 'KR',
  'Asia/Manila': 'PH',
  'Asia/Kolkata': 'IN',
};

/** Returns the phone country the form preselects for a truck in `timeZone`. */
export function defaultPhoneCountry(timeZone: string): string {
  return COUNTRY_OF_ZONE[timeZone] ?? FALLBACK_PHONE_COUNTRY;
}

/** True for an upper-case ISO 3166-1 alpha-2 code that has a telephone numbering plan. */
export function isPhoneCountry(value: string): boolean {
  return /^[A-Z]{2}$/.test(value) && isSupportedCountry(value);
}

/** Lists the select's options: the country's name in `language` and its calling code, e.g. `United States (+1)`. */
export function phoneCountryOptions(language: SignupLanguage): Array<{ country: string; label: string }> {
  const names = new Intl.DisplayNames([language], { type: 'region' });
  return SIGNUP_PHONE_COUNTRIES.map((country) => ({
    country,
    label: `${names.of(country) ?? country} (+${getCountryCallingCode(country)})`,
  }));
}
