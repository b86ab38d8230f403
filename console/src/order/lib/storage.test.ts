import { describe, expect, it } from 'vitest';
import {
  clearCart,
  clearOrderSession,
  forgetDeviceCredentials,
  readDeviceCredentials,
  readLocationConsent,
  readCart,
  readOrderSession,
  saveCart,
  saveDeviceCredentials,
  saveLocationConsent,
  saveOrderSession,
  type KeyValueStore,
} from './storage.js';

function memoryStore(): KeyValueStore & { entries: Map<string, string> } {
  const entries = new Map<string, string>();
  return {
    entries,
    getItem: (key) => entries.get(key) ?? null,
    setItem: (key, value) => void entries.set(key, value),
    removeItem: (key) => void entries.delete(key),
  };
}

describe('device credentials', () => {
  it('round-trip through the store', () => {
    const store = memoryStore();
    saveDeviceCredentials(store, { deviceId: 'd1', token: 'secret', lastSeq: 12 });
    expect(readDeviceCredentials(store)).toEqual({ deviceId: 'd1', token: 'secret', lastSeq: 12 });
    forgetDeviceCredentials(store);
    expect(readDeviceCredentials(store)).toBeNull();
  });

  it('start the numbering at 0 without a valid lastSeq', () => {
    const store = memoryStore();
    store.setItem('cloudburst.order.device', JSON.stringify({ deviceId: 'd1', token: 'secret', lastSeq: -3 }));
    expect(readDeviceCredentials(store)).toEqual({ deviceId: 'd1', token: 'secret', lastSeq: 0 });
  });

  it.each(['not json', '[]', '{"deviceId":"d1"}', '{"deviceId":"d1","token":""}'])('drop a stored %s', (text) => {
    const store = memoryStore();
    store.setItem('cloudburst.order.device', text);
    expect(readDeviceCredentials(store)).toBeNull();
  });

  it('work without a store', () => {
    saveDeviceCredentials(null, { deviceId: 'd1', token: 'secret', lastSeq: 0 });
    expect(readDeviceCredentials(null)).toBeNull();
  });
});

describe('order session', () => {
  it('round-trips and clears', () => {
    const store = memoryStore();
    saveOrderSession(store, { orderId: 'o1', orderToken: 'secret', deviceLinked: true, truckName: 'Taco Loco' });
    expect(readOrderSession(store)).toEqual({ orderId: 'o1', orderToken: 'secret', deviceLinked: true, truckName: 'Taco Loco' });
    clearOrderSession(store);
    expect(readOrderSession(store)).toBeNull();
  });

  it('reads a session without deviceLinked or truckName', () => {
    const store = memoryStore();
    store.setItem('cloudburst.order.session', '{"orderId":"o1","orderToken":"secret","truckName":7}');
    expect(readOrderSession(store)).toEqual({ orderId: 'o1', orderToken: 'secret', deviceLinked: false, truckName: null });
  });

  it('survives a store that throws on write', () => {
    const store: KeyValueStore = {
      getItem: () => null,
      setItem: () => {
        throw new DOMException('quota exceeded', 'QuotaExceededError');
      },
      removeItem: () => {},
    };
    expect(() => saveOrderSession(store, { orderId: 'o1', orderToken: 'secret', deviceLinked: false, truckName: null })).not.toThrow();
  });
});

describe('location consent', () => {
  it('is remembered and withdrawn', () => {
    const store = memoryStore();
    expect(readLocationConsent(store)).toBe(false);
    saveLocationConsent(store, true);
    expect(readLocationConsent(store)).toBe(true);
    saveLocationConsent(store, false);
    expect(readLocationConsent(store)).toBe(false);
  });
});

describe('cart', () => {
  const CART = {
    truckId: 't1',
    lines: [
      { itemId: 'taco', quantity: 2, choices: ['roja'] },
      { itemId: 'horchata', quantity: 1, choices: [] },
    ],
    names: { taco: { name: 'Carnitas taco', translations: { 'zh-CN': { name: '猪肉塔可' } } }, horchata: { name: 'Horchata' } },
  };

  it('round-trips and clears', () => {
    const store = memoryStore();
    saveCart(store, CART);
    expect(readCart(store)).toEqual(CART);
    clearCart(store);
    expect(store.entries.has('cloudburst.order.cart')).toBe(false);
    expect(readCart(store)).toBeNull();
  });

  it('removes the saved cart when emptied', () => {
    const store = memoryStore();
    saveCart(store, CART);
    saveCart(store, { truckId: 't1', lines: [], names: {} });
    expect(store.entries.has('cloudburst.order.cart')).toBe(false);
  });

  it('drops malformed lines and names', () => {
    const store = memoryStore();
    const stored = {
      truckId: 't1',
      lines: [{ itemId: 'taco', quantity: 0, choices: [] }, { itemId: 'elote', quantity: 1.5, choices: [] }, { itemId: 'horchata', quantity: 1, choices: [3] }, { itemId: 'agua', quantity: 3, choices: [] }, null],
      names: { agua: { name: 'Agua fresca' }, taco: { name: 4 }, elote: null },
    };
    store.setItem('cloudburst.order.cart', JSON.stringify(stored));
    expect(readCart(store)).toEqual({ truckId: 't1', lines: [{ itemId: 'agua', quantity: 3, choices: [] }], names: { agua: { name: 'Agua fresca' } } });
  });

  it.each(['not json', '[]', '{"lines":[]}', '{"truckId":"t1","lines":"taco"}', '{"truckId":"t1","lines":[{"itemId":"taco","quantity":-1,"choices":[]}]}'])('reads %s as no cart', (text) => {
    const store = memoryStore();
    store.setItem('cloudburst.order.cart', text);
    expect(readCart(store)).toBeNull();
  });

  it('works without a store', () => {
    saveCart(null, CART);
    expect(readCart(null)).toBeNull();
  });
});
