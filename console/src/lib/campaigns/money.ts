/** Decimal digits of a currency's minor unit (2 for USD, 0 for JPY), or 2 when `currency` is not an ISO 4217 code. */
export function minorUnitDigits(currency: string): number {
  try {
    return new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
  } catch {
    // An unfinished or invalid code while the marketer types; the server rejects it on save.
    return 2;
  }
}

/**
 * Converts an amount in major units, as the marketer types it (4.5 USD), to whole minor
 * units (450), rounding half away from zero as a person would: 4.015 becomes 402.
 */
export function toMinorUnits(amount: number, currency: string): number {
  // 4.015 * 100 is 401.49999999999994 in binary floating point; 15 significant digits restore 401.5.
  const scaled = Number((amount * 10 ** minorUnitDigits(currency)).toPrecision(15));
  return Math.sign(scaled) * Math.round(Math.abs(scaled));
}

/** Converts whole minor units (450) to major units (4.5) of `currency`. */
export function fromMinorUnits(minorUnits: number, currency: string): number {
  return minorUnits / 10 ** minorUnitDigits(currency);
}

/** Formats minor units of `currency` for `locale`, such as "$4.50"; without a valid currency, the plain number. */
export function formatMinorUnits(minorUnits: number, currency: string | undefined, locale: string): string {
  if (currency) {
    try {
      return new Intl.NumberFormat(locale, { style: 'currency', currency }).format(fromMinorUnits(minorUnits, currency));
    } catch {
      // Falls through to the plain number below.
    }
  }
  return new Intl.NumberFormat(locale).format(minorUnits);
}
