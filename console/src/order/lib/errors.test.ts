import { describe, expect, it } from 'vitest';
import { checkoutErrors, checkoutErrorTarget, errorMessage } from './errors.js';
import { ApiError } from '../../../../sdk/orders/http.js';

const money = (amountMinor: number) => `$${(amountMinor / 100).toFixed(2)}`;

describe('errorMessage', () => {
  it('names a request without reply', () => {
    expect(errorMessage(new ApiError(0, { code: 'network', message: 'no reply' }), money)).toEqual({ key: 'error.network', params: {} });
  });

  it('names the rate limit and server errors', () => {
    expect(errorMessage(new ApiError(429, { code: 'too_many_requests', message: 'retry in 20 s' }), money)).toEqual({ key: 'error.tooManyRequests', params: {} });
    expect(errorMessage(new ApiError(503, { code: 'unavailable', message: 'store down' }), money)).toEqual({ key: 'error.server', params: { status: 503 } });
  });

  it('uses the page sentence for a code reason', () => {
    const error = new ApiError(400, { code: 'invalid_input', message: 'code K7QW expired at …', field: 'code', value: 'K7QW', reason: 'expired' });
    expect(errorMessage(error, money)).toEqual({ key: 'code.error.expired', params: { code: 'K7QW' } });
  });

  it('formats the missing amount of a minimum spend', () => {
    const error = new ApiError(400, { code: 'invalid_input', message: 'code does not apply', field: 'code', value: 'K7QW', reason: 'min_spend', missingMinor: 350 });
    expect(errorMessage(error, money)).toEqual({ key: 'code.error.minSpend', params: { amount: '$3.50' } });
  });

  it('shows the server message of any other rejection', () => {
    const error = new ApiError(400, { code: 'invalid_input', message: 'invalid customer.phone: "12" (expected an international number starting with +)', field: 'customer.phone', value: '12' });
    expect(errorMessage(error, money)).toEqual({ key: 'error.rejected', params: { message: 'invalid customer.phone: "12" (expected an international number starting with +)' } });
  });

  it('reports an error that is not from the API', () => {
    expect(errorMessage(new TypeError('invalid order reply: missing "order" object'), money)).toEqual({
      key: 'error.unexpected',
      params: { message: 'invalid order reply: missing "order" object' },
    });
  });
});

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
    expect(checkoutErrors(error, money)).toEqual({ fields: { phone: { key: 'error.rejected', params: { message: 'invalid customer.phone: "12"' } } }, lines: {}, form: null });
  });

  it('places a sold-out line under the line', () => {
    const error = new ApiError(409, { code: 'conflict', message: 'invalid lines.1.itemId: "burrito" (Burrito is sold out)', field: 'lines.1.itemId', value: 'burrito' });
    expect(checkoutErrors(error, money)).toEqual({ fields: {}, lines: { 1: { key: 'error.rejected', params: { message: 'invalid lines.1.itemId: "burrito" (Burrito is sold out)' } } }, form: null });
  });

  it('places a network failure above the button', () => {
    expect(checkoutErrors(new ApiError(0, { code: 'network', message: 'no reply' }), money)).toEqual({ fields: {}, lines: {}, form: { key: 'error.network', params: {} } });
  });
});
