import { describe, expect, it } from 'vitest';
import { ApiError } from '../../../../sdk/orders/http.js';
import { cardBrandMessage, cardFieldMessage, checkCardForm, cvcHintMessage, isCardFieldError, parseExpiry, readPaymentReply } from './payment.js';

/** 2026-12-05T20:00:00Z: cards expiring in 12/26 are still valid. */
const NOW = Date.parse('2026-12-05T20:00:00.000Z');

const ORDER = {
  id: 'o1',
  truckId: 't1',
  status: 'placed',
  pickupNumber: null,
  currency: 'USD',
  lines: [],
  itemCount: 1,
  subtotalMinor: 450,
  discountMinor: 0,
  totalMinor: 450,
  code: null,
  estimatedReadyAt: null,
  updatedAt: '2026-12-05T20:00:00.000Z',
};
const PAID = { ...ORDER, status: 'paid', pickupNumber: '007' };
const PAYMENT = { id: 'pay_1', status: 'succeeded', amountMinor: 450, currency: 'USD', cardBrand: 'visa', cardLast4: '4242', declineCode: null };

describe('parseExpiry', () => {
  it.each([
    ['04/29', { expMonth: 4, expYear: 2029 }],
    ['4/29', { expMonth: 4, expYear: 2029 }],
    [' 12 / 2030 ', { expMonth: 12, expYear: 2030 }],
    ['0429', { expMonth: 4, expYear: 2029 }],
    ['13/29', { expMonth: 13, expYear: 2029 }],
    ['04-29', null],
    ['04/2', null],
    ['', null],
  ])('reads %j', (text, expected) => {
    expect(parseExpiry(text)).toEqual(expected);
  });
});

describe('checkCardForm', () => {
  it('accepts a valid card', () => {
    expect(checkCardForm({ number: '4242 4242 4242 4242', expiry: '12/26', cvc: '123' }, NOW)).toEqual({});
  });

  it('marks each bad field', () => {
    expect(checkCardForm({ number: '4242 4242 4242 4241', expiry: '11/26', cvc: '12' }, NOW)).toEqual({
      number: 'payment.error.number',
      expiry: 'payment.error.expiry',
      cvc: 'payment.error.cvc',
    });
  });

  it('marks an expiry that is not MM/YY', () => {
    expect(checkCardForm({ number: '4242424242424242', expiry: 'soon', cvc: '123' }, NOW)).toEqual({ expiry: 'payment.error.expiry' });
  });

  it('wants 4 CVC digits for American Express', () => {
    expect(checkCardForm({ number: '378282246310005', expiry: '12/27', cvc: '123' }, NOW)).toEqual({ cvc: 'payment.error.cvcAmex' });
  });

  it('wants 3 CVC digits for a Visa card', () => {
    expect(checkCardForm({ number: '4242 4242 4242 4242', expiry: '12/27', cvc: '1234' }, NOW)).toEqual({ cvc: 'payment.error.cvc' });
  });
});

describe('cvcHintMessage', () => {
  it.each([
    ['3782 822463 10005', 'payment.cvcHintAmex'],
    ['34', 'payment.cvcHintAmex'],
    ['4242 4242 4242 4242', 'payment.cvcHint'],
    ['5555-5555-5555-4444', 'payment.cvcHint'],
    ['', 'payment.cvcHint'],
    ['3', 'payment.cvcHint'],
  ])('%j gets %s', (number, expected) => {
    expect(cvcHintMessage(number)).toBe(expected);
  });
});

describe('cardFieldMessage', () => {
  it('names the front of an American Express card', () => {
    expect(cardFieldMessage('cvc', '371449635398431')).toBe('payment.error.cvcAmex');
  });

  it('keeps the other fields the same for every brand', () => {
    expect(cardFieldMessage('number', '371449635398431')).toBe('payment.error.number');
    expect(cardFieldMessage('expiry', '371449635398431')).toBe('payment.error.expiry');
    expect(cardFieldMessage('cvc', '4242424242424242')).toBe('payment.error.cvc');
  });
});

describe('readPaymentReply', () => {
  it('reads a payment', () => {
    expect(readPaymentReply({ status: 201, body: { order: PAID, payment: PAYMENT } })).toEqual({ kind: 'paid', order: PAID });
    expect(readPaymentReply({ status: 200, body: { order: PAID, payment: PAYMENT } }).kind).toBe('paid');
  });

  it('reads an authentication request', () => {
    const reply = { status: 202, body: { order: ORDER, payment: { ...PAYMENT, status: 'requires_action' }, nextAction: { type: 'sandbox_authenticate' } } };
    expect(readPaymentReply(reply)).toEqual({ kind: 'requires_action', order: ORDER, paymentId: 'pay_1' });
  });

  it('reads a payment still processing', () => {
    expect(readPaymentReply({ status: 202, body: { order: ORDER, payment: { ...PAYMENT, status: 'processing' } } })).toEqual({ kind: 'processing', order: ORDER });
  });

  it('reads a decline', () => {
    const body = {
      error: { code: 'payment_declined', message: 'payment pay_1 declined', field: 'paymentMethod', declineCode: 'generic_decline', retriable: false },
      order: ORDER,
      payment: { ...PAYMENT, status: 'declined', declineCode: 'generic_decline' },
    };
    expect(readPaymentReply({ status: 402, body })).toEqual({ kind: 'declined', order: ORDER, declineCode: 'generic_decline', failed: false, retriable: false });
  });

  it('reads a failed payment', () => {
    const body = {
      error: { code: 'payment_failed', message: 'payment pay_1 failed: processing_error', field: 'paymentMethod', declineCode: null, retriable: true },
      order: ORDER,
      payment: { ...PAYMENT, status: 'failed' },
    };
    expect(readPaymentReply({ status: 402, body })).toEqual({ kind: 'declined', order: ORDER, declineCode: null, failed: true, retriable: true });
  });

  it('reads a refund of a code spent elsewhere', () => {
    const body = {
      error: { code: 'conflict', message: 'code K7QW was already redeemed', reason: 'already_redeemed' },
      order: { ...ORDER, status: 'cancelled' },
      payment: { ...PAYMENT, status: 'refunded' },
    };
    expect(readPaymentReply({ status: 409, body })).toEqual({ kind: 'refunded', order: { ...ORDER, status: 'cancelled' }, reason: 'already_redeemed' });
  });

  it('throws other replies as ApiError', () => {
    const body = { error: { code: 'conflict', message: 'order o1 is paid; only a placed order can be paid', field: 'id', value: 'o1' } };
    expect(() => readPaymentReply({ status: 409, body })).toThrow(ApiError);
    expect(() => readPaymentReply({ status: 409, body })).toThrow('order o1 is paid; only a placed order can be paid');
  });
});

describe('isCardFieldError', () => {
  it('recognizes the tokenizer field errors', () => {
    expect(isCardFieldError(new ApiError(400, { code: 'invalid_input', message: 'invalid card.cvc', field: 'card.cvc' }))).toBe(true);
    expect(isCardFieldError(new ApiError(400, { code: 'invalid_input', message: 'invalid (body)', field: '(body)' }))).toBe(false);
    expect(isCardFieldError(new Error('x'))).toBe(false);
  });
});

describe('cardBrandMessage', () => {
  it('names the known brands', () => {
    expect(cardBrandMessage('amex')).toBe('card.brand.amex');
    expect(cardBrandMessage('elo')).toBeNull();
  });
});
