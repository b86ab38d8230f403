import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import type { OfferBenefit } from '../common/protocol.js';
import type { benefitSchema } from '../server/campaigns/definition.js';
import { priceCart } from './cart.js';
import { applyDiscount, percentOf, type DiscountBenefit, type DiscountLine } from './discount.js';
import { parseMenu } from './menu.js';

// Compile-time checks that both benefit shapes the server stores fit what applyDiscount reads.
const fromCampaign = (benefit: z.infer<typeof benefitSchema>): DiscountBenefit => benefit;
const fromRedemption = (benefit: OfferBenefit): DiscountBenefit => benefit;
void fromCampaign;
void fromRedemption;

const taco: DiscountLine = { itemId: 'taco', name: 'Carnitas taco', translations: { 'zh-CN': { name: '猪肉塔可' } }, unitBaseMinor: 450 };
const horchata: DiscountLine = { itemId: 'horchata', name: 'Horchata', unitBaseMinor: 300 };

describe('percent discount', () => {
  const cases: Array<[subtotal: number, currency: string, percent: number, discount: number]> = [
    [1004, 'USD', 10, 100], // 100.4 rounds down
    [1005, 'USD', 10, 101], // 100.5 rounds half up
    [1006, 'USD', 10, 101], // 100.6 rounds up
    [1004, 'USD', 12.5, 126], // 125.5 rounds half up
    [1000, 'USD', 33.3, 333], // exactly 333, no binary rounding
    [5, 'USD', 10, 1], // 0.5 rounds half up
    [4, 'USD', 10, 0], // 0.4 rounds to nothing
    [1230, 'JPY', 15, 185], // 184.5 yen rounds half up
    [12_345, 'BHD', 10, 1235], // 1234.5 fils rounds half up
    [12_344, 'BHD', 10, 1234], // 1234.4 fils rounds down
    [2999, 'USD', 100, 2999],
    [0, 'USD', 50, 0],
  ];

  for (const [subtotal, currency, percent, discount] of cases) {
    it(`takes ${percent}% of ${subtotal} ${currency} as ${discount}`, () => {
      expect(applyDiscount(subtotal, currency, { kind: 'percent', value: percent }, [])).toEqual({
        applied: true,
        discountMinor: discount,
        totalMinor: subtotal - discount,
      });
    });
  }

  it('reads tiny percents exactly', () => {
    expect(percentOf(5_000_000, 1e-5)).toBe(1); // 0.5 rounds half up
    expect(percentOf(4_999_999, 1e-5)).toBe(0);
    expect(percentOf(10_000_000, 1.5e-5)).toBe(2); // 1.5 rounds half up
  });

  it('rejects a percent out of range', () => {
    for (const value of [0, 100.5, -5, Number.NaN, undefined]) {
      expect(() => applyDiscount(1000, 'USD', { kind: 'percent', value }, [])).toThrow('(expected a percent above 0 and at most 100 for kind "percent")');
    }
  });
});

describe('amount discount', () => {
  it('takes the amount off', () => {
    expect(applyDiscount(1200, 'USD', { kind: 'amount', value: 500, currency: 'USD' }, [])).toEqual({ applied: true, discountMinor: 500, totalMinor: 700 });
  });

  it('caps the amount at the subtotal', () => {
    expect(applyDiscount(300, 'USD', { kind: 'amount', value: 500, currency: 'USD' }, [])).toEqual({ applied: true, discountMinor: 300, totalMinor: 0 });
  });

  it('works in currencies without decimals', () => {
    expect(applyDiscount(1000, 'JPY', { kind: 'amount', value: 200, currency: 'JPY' }, [])).toEqual({ applied: true, discountMinor: 200, totalMinor: 800 });
  });

  it('rejects another currency', () => {
    expect(applyDiscount(1200, 'USD', { kind: 'amount', value: 500, currency: 'EUR' }, [])).toEqual({
      applied: false,
      discountMinor: 0,
      totalMinor: 1200,
      rejection: 'currency_mismatch',
      reason: 'this code is for orders in EUR, and this order is in USD',
    });
  });

  it('rejects a malformed amount', () => {
    expect(() => applyDiscount(1200, 'USD', { kind: 'amount', value: 2.5, currency: 'USD' }, [])).toThrow(
      'invalid benefit.value: 2.5 (expected an integer amount in minor units above 0 for kind "amount")',
    );
    expect(() => applyDiscount(1200, 'USD', { kind: 'amount', value: 500 }, [])).toThrow(
      'invalid benefit.currency: missing (expected a currency with kind "amount" or minSpendMinor)',
    );
  });
});

describe('free item discount', () => {
  const free: DiscountBenefit = { kind: 'free_item', item: 'Carnitas taco' };

  it('takes the cheapest matching base price', () => {
    const largeTaco: DiscountLine = { itemId: 'taco-large', name: 'Carnitas Taco', unitBaseMinor: 600 };
    expect(applyDiscount(1350, 'USD', free, [largeTaco, horchata, taco])).toEqual({ applied: true, discountMinor: 450, totalMinor: 900 });
  });

  it('keeps choices paid on priced lines', () => {
    const menu = parseMenu({
      currency: 'USD',
      items: [
        {
          id: 'taco',
          name: 'Carnitas taco',
          priceMinor: 450,
          options: [{ id: 'extras', name: 'Extras', min: 0, max: 1, choices: [{ id: 'guac', name: 'Guacamole', priceDeltaMinor: 150 }] }],
          available: true,
          soldOut: false,
        },
      ],
    });
    const cart = priceCart(
      menu,
      [
        { itemId: 'taco', quantity: 1, choices: ['guac'] },
        { itemId: 'taco', quantity: 2, choices: [] },
      ],
      { localDate: '2026-12-05', specialsSold: {} },
    );
    expect(cart.lines.map((line) => line.unitPriceMinor)).toEqual([600, 450]);
    expect(cart.subtotalMinor).toBe(1500);
    expect(applyDiscount(cart.subtotalMinor, cart.currency, free, cart.lines)).toEqual({ applied: true, discountMinor: 450, totalMinor: 1050 });
  });

  it('matches the id, the Chinese name and loose spacing', () => {
    for (const item of ['taco', '猪肉塔可', '  carnitas   TACO ']) {
      expect(applyDiscount(750, 'USD', { kind: 'free_item', item }, [horchata, taco])).toEqual({ applied: true, discountMinor: 450, totalMinor: 300 });
    }
  });

  it('rejects a cart without the item', () => {
    expect(applyDiscount(300, 'USD', free, [horchata])).toEqual({
      applied: false,
      discountMinor: 0,
      totalMinor: 300,
      rejection: 'item_not_in_cart',
      reason: 'add Carnitas taco to the order to get it free',
    });
  });

  it('rejects a benefit without item', () => {
    expect(() => applyDiscount(300, 'USD', { kind: 'free_item' }, [horchata])).toThrow('invalid benefit.item: missing (expected the item name for kind "free_item")');
  });
});

describe('minimum spend', () => {
  const tenPercentOverTen: DiscountBenefit = { kind: 'percent', value: 10, currency: 'USD', minSpendMinor: 1000 };

  it('applies at exactly the minimum', () => {
    expect(applyDiscount(1000, 'USD', tenPercentOverTen, [])).toEqual({ applied: true, discountMinor: 100, totalMinor: 900 });
  });

  it('rejects one cent below with the missing amount', () => {
    expect(applyDiscount(999, 'USD', tenPercentOverTen, [])).toEqual({
      applied: false,
      discountMinor: 0,
      totalMinor: 999,
      rejection: 'min_spend',
      reason: 'this code needs an order of at least $10.00; add $0.01 more',
      missingMinor: 1,
    });
  });

  it('formats yen without decimals', () => {
    const result = applyDiscount(999, 'JPY', { kind: 'amount', value: 100, currency: 'JPY', minSpendMinor: 1000 }, []);
    expect(result).toMatchObject({ applied: false, reason: 'this code needs an order of at least ¥1,000; add ¥1 more', missingMinor: 1 });
  });

  it('formats dinars with three decimals', () => {
    const result = applyDiscount(4999, 'BHD', { kind: 'free_item', item: 'taco', currency: 'BHD', minSpendMinor: 5000 }, [taco]);
    expect(result).toMatchObject({ applied: false, reason: 'this code needs an order of at least BHD\u00a05.000; add BHD\u00a00.001 more', missingMinor: 1 });
    expect(applyDiscount(5000, 'BHD', { kind: 'free_item', item: 'taco', currency: 'BHD', minSpendMinor: 5000 }, [taco])).toEqual({
      applied: true,
      discountMinor: 450,
      totalMinor: 4550,
    });
  });

  it('rejects a minimum in another currency', () => {
    expect(applyDiscount(5000, 'EUR', tenPercentOverTen, [])).toMatchObject({
      applied: false,
      rejection: 'currency_mismatch',
      reason: 'this code is for orders in USD, and this order is in EUR',
    });
  });

  it('checks the minimum before the free item', () => {
    expect(applyDiscount(300, 'USD', { kind: 'free_item', item: 'taco', currency: 'USD', minSpendMinor: 1000 }, [horchata])).toMatchObject({
      rejection: 'min_spend',
      missingMinor: 700,
    });
  });
});

describe('applyDiscount input', () => {
  it('rejects a bad subtotal', () => {
    expect(() => applyDiscount(-1, 'USD', { kind: 'percent', value: 10 }, [])).toThrow(
      'invalid subtotalMinor: -1 (expected an integer amount in minor units of at least 0)',
    );
    expect(() => applyDiscount(10.5, 'USD', { kind: 'percent', value: 10 }, [])).toThrow('invalid subtotalMinor: 10.5');
  });

  it('rejects a bad currency', () => {
    expect(() => applyDiscount(1000, 'usd', { kind: 'percent', value: 10 }, [])).toThrow(
      'invalid currency: "usd" (expected an ISO 4217 currency code in capitals, such as "USD")',
    );
  });
});
