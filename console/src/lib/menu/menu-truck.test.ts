import { describe, expect, it } from 'vitest';
import { TRUCK_STORAGE_KEY } from '../pickup/truck-choice.js';
import { MENU_TRUCK_STORAGE_KEY, readMenuTruck, saveMenuTruck } from './menu-truck.js';

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

describe('menu truck choice', () => {
  it('saves and reads the truck id under its own key', () => {
    const storage = memoryStorage();
    saveMenuTruck('truck-1', storage);
    expect(storage.items.get(MENU_TRUCK_STORAGE_KEY)).toBe('truck-1');
    expect(storage.items.has(TRUCK_STORAGE_KEY)).toBe(false);
    expect(readMenuTruck(storage)).toBe('truck-1');
  });

  it('starts on the pickup board truck', () => {
    const storage = memoryStorage();
    storage.items.set(TRUCK_STORAGE_KEY, 'truck-2');
    expect(readMenuTruck(storage)).toBe('truck-2');
    saveMenuTruck('truck-3', storage);
    expect(readMenuTruck(storage)).toBe('truck-3');
  });

  it('forgets the choice for null', () => {
    const storage = memoryStorage();
    saveMenuTruck('truck-1', storage);
    saveMenuTruck(null, storage);
    expect(storage.items.has(MENU_TRUCK_STORAGE_KEY)).toBe(false);
    expect(readMenuTruck(storage)).toBeNull();
  });

  it('ignores a blank saved id', () => {
    const storage = memoryStorage();
    storage.items.set(MENU_TRUCK_STORAGE_KEY, '  ');
    expect(readMenuTruck(storage)).toBeNull();
  });

  it('works without storage', () => {
    const blocked = memoryStorage(true);
    expect(() => saveMenuTruck('truck-1', blocked)).not.toThrow();
    expect(readMenuTruck(blocked)).toBeNull();
    expect(readMenuTruck(undefined)).toBeNull();
  });
});
