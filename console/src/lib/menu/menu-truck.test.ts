import { describe, expect, it } from 'vitest';
import { saveTruckChoice, TRUCK_STORAGE_KEY } from '../pickup/truck-choice.js';
import { memoryStorage } from '../test-storage.js';
import { MENU_TRUCK_STORAGE_KEY, readMenuTruck, saveMenuTruck } from './menu-truck.js';

describe('menu truck choice', () => {
  it('saves and reads the truck id under its own key', () => {
    const storage = memoryStorage();
    saveMenuTruck('truck-1', storage);
    expect(MENU_TRUCK_STORAGE_KEY).toBe('cloudburst.menuTruck');
    expect(storage.items.get(MENU_TRUCK_STORAGE_KEY)).toBe('truck-1');
    expect(storage.items.has(TRUCK_STORAGE_KEY)).toBe(false);
    expect(readMenuTruck(storage)).toBe('truck-1');
  });

  it('starts on the pickup board truck', () => {
    const storage = memoryStorage();
    saveTruckChoice('truck-2', storage);
    expect(TRUCK_STORAGE_KEY).toBe('cloudburst.pickupTruck');
    expect(storage.items.get(TRUCK_STORAGE_KEY)).toBe('truck-2');
    expect(readMenuTruck(storage)).toBe('truck-2');

    saveMenuTruck('truck-3', storage);
    expect(readMenuTruck(storage)).toBe('truck-3');
    expect(storage.items.get(TRUCK_STORAGE_KEY)).toBe('truck-2');
  });

  it('falls back to the pickup board truck after null', () => {
    const storage = memoryStorage();
    saveTruckChoice('truck-2', storage);
    saveMenuTruck('truck-1', storage);
    saveMenuTruck(null, storage);
    expect(storage.items.has(MENU_TRUCK_STORAGE_KEY)).toBe(false);
    expect(readMenuTruck(storage)).toBe('truck-2');
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
    storage.items.set(TRUCK_STORAGE_KEY, 'truck-2');
    expect(readMenuTruck(storage)).toBe('truck-2');
  });

  it('works without storage', () => {
    const blocked = memoryStorage(true);
    expect(() => saveMenuTruck('truck-1', blocked)).not.toThrow();
    expect(() => saveTruckChoice('truck-1', blocked)).not.toThrow();
    expect(readMenuTruck(blocked)).toBeNull();
    expect(readMenuTruck(undefined)).toBeNull();
  });
});
