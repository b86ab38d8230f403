/**
 * Argument checks shared by every provider, run before any request leaves the
 * process, so that a bad amount or a pasted card number never reaches a provider.
 */
import { CloudburstError, invalidInput } from '../common/errors.js';
import type { ConfirmPaymentInput, CreatePaymentInput, RefundInput } from './types.js';

/** Far above any food-truck order, so a larger amount means a bug upstream, such as a total in the wrong unit. */
export const MAX_AMOUNT_MINOR = 99_999_999;

/** Stripe accepts idempotency keys of up to 255 characters; the sandbox keeps the same limit. */
export const MAX_IDEMPOTENCY_KEY_CHARS = 255;

const MAX_ORDER_ID_CHARS = 200;
const MAX_DESCRIPTION_CHARS = 500;
const MAX_TOKEN_CHARS = 255;
const TOKEN_PATTERN = /^[A-Za-z0-9_]+$/;

/** Checks `createPayment`'s input and returns it with the currency in upper case. */
export function checkCreatePaymentInput(input: CreatePaymentInput): CreatePaymentInput {
  checkText('orderId', input.orderId, MAX_ORDER_ID_CHARS);
  checkAmount('amountMinor', input.amountMinor);
  const currency = checkCurrency(input.currency);
  checkPaymentMethod(input.paymentMethod);
  checkIdempotencyKey(input.idempotencyKey);
  if (input.description !== undefined) checkText('description', input.description, MAX_DESCRIPTION_CHARS);
  if (input.returnUrl !== undefined) checkHttpUrl('returnUrl', input.returnUrl);
  return { ...input, currency };
}

export function checkConfirmPaymentInput(paymentId: string, input: ConfirmPaymentInput): void {
  checkPaymentId(paymentId);
  checkIdempotencyKey(input.idempotencyKey);
  if (input.authenticated !== undefined && typeof input.authenticated !== 'boolean') {
    throw invalidInput('authenticated', input.authenticated, 'true or false');
  }
}

export function checkRefundInput(input: RefundInput): void {
  checkPaymentId(input.paymentId);
  if (input.amountMinor !== undefined) checkAmount('amountMinor', input.amountMinor);
  checkIdempotencyKey(input.idempotencyKey);
}

export function checkPaymentId(paymentId: string): void {
  if (typeof paymentId !== 'string' || !TOKEN_PATTERN.test(paymentId) || paymentId.length > MAX_TOKEN_CHARS) {
    throw invalidInput('paymentId', paymentId, "a provider's payment id such as pi_...");
  }
}

function checkAmount(field: string, amount: number): void {
  if (!Number.isInteger(amount) || amount < 1 || amount > MAX_AMOUNT_MINOR) {
    throw invalidInput(field, amount, `a whole number of minor units from 1 to ${MAX_AMOUNT_MINOR}`);
  }
}

function checkCurrency(currency: string): string {
  if (typeof currency !== 'string' || !/^[A-Za-z]{3}$/.test(currency)) {
    throw invalidInput('currency', currency, 'a three-letter ISO 4217 code such as USD');
  }
  return currency.toUpperCase();
}

/**
 * Rejects anything but a token. The value is never echoed: a customer's page that
 * sends the raw card number by mistake must not get it back in an error or a log.
 */
function checkPaymentMethod(paymentMethod: string): void {
  if (typeof paymentMethod !== 'string' || paymentMethod === '') {
    throw new CloudburstError('invalid_input', 'paymentMethod is missing (expected a provider token such as pm_...)', { field: 'paymentMethod' });
  }
  const digitsOnly = paymentMethod.replace(/[\s-]+/g, '');
  if (/^\d{8,}$/.test(digitsOnly)) {
    throw new CloudburstError('invalid_input', 'invalid paymentMethod: it looks like a card number; send the token that tokenizing the card returned (pm_...)', {
      field: 'paymentMethod',
    });
  }
  if (!TOKEN_PATTERN.test(paymentMethod) || paymentMethod.length > MAX_TOKEN_CHARS) {
    throw new CloudburstError(
      'invalid_input',
      `invalid paymentMethod: expected a provider token of letters, digits and underscores, at most ${MAX_TOKEN_CHARS} characters`,
      { field: 'paymentMethod' },
    );
  }
}

function checkIdempotencyKey(key: string): void {
  if (typeof key !== 'string' || key.length === 0 || key.length > MAX_IDEMPOTENCY_KEY_CHARS || !/^[\x21-\x7e]+$/.test(key)) {
    throw invalidInput('idempotencyKey', key, `1 to ${MAX_IDEMPOTENCY_KEY_CHARS} printable ASCII characters without spaces`);
  }
}

function checkText(field: string, value: string, maxChars: number): void {
  if (typeof value !== 'string' || value.trim() === '' || value.length > maxChars) {
    throw invalidInput(field, value, `a non-empty string of at most ${maxChars} characters`);
  }
}

function checkHttpUrl(field: string, value: string): void {
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {
    // Reported below with the value, like any other bad URL.
    url = undefined;
  }
  if (url === undefined || (url.protocol !== 'https:' && url.protocol !== 'http:')) {
    throw invalidInput(field, value, 'an absolute http or https URL');
  }
}
