import { describe, expect, it } from 'vitest';
import { checkCustomerForm } from './customer-check.js';

const blank = { name: '', phone: '', email: '', smsUpdates: false };

describe('checkCustomerForm', () => {
  it('accepts blank details', () => {
    expect(checkCustomerForm(blank)).toEqual({});
  });

  it.each(['+14155550142', ' +1 (415) 555-0142 ', '+86 138 0013 8000', '+683 4002', '+44.20.7946.0958'])('accepts phone %j', (phone) => {
    expect(checkCustomerForm({ ...blank, phone })).toEqual({});
  });

  it.each([
    ['4155550142', 'checkout.error.phoneNoPlus'],
    ['001 415 555 0142', 'checkout.error.phoneNoPlus'],
    ['+1 415 CALL NOW', 'checkout.error.phoneInvalid'],
    ['+1 415 555 0142 ext 12', 'checkout.error.phoneInvalid'],
    ['+12345', 'checkout.error.phoneInvalid'],
    ['+1234567890123456', 'checkout.error.phoneInvalid'],
    ['+', 'checkout.error.phoneInvalid'],
  ])('rejects phone %j', (phone, key) => {
    expect(checkCustomerForm({ ...blank, phone })).toEqual({ phone: { key, params: {} } });
  });

  it.each(['ana@example.com', ' Ana.Lee+lunch@example.co.uk ', "o'brien@example.ie"])('accepts email %j', (email) => {
    expect(checkCustomerForm({ ...blank, email })).toEqual({});
  });

  it.each(['ana@', 'ana', '@example.com', 'ana lee@example.com', 'ana@exa mple.com', 'ana@-example.com'])('rejects email %j', (email) => {
    expect(checkCustomerForm({ ...blank, email })).toEqual({ email: { key: 'checkout.error.email', params: {} } });
  });

  it('rejects a name over 120 characters', () => {
    expect(checkCustomerForm({ ...blank, name: 'A'.repeat(120) })).toEqual({});
    expect(checkCustomerForm({ ...blank, name: 'A'.repeat(121) })).toEqual({ name: { key: 'checkout.error.name', params: { max: 120 } } });
  });

  it('reports every bad field at once', () => {
    expect(checkCustomerForm({ name: 'Ana', phone: '555', email: 'ana@', smsUpdates: true })).toEqual({
      phone: { key: 'checkout.error.phoneNoPlus', params: {} },
      email: { key: 'checkout.error.email', params: {} },
    });
  });
});
