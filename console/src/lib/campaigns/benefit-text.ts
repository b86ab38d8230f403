import { describeBenefit } from '../../../../orders/benefit-text.js';
import { isSupportedCurrency } from '../../../../orders/money.js';
import type { CampaignDraft } from './draft.js';
import { toMinorUnits } from './money.js';

/**
 * Returns the text that `{{benefit}}` renders as: the marketer's description when written,
 * else the one the server fills in on save (describeBenefit), such as "10% off" or "free
 * Horchata on $15.00 or more". Null while the benefit lacks what that text needs (a value,
 * an item or a currency).
 */
export function benefitText(benefit: CampaignDraft['benefit']): string | null {
  const description = benefit.description.trim();
  if (description !== '') return description;

  const currency = benefit.currency.trim().toUpperCase();
  const needsCurrency = benefit.kind === 'amount' || benefit.minSpend !== null;
  if (needsCurrency && !isSupportedCurrency(currency)) return null;
  // The editor calls this on every keystroke, so an amount too large to format is null, not an error.
  const minor = (amount: number | null) => {
    if (amount === null) return null;
    const value = toMinorUnits(amount, currency);
    return Number.isSafeInteger(value) ? value : null;
  };

  const minSpendMinor = minor(benefit.minSpend);
  if (benefit.minSpend !== null && minSpendMinor === null) return null;
  const terms = { currency, ...(minSpendMinor === null ? {} : { minSpendMinor }) };
  switch (benefit.kind) {
    case 'percent':
      return benefit.percent === null ? null : describeBenefit({ kind: 'percent', value: benefit.percent, ...terms });
    case 'amount': {
      const value = minor(benefit.amount);
      return value === null ? null : describeBenefit({ kind: 'amount', value, ...terms });
    }
    case 'free_item':
      return benefit.item.trim() === '' ? null : describeBenefit({ kind: 'free_item', item: benefit.item.trim(), ...terms });
  }
}
