export interface RateLimitOptions {
  /** Requests one client may make within `windowMs`. */
  max: number;
  windowMs: number;
  /**
   * Clients tracked at once. When a new client arrives at the bound, the one seen
   * least recently is forgotten, so memory stays at most `maxClients × max` timestamps.
   */
  maxClients: number;
  /** Clock in ms since the epoch; Date.now by default. */
  now?: () => number;
}

/** `first` marks the first rejection since the client's last allowed request, so callers can log once per burst. */
export type RateLimitDecision = { allowed: true } | { allowed: false; retryAfterSeconds: number; first: boolean };

interface ClientState {
  /** Times of the allowed requests still in the window, oldest first. */
  times: number[];
  rejecting: boolean;
}

/**
 * A sliding-window limiter kept in this process's memory: a client may make `max`
 * requests in any `windowMs`. NOTE: each process counts on its own, so with N
 * processes behind a balancer a client gets up to N × max. A forgotten client (see
 * `maxClients`) starts again from zero.
 */
export class SlidingWindowLimiter {
  private readonly max: number;
  private readonly windowMs: number;
  private readonly maxClients: number;
  private readonly now: () => number;
  /** Map order is least recently seen first. */
  private readonly clients = new Map<string, ClientState>();

  constructor(options: RateLimitOptions) {
    if (!Number.isInteger(options.max) || options.max < 1) throw new RangeError(`invalid max: ${options.max} (expected an integer of at least 1)`);
    if (!(options.windowMs > 0)) throw new RangeError(`invalid windowMs: ${options.windowMs} (expected a positive number of milliseconds)`);
    if (!Number.isInteger(options.maxClients) || options.maxClients < 1) {
      throw new RangeError(`invalid maxClients: ${options.maxClients} (expected an integer of at least 1)`);
    }
    this.max = options.max;
    this.windowMs = options.windowMs;
    this.maxClients = options.maxClients;
    this.now = options.now ?? Date.now;
  }

  /** Counts one request of `client` when it is within the limit, and returns whether it is. */
  take(client: string): RateLimitDecision {
    const now = this.now();
    const state = this.clients.get(client) ?? { times: [], rejecting: false };
    state.times = state.times.filter((at) => now - at < this.windowMs);

    // Re-inserting moves the client to the end, the most recently seen place.
    this.clients.delete(client);
    if (state.times.length >= this.max) {
      const first = !state.rejecting;
      state.rejecting = true;
      this.clients.set(client, state);
      const retryAfterMs = state.times[0]! + this.windowMs - now;
      return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil(retryAfterMs / 1000)), first };
    }

    if (this.clients.size >= this.maxClients) this.clients.delete(this.clients.keys().next().value!);
    state.times.push(now);
    state.rejecting = false;
    this.clients.set(client, state);
    return { allowed: true };
  }

  /** Clients currently tracked. */
  get size(): number {
    return this.clients.size;
  }
}
