import { describe, expect, it } from 'vitest';
import { storedChoice } from './stored-choice.js';
import { memoryStorage } from './test-storage.js';

const KEY = 'cloudburst.testChoice';

describe('storedChoice', () => {
  it('saves and reads the id under its key', () => {
    const storage = memoryStorage();
    const choice = storedChoice(KEY);
    choice.save('truck-1', storage);
    expect(choice.key).toBe(KEY);
    expect([...storage.items]).toEqual([[KEY, 'truck-1']]);
    expect(choice.read(storage)).toBe('truck-1');
  });

  it('keeps choices under other keys apart', () => {
    const storage = memoryStorage();
    storedChoice(KEY).save('truck-1', storage);
    storedChoice('cloudburst.otherChoice').save('truck-2', storage);
    expect(storedChoice(KEY).read(storage)).toBe('truck-1');
    expect(storedChoice('cloudburst.otherChoice').read(storage)).toBe('truck-2');
  });

  it('reads a trimmed id', () => {
    const storage = memoryStorage();
    storage.items.set(KEY, ' truck-1\n');
    expect(storedChoice(KEY).read(storage)).toBe('truck-1');
  });

  it('forgets the choice for null', () => {
    const storage = memoryStorage();
    const choice = storedChoice(KEY);
    choice.save('truck-1', storage);
    choice.save(null, storage);
    expect(storage.items.has(KEY)).toBe(false);
    expect(choice.read(storage)).toBeNull();
  });

  it('reads a blank value as no choice', () => {
    const storage = memoryStorage();
    storage.items.set(KEY, '  ');
    expect(storedChoice(KEY).read(storage)).toBeNull();
  });

  it('works without storage', () => {
    const blocked = memoryStorage(true);
    const choice = storedChoice(KEY);
    expect(() => choice.save('truck-1', blocked)).not.toThrow();
    expect(() => choice.save(null, blocked)).not.toThrow();
    expect(choice.read(blocked)).toBeNull();
    // Node 20 has no localStorage global, so the default storage is missing here.
    expect(choice.read(undefined)).toBeNull();
    expect(() => choice.save('truck-1')).not.toThrow();
  });

  it('works when detached from its object', () => {
    const storage = memoryStorage();
    const { read, save } = storedChoice(KEY);
    save('truck-1', storage);
    expect(read(storage)).toBe('truck-1');
  });
});
