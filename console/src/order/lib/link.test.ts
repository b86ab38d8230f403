import { describe, expect, it } from 'vitest';
import { parseOrderLink } from './link.js';

const TRUCK = '3f1c2a9e-8b7d-4c6e-9f00-123456789abc';

describe('parseOrderLink', () => {
  it.each([
    ['?code=K7QW-9XTM', { code: 'K7QW-9XTM', truckId: null }],
    ['?code=%20wrap-7788%20', { code: 'wrap-7788', truckId: null }],
    [`?truck=${TRUCK.toUpperCase()}`, { code: null, truckId: TRUCK }],
    [`?code=A1&truck=${TRUCK}`, { code: 'A1', truckId: TRUCK }],
    ['?truck=not-a-uuid&code=', { code: null, truckId: null }],
    [`?code=${'A'.repeat(65)}`, { code: null, truckId: null }],
    ['', { code: null, truckId: null }],
  ])('reads %s', (search, expected) => {
    expect(parseOrderLink(search)).toEqual(expected);
  });
});
