import { ApiError } from '../../../../sdk/orders/http.js';
import { errorMessage, type PageMessage } from './errors.js';

/** The checkout form's fields that show an error under them. */
export type CheckoutField = 'name' | 'phone' | 'email' | 'code';

/** Place of an order error in the checkout form: under a customer field, the code, a cart line, or above the button. */
export type CheckoutErrorTarget = { kind: 'field'; field: CheckoutField } | { kind: 'line'; index: number } | { kind: 'form' };

/** Maps the field an order error names (`customer.phone`, `lines.2.quantity`, `code`, ...) to where the form shows it. */
export function checkoutErrorTarget(field: string | undefined): CheckoutErrorTarget {
  if (field === undefined) return { kind: 'form' };
  const line = /^lines\.(\d+)(\.|$)/.exec(field);
  if (line) return { kind: 'line', index: Number(line[1]) };
  switch (field) {
    case 'customer.name':
      return { kind: 'field', field: 'name' };
    case 'customer.phone':
    case 'customer.smsUpdates':
      return { kind: 'field', field: 'phone' };
    case 'customer.email':
      return { kind: 'field', field: 'email' };
    // A shared code needs a phone or an email; a single-use code may belong to someone else. Both concern the code.
    case 'code':
    case 'customer':
      return { kind: 'field', field: 'code' };
    default:
      return { kind: 'form' };
  }
}

/** The checkout form's errors, each where the form shows it. */
export interface CheckoutErrors {
  fields: Partial<Record<CheckoutField, PageMessage>>;
  /** By cart line index, as the order request numbers the lines. */
  lines: Record<number, PageMessage>;
  form: PageMessage | null;
}

export const NO_CHECKOUT_ERRORS: CheckoutErrors = { fields: {}, lines: {}, form: null };

/** Places a failed order request's error where the form shows it. */
export function checkoutErrors(error: unknown, formatMoney: (amountMinor: number) => string): CheckoutErrors {
  const message = errorMessage(error, formatMoney);
  const target = checkoutErrorTarget(error instanceof ApiError ? error.field : undefined);
  switch (target.kind) {
    case 'field':
      return { fields: { [target.field]: message }, lines: {}, form: null };
    case 'line':
      return { fields: {}, lines: { [target.index]: message }, form: null };
    case 'form':
      return { fields: {}, lines: {}, form: message };
  }
}

/** Code errors that depend on the customer's phone or email, so editing either may resolve them. */
const CUSTOMER_CODE_ERRORS: ReadonlySet<string> = new Set(['code.error.customerRequired', 'code.error.foreign']);

/**
 * Returns the errors left after the customer edits a control: the error under that field
 * goes, and so does an error that the edit may resolve. A phone or email may satisfy a
 * code that needs one or belongs to someone else, and unticking the text message
 * removes its need for a phone.
 */
export function clearFieldError(errors: CheckoutErrors, edited: Exclude<CheckoutField, 'code'> | 'smsUpdates'): CheckoutErrors {
  const fields = { ...errors.fields };
  if (edited === 'smsUpdates') {
    if (fields.phone?.key === 'checkout.error.smsNeedsPhone') delete fields.phone;
  } else {
    delete fields[edited];
  }
  if ((edited === 'phone' || edited === 'email') && fields.code !== undefined && CUSTOMER_CODE_ERRORS.has(fields.code.key)) delete fields.code;
  return { ...errors, fields };
}
