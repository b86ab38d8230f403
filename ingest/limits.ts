/** Input limits and timers of the ingest gateway. Every field can be overridden per gateway. */
export interface IngestLimits {
  /** Maximum size in bytes of a frame the gateway parses. Larger frames get a `payload_too_large` error frame. */
  maxFrameBytes: number;
  /**
   * Maximum size in bytes of a WebSocket message. `ws` buffers a whole message before the
   * gateway receives it, so a larger message closes the socket with 1009 instead of an error frame.
   */
  maxMessageBytes: number;
  /** Maximum number of pings in one `pings` frame. */
  maxPingsPerFrame: number;
  /** Maximum accepted `accuracy`, in metres. A larger radius is useless for geofencing. */
  maxAccuracyM: number;
  /** Maximum time in ms that a ping's `ts` may lie ahead of the server clock. */
  maxFutureMs: number;
  /** Maximum age in ms of a ping's `ts`, measured against the server clock. */
  maxAgeMs: number;
  /** Maximum time in ms between the upgrade and a valid `hello` before the socket is closed with 4408. */
  helloTimeoutMs: number;
  /** Number of invalid frames in a row after which the socket is closed with 1008. */
  maxConsecutiveInvalidFrames: number;
  /** Frames queued on one connection before the gateway pauses reading from its socket. */
  maxQueuedFrames: number;
  /** Interval in ms between WebSocket pings. A socket that sent no pong for the previous ping is terminated. */
  heartbeatIntervalMs: number;
  /** Delay in ms before an accepted seq is written to the device directory. Disconnects and `close()` write at once. */
  seqSaveDelayMs: number;
  /** Maximum time in ms that `close()` waits for clients to complete the close handshake before terminating them. */
  closeTimeoutMs: number;
}

export const DEFAULT_INGEST_LIMITS: Readonly<IngestLimits> = Object.freeze({
  maxFrameBytes: 256 * 1024,
  maxMessageBytes: 1024 * 1024,
  maxPingsPerFrame: 500,
  maxAccuracyM: 100_000,
  maxFutureMs: 5 * 60 * 1000,
  maxAgeMs: 7 * 24 * 60 * 60 * 1000,
  helloTimeoutMs: 10_000,
  maxConsecutiveInvalidFrames: 100,
  maxQueuedFrames: 64,
  heartbeatIntervalMs: 30_000,
  seqSaveDelayMs: 1_000,
  closeTimeoutMs: 2_000,
});

/** Merges `overrides` into the defaults and throws a RangeError naming the first invalid field. */
export function resolveIngestLimits(overrides: Partial<IngestLimits> = {}): IngestLimits {
  const limits: IngestLimits = { ...DEFAULT_INGEST_LIMITS };

  for (const [key, value] of Object.entries(overrides) as Array<[keyof IngestLimits, unknown]>) {
    if (value === undefined) continue;
    if (!(key in DEFAULT_INGEST_LIMITS)) {
      throw new RangeError(`unknown ingest limit ${JSON.stringify(key)}`);
    }
    if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
      throw new RangeError(`invalid ingest limit ${key}: ${String(value)} (expected a positive number)`);
    }
    limits[key] = value;
  }

  if (limits.maxMessageBytes < limits.maxFrameBytes) {
    throw new RangeError(
      `invalid ingest limit maxMessageBytes: ${limits.maxMessageBytes} (expected at least maxFrameBytes, ${limits.maxFrameBytes})`,
    );
  }
  return limits;
}
