import { describe, expect, it } from 'vitest';
import { buildOrderBody, cancelOrderRequest, cardTokenRequest, codeOfferRequest, confirmPaymentRequest, menuRequest, orderRequest, payRequest, placeOrderRequest, type CustomerForm } from './requests.js';

const BLANK: CustomerForm = { name: '', phone: '', email: '', smsUpdates: false };
const LINES = [{ itemId: 'taco', quantity: 2, choices: ['verde'] }];

describe('buildOrderBody', () => {
  it('leaves out blank fields and a missing code', () => {
    expect(buildOrderBody({ truckId: 't1', lines: LINES, customer: { ...BLANK, name: '  ' }, code: '  ' })).toEqual({
      truckId: 't1',
      lines: [{ itemId: 'taco', quantity: 2, choices: ['verde'] }],
      customer: {},
    });
  });

  it('trims the fields and adds the code and device token', () => {
    const body = buildOrderBody({
      truckId: 't1',
      lines: LINES,
      code: ' TACO-7788 ',
      customer: { name: ' Ana ', phone: ' +14155550101 ', email: ' ana@example.com ', smsUpdates: false },
      deviceToken: 'device-secret',
    });
    expect(body).toEqual({
      truckId: 't1',
      lines: LINES,
      code: 'TACO-7788',
      customer: { name: 'Ana', phone: '+14155550101', email: 'ana@example.com', deviceToken: 'device-secret' },
    });
  });

  it('sends the text consent only with a phone', () => {
    expect(buildOrderBody({ truckId: 't1', lines: LINES, customer: { ...BLANK, phone: '+14155550101', smsUpdates: true } }).customer).toEqual({
      phone: '+14155550101',
      smsUpdates: true,
    });
    expect(buildOrderBody({ truckId: 't1', lines: LINES, customer: { ...BLANK, email: 'a@example.com', smsUpdates: true } }).customer).toEqual({
      email: 'a@example.com',
    });
  });

  it('sends no consent when the box is unticked', () => {
    expect(buildOrderBody({ truckId: 't1', lines: LINES, customer: { ...BLANK, phone: '+14155550101' } }).customer).not.toHaveProperty('smsUpdates');
  });

  it('copies the lines', () => {
    const lines = [{ itemId: 'taco', quantity: 1, choices: ['verde'] }];
    const body = buildOrderBody({ truckId: 't1', lines, customer: BLANK });
    lines[0]!.choices.push('roja');
    expect(body.lines).toEqual([{ itemId: 'taco', quantity: 1, choices: ['verde'] }]);
  });
});

describe('request builders', () => {
  it('escape the code and truck id in the path', () => {
    expect(codeOfferRequest(' TACO 1/2 ')).toEqual({ method: 'GET', path: '/v1/codes/TACO%201%2F2/offer', headers: {} });
    expect(menuRequest('a/b')).toEqual({ method: 'GET', path: '/v1/trucks/a%2Fb/menu', headers: {} });
  });

  it('place the order with its key', () => {
    const body = buildOrderBody({ truckId: 't1', lines: LINES, customer: BLANK });
    expect(placeOrderRequest(body, 'key-1')).toEqual({
      method: 'POST',
      path: '/v1/orders',
      headers: { 'content-type': 'application/json', 'idempotency-key': 'key-1' },
      body: JSON.stringify(body),
    });
  });

  it('read the order with its token', () => {
    expect(orderRequest('o1', 'secret')).toEqual({ method: 'GET', path: '/v1/orders/o1', headers: { authorization: 'Bearer secret' } });
  });

  it('cancel the order with its token and no body', () => {
    expect(cancelOrderRequest('o/1', 'secret')).toEqual({ method: 'POST', path: '/v1/orders/o%2F1/cancel', headers: { authorization: 'Bearer secret' } });
  });

  it('tokenize the card', () => {
    const request = cardTokenRequest({ number: '4242424242424242', expMonth: 4, expYear: 2031, cvc: '123' });
    expect(request.path).toBe('/v1/payments/sandbox/tokens');
    expect(JSON.parse(request.body!)).toEqual({ number: '4242424242424242', expMonth: 4, expYear: 2031, cvc: '123' });
  });

  it('pay with a token or with nothing', () => {
    const withCard = payRequest('o1', 'secret', 'pm_1', 'key-2');
    expect(withCard).toEqual({
      method: 'POST',
      path: '/v1/orders/o1/payments',
      headers: { 'content-type': 'application/json', authorization: 'Bearer secret', 'idempotency-key': 'key-2' },
      body: '{"paymentMethod":"pm_1"}',
    });
    expect(payRequest('o1', 'secret', null, 'key-3').body).toBe('{}');
  });

  it('confirm the payment', () => {
    expect(confirmPaymentRequest('o1', 'secret', 'pay_1', false)).toEqual({
      method: 'POST',
      path: '/v1/orders/o1/payments/pay_1/confirm',
      headers: { 'content-type': 'application/json', authorization: 'Bearer secret' },
      body: '{"authenticated":false}',
    });
  });
});
