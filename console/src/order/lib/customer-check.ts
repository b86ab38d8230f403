import { regexes } from 'zod/v4/core';
import type { CustomerForm } from '../../../../sdk/orders/requests.js';
import type { CheckoutField } from './checkout-errors.js';
import { MAX_NAME_LENGTH, type PageMessage } from './errors.js';

/**
 * E.164 allows at most 15 digits with the country code. The shortest valid numbers in
 * libphonenumber-js's metadata, such as Niue's +683 4002, have 7.
 */
const MIN_PHONE_DIGITS = 7;
const MAX_PHONE_DIGITS = 15;

/** The characters people type in a phone number besides digits: spaces, hyphens, dots and parentheses. */
const PHONE_CHARACTERS = /^\+[\d\s().-]+$/;

/**
 * Checks the customer's details before the order is sent, in the page's language, because
 * the form has `novalidate` and the browser's own bubbles are in the browser's language.
 * Blank fields are fine, since all are optional. The email check is the one browsers run
 * for `type="email"`. The server checks phone and email in full, and the page then shows
 * its error under the field as well.
 */
export function checkCustomerForm(customer: CustomerForm): Partial<Record<CheckoutField, PageMessage>> {
  const problems: Partial<Record<CheckoutField, PageMessage>> = {};
  const name = customer.name.trim();
  const phone = customer.phone.trim();
  const email = customer.email.trim();

  if (name.length > MAX_NAME_LENGTH) problems.name = { key: 'checkout.error.name', params: { max: MAX_NAME_LENGTH } };

  if (phone !== '') {
    const digits = phone.replace(/\D/g, '').length;
    if (!phone.startsWith('+')) problems.phone = { key: 'checkout.error.phoneNoPlus', params: {} };
    else if (!PHONE_CHARACTERS.test(phone) || digits < MIN_PHONE_DIGITS || digits > MAX_PHONE_DIGITS) problems.phone = { key: 'checkout.error.phoneInvalid', params: {} };
  }

  if (email !== '' && !regexes.html5Email.test(email)) problems.email = { key: 'checkout.error.email', params: {} };
  return problems;
}
