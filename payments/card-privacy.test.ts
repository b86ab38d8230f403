import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { CloudburstError } from '../common/errors.js';
import { listCardErrors } from './card.js';
import { createSandboxProvider } from './sandbox.js';
import { SANDBOX_TEST_CARDS } from './sandbox-cards.js';

const NOW = Date.UTC(2026, 11, 5, 12, 34, 56, 789);

/** Typed numbers, valid and not, in the forms customers enter them. */
const NUMBERS = [
  ...SANDBOX_TEST_CARDS.map((card) => card.number),
  '4242 4242 4242 4242',
  '3782-822463-10005',
  '6011111111111117',
  '4242424242424241',
  '424242424242424',
  '4242 4242 4242 424x',
  '1234567812345670',
  '55555555555544444',
];

function forbiddenTexts(number: string): string[] {
  const digits = number.replace(/\D/g, '');
  // Everything but the last four digits must stay out, in any form.
  return [number, digits, digits.slice(0, -4)].filter((text) => text.replace(/\D/g, '').length > 4);
}

describe('card numbers in errors and logs', () => {
  it('appear in no error message, error value or log line', async () => {
    const lines: string[] = [];
    const logger = pino({ level: 'debug' }, { write: (line: string) => void lines.push(line) });
    const sandbox = createSandboxProvider({ webhookSecret: 'secret', now: () => NOW, logger, onWebhook: () => undefined });
    const errors: CloudburstError[] = [];

    let attempt = 0;
    for (const number of NUMBERS) {
      const variants = [
        { number, expMonth: 12, expYear: 2030, cvc: number.startsWith('37') ? '1234' : '123' },
        { number, expMonth: 11, expYear: 2026, cvc: '123' },
        { number, expMonth: 12, expYear: 2030, cvc: '12' },
      ];
      for (const card of variants) {
        attempt += 1;
        errors.push(...listCardErrors(card, NOW));
        try {
          const token = sandbox.tokenizeCard(card);
          const paid = await sandbox.createPayment({
            orderId: `order-${attempt}`,
            amountMinor: 900,
            currency: 'USD',
            paymentMethod: token.token,
            idempotencyKey: `pay-${attempt}`,
          });
          if (paid.status === 'succeeded') await sandbox.refund({ paymentId: paid.paymentId!, idempotencyKey: `refund-${attempt}` });
        } catch (error) {
          if (!(error instanceof CloudburstError)) throw error;
          errors.push(error);
        }
      }

      // A card number sent where the token belongs is rejected without echoing it.
      try {
        await sandbox.createPayment({ orderId: 'order-x', amountMinor: 900, currency: 'USD', paymentMethod: number, idempotencyKey: `raw-${attempt}` });
      } catch (error) {
        if (!(error instanceof CloudburstError)) throw error;
        errors.push(error);
      }
    }
    await sandbox.webhooksSettled();

    expect(errors.length).toBeGreaterThan(20);
    expect(lines.length).toBeGreaterThan(20);
    const texts = [
      ...errors.map((error) => `${error.message}\n${JSON.stringify(error.toJSON())}`),
      ...lines,
    ];
    for (const number of NUMBERS) {
      for (const forbidden of forbiddenTexts(number)) {
        const leaks = texts.filter((text) => text.includes(forbidden));
        expect(leaks, `${forbidden} leaked`).toEqual([]);
      }
    }
  });

  it('keep the last four in messages about the number', () => {
    const [error] = listCardErrors({ number: '4242 4242 4242 4241', expMonth: 1, expYear: 2030, cvc: '123' }, NOW);
    expect(error?.message).toBe('invalid card.number **** 4241: the check digit does not match, so a digit is mistyped');
    expect(error?.toJSON()).toEqual({
      code: 'invalid_input',
      message: 'invalid card.number **** 4241: the check digit does not match, so a digit is mistyped',
      field: 'card.number',
      value: '**** 4241',
    });
  });
});
