import { describe, expect, it } from 'vitest';
import { assignIds, claimId, idFromName } from './menu-ids.js';

/** The id rule of the server's menu schema. */
const VALID_ID = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

describe('idFromName', () => {
  it.each([
    ['Burger', 'burger'],
    ['Crème brûlée', 'creme-brulee'],
    ['  Fish & Chips!  ', 'fish-chips'],
    ['Taco #2', 'taco-2'],
    ['红烧肉', 'item'],
    ['', 'item'],
  ])('derives %j as %j', (name, id) => {
    expect(idFromName(name, 'item')).toBe(id);
  });

  it('keeps a long name within the id limit', () => {
    const id = idFromName('a very long name '.repeat(10), 'item');
    expect(id.length).toBeLessThanOrEqual(58);
    expect(id).toMatch(VALID_ID);
    expect(id.endsWith('-')).toBe(false);
  });
});

describe('claimId', () => {
  it('adds a suffix while the id is taken', () => {
    const taken = new Set(['taco', 'taco-2']);
    expect(claimId('taco', taken)).toBe('taco-3');
    expect(taken.has('taco-3')).toBe(true);
  });
});

describe('assignIds', () => {
  it('keeps saved ids, derives new ones', () => {
    const ids = assignIds(
      [
        { id: '', name: 'Taco' },
        { id: 'taco', name: 'Old taco' },
        { id: '', name: 'Taco' },
        { id: '', name: '饺子' },
        { id: '', name: '包子' },
      ],
      'item',
    );
    expect(ids).toEqual(['taco-2', 'taco', 'taco-3', 'item', 'item-2']);
  });

  it('avoids ids already taken elsewhere', () => {
    expect(assignIds([{ id: '', name: 'Large' }], 'choice', new Set(['large']))).toEqual(['large-2']);
  });
});
