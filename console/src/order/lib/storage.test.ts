import { describe, expect, it } from 'vitest';
import {
  clearOrderSession,
  forgetDeviceCredentials,
  readDeviceCredentials,
  readLocationConsent,
  readOrderSession,
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
    saveOrderSession(store, { orderId: 'o1', orderToken: 'secret', deviceLinked: true });
    expect(readOrderSession(store)).toEqual({ orderId: 'o1', orderToken: 'secret', deviceLinked: true });
    clearOrderSession(store);
    expect(readOrderSession(store)).toBeNull();
  });

  it('reads a session without deviceLinked as not linked', () => {
    const store = memoryStore();
    store.setItem('cloudburst.order.session', '{"orderId":"o1","orderToken":"secret"}');
    expect(readOrderSession(store)).toEqual({ orderId: 'o1', orderToken: 'secret', deviceLinked: false });
  });

  it('survives a store that throws on write', () => {
    const store: KeyValueStore = {
      getItem: () => null,
      setItem: () => {
        throw new DOMException('quota exceeded', 'QuotaExceededError');
      },
      removeItem: () => {},
    };
    expect(() => saveOrderSession(store, { orderId: 'o1', orderToken: 'secret', deviceLinked: false })).not.toThrow();
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
