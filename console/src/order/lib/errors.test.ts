import { describe, expect, it } from 'vitest';
import { en } from '../messages/en.js';
import { zhCN } from '../messages/zh-CN.js';
import { formatMessage } from '../../lib/messages/index.js';
import { errorMessage } from './errors.js';
import { ApiError, type ErrorBody } from '../../../../sdk/orders/http.js';

const money = (amountMinor: number) => `$${(amountMinor / 100).toFixed(2)}`;

const rejection = (status: number, body: ErrorBody) => new ApiError(status, body);

describe('errorMessage', () => {
  it('names a request without reply', () => {
    expect(errorMessage(new ApiError(0, { code: 'network', message: 'no reply' }), money)).toEqual({ key: 'error.network', params: {} });
  });

  it('names the rate limit and server errors', () => {
    expect(errorMessage(rejection(429, { code: 'too_many_requests', message: 'retry in 20 s' }), money)).toEqual({ key: 'error.tooManyRequests', params: {} });
    expect(errorMessage(rejection(503, { code: 'unavailable', message: 'store down' }), money)).toEqual({ key: 'error.server', params: { status: 503 } });
  });

  it.each([
    ['unknown', 'code.error.unknown', { code: 'K7QW-2345' }],
    ['malformed', 'code.error.malformed', { code: 'K7QW-2345' }],
    ['campaign_not_live', 'code.error.campaignEnded', { code: 'K7QW-2345' }],
    ['not_yet_valid', 'code.error.notYetValid', { code: 'K7QW-2345' }],
    ['expired', 'code.error.expired', { code: 'K7QW-2345' }],
    ['already_redeemed', 'code.error.redeemed', { code: 'K7QW-2345' }],
    ['currency_mismatch', 'code.error.currency', { code: 'K7QW-2345' }],
    ['item_not_in_cart', 'code.error.itemNotInCart', { code: 'K7QW-2345' }],
  ])('maps code reason %s', (reason, key, params) => {
    const error = rejection(400, { code: 'invalid_input', message: `code K7QW-2345 rejected: ${reason}`, field: 'code', value: 'K7QW-2345', reason });
    expect(errorMessage(error, money)).toEqual({ key, params });
  });

  it('maps a shared code without customer', () => {
    const error = rejection(400, { code: 'invalid_input', message: 'invalid customer: missing', field: 'customer', value: '{}', reason: 'customer_required' });
    expect(errorMessage(error, money)).toEqual({ key: 'code.error.customerRequired', params: { code: '' } });
  });

  it('tells another truck from another customer', () => {
    const truck = rejection(400, { code: 'invalid_input', message: 'code K7QW is not valid at truck t2', field: 'code', value: 'K7QW', reason: 'foreign' });
    const customer = rejection(400, { code: 'invalid_input', message: 'code K7QW was issued to another customer', field: 'customer', value: '{"phone":"+14155550100"}', reason: 'foreign' });
    expect(errorMessage(truck, money)).toEqual({ key: 'code.error.otherTruck', params: {} });
    expect(errorMessage(customer, money)).toEqual({ key: 'code.error.foreign', params: {} });
  });

  it('formats the missing amount of a minimum spend', () => {
    const error = rejection(400, { code: 'invalid_input', message: 'code does not apply', field: 'code', value: 'K7QW', reason: 'min_spend', missingMinor: 350 });
    expect(errorMessage(error, money)).toEqual({ key: 'code.error.minSpend', params: { amount: '$3.50' } });
  });

  it('asks for more without missingMinor', () => {
    const error = rejection(400, { code: 'invalid_input', message: 'code does not apply', field: 'code', value: 'K7QW', reason: 'min_spend' });
    expect(errorMessage(error, money)).toEqual({ key: 'code.error.minSpendMore', params: {} });
  });

  it('maps a code the server cannot read', () => {
    const error = rejection(400, { code: 'invalid_input', message: 'invalid code: "K0QW" contains "0", which codes never use', field: 'code', value: 'K0QW' });
    expect(errorMessage(error, money)).toEqual({ key: 'code.error.malformed', params: {} });
  });

  it.each([
    ['12', 'checkout.error.phoneNoPlus'],
    [' 4155550100', 'checkout.error.phoneNoPlus'],
    ['+1 555 010 0000', 'checkout.error.phoneInvalid'],
  ])('maps phone %j', (value, key) => {
    const error = rejection(400, { code: 'invalid_input', message: `invalid customer.phone: ${JSON.stringify(value)}`, field: 'customer.phone', value });
    expect(errorMessage(error, money)).toEqual({ key, params: {} });
  });

  it.each([
    ['customer.email', 'ana@example', { key: 'checkout.error.email', params: {} }],
    ['customer.smsUpdates', true, { key: 'checkout.error.smsNeedsPhone', params: {} }],
    ['customer.name', 'A'.repeat(121), { key: 'checkout.error.name', params: { max: 120 } }],
  ])('maps %s', (field, value, expected) => {
    const error = rejection(400, { code: 'invalid_input', message: `invalid ${field}`, field, value });
    expect(errorMessage(error, money)).toEqual(expected);
  });

  it.each([
    [409, 'lines.1.itemId', 'burrito', { key: 'cart.problem.soldOutOrUnavailable', params: {} }],
    [400, 'lines.1.itemId', 'pozole', { key: 'cart.problem.unknown_item', params: {} }],
    [409, 'lines.0.quantity', 3, { key: 'cart.problem.special_limit', params: {} }],
    [400, 'lines.0.quantity', 0, { key: 'cart.problem.invalid_quantity', params: { maxQuantity: 20 } }],
    [400, 'lines.2.choices', '["roja","roja"]', { key: 'cart.problem.unknown_choice', params: {} }],
    [400, 'lines', 60, { key: 'cart.problem.too_many_items', params: { max: 50 } }],
    [400, 'lines', '[]', { key: 'cart.problem.empty', params: {} }],
  ])('maps HTTP %i on %s', (status, field, value, expected) => {
    const error = rejection(status, { code: status === 409 ? 'conflict' : 'invalid_input', message: `invalid ${field}`, field, value });
    expect(errorMessage(error, money)).toEqual(expected);
  });

  it('asks for the card again after an unknown token', () => {
    const error = rejection(400, {
      code: 'invalid_input',
      message: 'invalid paymentMethod: unknown or expired sandbox token; have the customer enter the card again to get a new token',
      field: 'paymentMethod',
    });
    expect(errorMessage(error, money)).toEqual({ key: 'payment.error.cardAgain', params: {} });
  });

  it('maps an order no longer payable', () => {
    const error = rejection(409, { code: 'conflict', message: 'order o1 is cancelled; only a placed order can be paid', field: 'id', value: 'o1' });
    expect(errorMessage(error, money)).toEqual({ key: 'payment.error.notPayable', params: {} });
  });

  it('maps an unknown truck on ordering', () => {
    const error = rejection(404, { code: 'not_found', message: 'truck t9 not found', field: 'truckId', value: 't9' });
    expect(errorMessage(error, money)).toEqual({ key: 'checkout.error.truck', params: {} });
  });

  it('keeps the server text as detail for any other rejection', () => {
    const error = rejection(409, {
      code: 'conflict',
      message: 'Idempotency-Key "k1" was already used for order o1 with another request; use a new key for a new order',
      field: 'Idempotency-Key',
      value: 'k1',
    });
    expect(errorMessage(error, money)).toEqual({
      key: 'error.rejected',
      params: {},
      detail: 'Idempotency-Key "k1" was already used for order o1 with another request; use a new key for a new order',
    });
  });

  it('falls back for an unknown reason', () => {
    const error = rejection(400, { code: 'invalid_input', message: 'code K7QW: something new', field: 'code', value: 'K7QW', reason: 'something_new' });
    expect(errorMessage(error, money)).toEqual({ key: 'error.rejected', params: {}, detail: 'code K7QW: something new' });
    const other = rejection(403, { code: 'forbidden', message: 'nope', reason: 'something_new' });
    expect(errorMessage(other, money)).toEqual({ key: 'error.rejected', params: {}, detail: 'nope' });
  });

  it('reports an error that is not from the API', () => {
    expect(errorMessage(new TypeError('invalid order reply: missing "order" object'), money)).toEqual({
      key: 'error.unexpected',
      params: {},
      detail: 'invalid order reply: missing "order" object',
    });
  });

  it('puts no server English in the Chinese headline', () => {
    const error = rejection(400, { code: 'invalid_input', message: 'invalid (body): unknown field "tip"', field: 'tip' });
    const message = errorMessage(error, money);
    const headline = formatMessage(zhCN[message.key], message.params);
    expect(headline).toBe('此请求未被接受。请重试，或把下方的说明给店员看。');
    expect(formatMessage(en[message.key], message.params)).not.toContain('tip');
    expect(message.detail).toBe('invalid (body): unknown field "tip"');
  });
});
