/**
 * A Map with a maximum size and an optional time to live, for the sandbox's
 * in-memory state. Every entry gets the same time to live and `set` moves an entry
 * to the end, so insertion order is expiry order: expired and oldest entries are
 * both found at the front, and eviction never scans the whole map.
 */
export interface BoundedMapOptions {
  maxEntries: number;
  /** Age after which an entry is dropped. Without it, entries leave only when the map is full. */
  ttlMs?: number;
  /** Epoch milliseconds. */
  now: () => number;
}

interface Slot<V> {
  value: V;
  expiresAt: number;
}

export class BoundedMap<K, V> {
  readonly #entries = new Map<K, Slot<V>>();
  readonly #options: BoundedMapOptions;

  constructor(options: BoundedMapOptions) {
    if (!Number.isInteger(options.maxEntries) || options.maxEntries < 1) {
      throw new RangeError(`invalid maxEntries: ${options.maxEntries} (expected a whole number of at least 1)`);
    }
    if (options.ttlMs !== undefined && !(options.ttlMs > 0)) {
      throw new RangeError(`invalid ttlMs: ${options.ttlMs} (expected a positive number of milliseconds)`);
    }
    this.#options = options;
  }

  get size(): number {
    this.#dropExpired();
    return this.#entries.size;
  }

  get(key: K): V | undefined {
    const slot = this.#entries.get(key);
    if (slot === undefined) return undefined;
    if (slot.expiresAt <= this.#options.now()) {
      this.#entries.delete(key);
      return undefined;
    }
    return slot.value;
  }

  /** Stores `value`, restarting its time to live, and evicts the oldest entries beyond `maxEntries`. */
  set(key: K, value: V): void {
    const ttl = this.#options.ttlMs;
    this.#entries.delete(key);
    this.#entries.set(key, { value, expiresAt: ttl === undefined ? Number.POSITIVE_INFINITY : this.#options.now() + ttl });

    this.#dropExpired();
    while (this.#entries.size > this.#options.maxEntries) {
      const oldest = this.#entries.keys().next();
      if (oldest.done === true) break;
      this.#entries.delete(oldest.value);
    }
  }

  /** Replaces the value of a live entry without moving it or restarting its time to live. */
  update(key: K, value: V): boolean {
    const slot = this.#entries.get(key);
    if (slot === undefined || slot.expiresAt <= this.#options.now()) return false;
    slot.value = value;
    return true;
  }

  delete(key: K): boolean {
    return this.#entries.delete(key);
  }

  #dropExpired(): void {
    const now = this.#options.now();
    for (const [key, slot] of this.#entries) {
      if (slot.expiresAt > now) return;
      this.#entries.delete(key);
    }
  }
}
