import { describe, expect, it } from 'vitest';
import { readTruckChoice, saveTruckChoice, TRUCK_STORAGE_KEY } from './truck-choice.js';

/** Creates a Storage stand-in over a Map, or one that throws on every call like a blocked localStorage. */
function memoryStorage(blocked = false) {
  const items = new Map<string, string>();
  const check = () => {
    if (blocked) throw new DOMException('The operation is insecure.', 'SecurityError');
  };
  return {
    items,
    getItem: (key: string) => (check(), items.get(key) ?? null),
    setItem: (key: string, value: string) => (check(), void items.set(key, value)),
    removeItem: (key: string) => (check(), void items.delete(key)),
  };
}

describe('truck choice', () => {
  it('saves and reads the truck id', () => {
    const storage = memoryStorage();
    saveTruckChoice('truck-1', storage);
    expect(storage.items.get(TRUCK_STORAGE_KEY)).toBe('truck-1');
    expect(readTruckChoice(storage)).toBe('truck-1');
  });

  it('forgets the choice for null', () => {
    const storage = memoryStorage();
    saveTruckChoice('truck-1', storage);
    saveTruckChoice(null, storage);
    expect(storage.items.has(TRUCK_STORAGE_KEY)).toBe(false);
    expect(readTruckChoice(storage)).toBeNull();
  });

  it('reads a blank value as no choice', () => {
    const storage = memoryStorage();
    storage.items.set(TRUCK_STORAGE_KEY, '  ');
    expect(readTruckChoice(storage)).toBeNull();
  });

  it('works without storage', () => {
    const storage = memoryStorage(true);
    expect(() => saveTruckChoice('truck-1', storage)).not.toThrow();
    expect(readTruckChoice(storage)).toBeNull();
    expect(readTruckChoice(undefined)).toBeNull();
  });
});
