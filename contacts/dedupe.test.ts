import { describe, expect, it } from 'vitest';
import { Deduplicator, contactKey } from './dedupe.js';
import { normalizeEmail } from './email.js';
import { normalizePhone } from './phone.js';

function keysOf(row: { email?: string; phone?: string }) {
  const email = row.email === undefined ? undefined : normalizeEmail(row.email);
  const phone = row.phone === undefined ? undefined : normalizePhone(row.phone, 'US');
  return contactKey({
    email: email?.ok ? email.email : undefined,
    phone: phone?.ok ? phone.e164 : undefined,
  });
}

describe('contactKey', () => {
  it('returns both keys', () => {
    expect(contactKey({ email: 'ann@example.com', phone: '+14155552671' })).toEqual({
      email: 'ann@example.com',
      phone: '+14155552671',
    });
  });

  it.each([{}, { email: '' }, { phone: '' }])('returns no keys for %j', (contact) => {
    expect(contactKey(contact)).toEqual({});
  });

  it.each([
    [{ email: 'Ann@example.com' }, /email "Ann@example.com" is not normalized/],
    [{ email: ' ann@example.com' }, /is not normalized/],
    [{ email: 'not an email' }, /is not normalized/],
    [{ phone: '(415) 555-2671' }, /phone "\(415\) 555-2671" is not in E.164 form/],
    [{ phone: '+0123' }, /not in E.164 form/],
  ])('throws on raw value %j', (contact, message) => {
    expect(() => contactKey(contact)).toThrow(message);
  });
});

describe('Deduplicator', () => {
  // Each row is [raw email, raw phone, expected result of add()].
  const stream: Array<[email: string | undefined, phone: string | undefined, isNew: boolean]> = [
    ['ann@example.com', '(415) 555-2671', true],
    ['  ANN@Example.com ', undefined, false],
    [undefined, '+1 415-555-2671', false],
    ['bob@example.com', '0086 138 0013 8000', true],
    ['carol@example.com', '+86 138 0013 8000', false],
    ['carol@example.com', '650 253 0000', false],
    [undefined, '650-253-0000', false],
    ['dave@example.com', undefined, true],
    [undefined, '212 555 0123', true],
    [undefined, undefined, true],
    [undefined, undefined, true],
  ];

  it('finds duplicates across email and phone', () => {
    const deduplicator = new Deduplicator();
    const results = stream.map(([email, phone]) => deduplicator.add(keysOf({ email, phone })));
    expect(results).toEqual(stream.map(([, , isNew]) => isNew));
  });

  it('counts each distinct key once', () => {
    const deduplicator = new Deduplicator();
    for (const [email, phone] of stream) {
      deduplicator.add(keysOf({ email, phone }));
    }
    // ann, +14155552671, bob, +8613800138000, carol, +16502530000, dave, +12125550123
    expect(deduplicator.size).toBe(8);
  });

  it('has() does not add keys', () => {
    const deduplicator = new Deduplicator();
    const keys = contactKey({ email: 'ann@example.com', phone: '+14155552671' });
    expect(deduplicator.has(keys)).toBe(false);
    expect(deduplicator.size).toBe(0);
    deduplicator.add(keys);
    expect(deduplicator.has({ phone: '+14155552671' })).toBe(true);
    expect(deduplicator.has({ email: 'ann@example.com' })).toBe(true);
    expect(deduplicator.has({ email: 'bob@example.com' })).toBe(false);
  });
});
