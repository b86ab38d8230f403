import { describe, expect, it } from 'vitest';
import { checkoutErrors, checkoutErrorTarget, clearFieldError, NO_CHECKOUT_ERRORS, type CheckoutErrors } from './checkout-errors.js';
import { ApiError } from '../../../../sdk/orders/http.js';

const money = (amountMinor: number) => `$${(amountMinor / 100).toFixed(2)}`;

describe('checkoutErrorTarget', () => {
  it.each([
    ['customer.name', { kind: 'field', field: 'name' }],
    ['customer.phone', { kind: 'field', field: 'phone' }],
    ['customer.smsUpdates', { kind: 'field', field: 'phone' }],
    ['customer.email', { kind: 'field', field: 'email' }],
    ['code', { kind: 'field', field: 'code' }],
    ['customer', { kind: 'field', field: 'code' }],
    ['lines.2.quantity', { kind: 'line', index: 2 }],
    ['lines.0', { kind: 'line', index: 0 }],
    ['lines', { kind: 'form' }],
    ['Idempotency-Key', { kind: 'form' }],
    [undefined, { kind: 'form' }],
  ])('puts %s at %j', (field, expected) => {
    expect(checkoutErrorTarget(field)).toEqual(expected);
  });
});

describe('checkoutErrors', () => {
  it('places a phone error under the phone', () => {
    const error = new ApiError(400, { code: 'invalid_input', message: 'invalid customer.phone: "12"', field: 'customer.phone', value: '12' });
    expect(checkoutErrors(error, money)).toEqual({ fields: { phone: { key: 'checkout.error.phoneNoPlus', params: {} } }, lines: {}, form: null });
  });

  it('places a sold-out line under the line', () => {
    const error = new ApiError(409, { code: 'conflict', message: 'invalid lines.1.itemId: "burrito" (Burrito is sold out)', field: 'lines.1.itemId', value: 'burrito' });
    expect(checkoutErrors(error, money)).toEqual({ fields: {}, lines: { 1: { key: 'cart.problem.soldOutOrUnavailable', params: {} } }, form: null });
  });

  it('places a network failure above the button', () => {
    expect(checkoutErrors(new ApiError(0, { code: 'network', message: 'no reply' }), money)).toEqual({ fields: {}, lines: {}, form: { key: 'error.network', params: {} } });
  });
});

describe('clearFieldError', () => {
  const errors: CheckoutErrors = {
    fields: {
      name: { key: 'checkout.error.name', params: { max: 120 } },
      phone: { key: 'checkout.error.phoneInvalid', params: {} },
      email: { key: 'checkout.error.email', params: {} },
      code: { key: 'code.error.customerRequired', params: { code: '' } },
    },
    lines: { 0: { key: 'cart.problem.special_limit', params: {} } },
    form: { key: 'error.network', params: {} },
  };

  it('clears the edited field and keeps the rest', () => {
    const cleared = clearFieldError(errors, 'name');
    expect(cleared.fields).toEqual({ phone: errors.fields.phone, email: errors.fields.email, code: errors.fields.code });
    expect(cleared.lines).toEqual(errors.lines);
    expect(cleared.form).toEqual(errors.form);
  });

  it.each(['phone', 'email'] as const)('clears a code that needs a customer when %s changes', (edited) => {
    const cleared = clearFieldError(errors, edited);
    expect(cleared.fields[edited]).toBeUndefined();
    expect(cleared.fields.code).toBeUndefined();
  });

  it('keeps a code error the customer cannot fix by phone', () => {
    const expired: CheckoutErrors = { ...NO_CHECKOUT_ERRORS, fields: { code: { key: 'code.error.expired', params: { code: 'K7QW' } } } };
    expect(clearFieldError(expired, 'phone').fields).toEqual({ code: { key: 'code.error.expired', params: { code: 'K7QW' } } });
  });

  it('clears the text message error on its checkbox only', () => {
    const needsPhone: CheckoutErrors = { ...NO_CHECKOUT_ERRORS, fields: { phone: { key: 'checkout.error.smsNeedsPhone', params: {} } } };
    expect(clearFieldError(needsPhone, 'smsUpdates').fields).toEqual({});
    expect(clearFieldError(errors, 'smsUpdates').fields.phone).toEqual({ key: 'checkout.error.phoneInvalid', params: {} });
  });

  it('leaves the given errors unchanged', () => {
    clearFieldError(errors, 'phone');
    expect(Object.keys(errors.fields)).toEqual(['name', 'phone', 'email', 'code']);
  });
});
