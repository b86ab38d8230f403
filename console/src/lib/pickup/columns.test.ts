import { describe, expect, it } from 'vitest';
import { boardMoves, groupByStatus, isLate } from './columns.js';
import { liveOrder } from './test-orders.js';

const READY_AT = '2026-12-04T20:10:00.000Z';
const READY_AT_MS = Date.parse(READY_AT);

describe('groupByStatus', () => {
  it('splits orders into the three columns in their order', () => {
    const orders = [
      liveOrder({ id: 'p1', status: 'paid' }),
      liveOrder({ id: 'r1', status: 'ready' }),
      liveOrder({ id: 'c1', status: 'preparing' }),
      liveOrder({ id: 'p2', status: 'paid' }),
    ];
    const columns = groupByStatus(orders);
    expect(Object.fromEntries(Object.entries(columns).map(([status, list]) => [status, list.map((order) => order.id)]))).toEqual({
      paid: ['p1', 'p2'],
      preparing: ['c1'],
      ready: ['r1'],
    });
  });

  it('returns three empty columns for no orders', () => {
    expect(groupByStatus([])).toEqual({ paid: [], preparing: [], ready: [] });
  });

  it('leaves out orders off the board', () => {
    const columns = groupByStatus([liveOrder({ id: 'x', status: 'picked_up' }), liveOrder({ id: 'y', status: 'placed' })]);
    expect(columns).toEqual({ paid: [], preparing: [], ready: [] });
  });
});

describe('boardMoves', () => {
  it.each([
    ['paid', ['preparing', 'ready']],
    ['preparing', ['ready']],
    ['ready', ['picked_up']],
    ['placed', []],
    ['picked_up', []],
    ['cancelled', []],
    ['refunded', []],
  ] as const)('offers %s the moves %j', (status, moves) => {
    expect(boardMoves(status)).toEqual(moves);
  });
});

describe('isLate', () => {
  it('is false up to the estimated ready time', () => {
    expect(isLate(liveOrder({ id: 'a', estimatedReadyAt: READY_AT }), READY_AT_MS)).toBe(false);
  });

  it.each(['paid', 'preparing'] as const)('is true for a %s order past its estimate', (status) => {
    expect(isLate(liveOrder({ id: 'a', status, estimatedReadyAt: READY_AT }), READY_AT_MS + 1)).toBe(true);
  });

  it('is false for a ready order past its estimate', () => {
    expect(isLate(liveOrder({ id: 'a', status: 'ready', estimatedReadyAt: READY_AT }), READY_AT_MS + 60_000)).toBe(false);
  });

  it('is false without an estimate or with a malformed one', () => {
    expect(isLate(liveOrder({ id: 'a', estimatedReadyAt: null }), READY_AT_MS)).toBe(false);
    expect(isLate(liveOrder({ id: 'a', estimatedReadyAt: 'soon' }), READY_AT_MS)).toBe(false);
  });
});
