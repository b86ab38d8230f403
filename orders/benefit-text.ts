import { formatMinor } from './money.js';

/** The benefit fields its default description reads; amounts in minor units of `currency`. */
export interface BenefitTerms {
  kind: 'percent' | 'amount' | 'free_item';
  value?: number;
  currency?: string;
  item?: string;
  minSpendMinor?: number;
}

/**
 * Describes a benefit the way `{{benefit}}` shows it when the marketer wrote no
 * description: "20% off", "$3.00 off on $15.00 or more", "free horchata". Shared by the
 * server, which stores it on save, and the editor's preview, so both read alike.
 */
export function describeBenefit(benefit: BenefitTerms): string {
  const minimum = benefit.minSpendMinor !== undefined ? ` on ${formatMinor(benefit.minSpendMinor, benefit.currency!)} or more` : '';
  switch (benefit.kind) {
    case 'percent':
      return `${benefit.value}% off${minimum}`;
    case 'amount':
      return `${formatMinor(benefit.value ?? 0, benefit.currency!)} off${minimum}`;
    case 'free_item':
      return `free ${benefit.item}${minimum}`;
  }
}
