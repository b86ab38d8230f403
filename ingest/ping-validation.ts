import { CloudburstError, invalidInput } from '../common/errors.js';
import type { WirePing } from '../common/protocol.js';
import type { IngestLimits } from './limits.js';

/** Result of checking one ping of a batch. `seq` is set on an invalid ping whenever its seq itself was valid. */
export type PingCheck =
  | { status: 'valid'; ping: WirePing }
  | { status: 'duplicate'; seq: number }
  | { status: 'invalid'; error: CloudburstError; seq?: number };

export interface PingCheckContext {
  limits: IngestLimits;
  /** Server clock in ms since the epoch, read once per frame. */
  now: number;
  /** Highest seq the gateway has accepted or rejected for the device. Pings at or below it are resends. */
  lastSeq: number;
  /** Highest valid seq seen earlier in the same frame, or undefined for the first one. */
  previousSeq: number | undefined;
}

/**
 * Checks the ping at `pings[index]`. The seq is checked first: a seq at or below
 * `lastSeq` marks a resend, which is acknowledged again without checking the other fields.
 * Errors name the dotted field, for example `pings.3.lat`.
 */
export function checkPing(raw: unknown, index: number, context: PingCheckContext): PingCheck {
  const path = `pings.${index}`;
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    return { status: 'invalid', error: invalidInput(path, raw, 'an object with seq, lat, lon, accuracy and ts') };
  }
  const ping = raw as Record<string, unknown>;

  const seq = ping.seq;
  if (typeof seq !== 'number' || !Number.isSafeInteger(seq) || seq < 1) {
    return { status: 'invalid', error: invalidInput(`${path}.seq`, seq, 'a positive safe integer') };
  }
  if (context.previousSeq !== undefined && seq <= context.previousSeq) {
    const expected = `a seq greater than ${context.previousSeq}, the previous seq in this frame`;
    return { status: 'invalid', error: invalidInput(`${path}.seq`, seq, expected) };
  }
  if (seq <= context.lastSeq) {
    return { status: 'duplicate', seq };
  }

  const fieldError = checkPingFields(ping, path, context);
  if (fieldError) return { status: 'invalid', error: fieldError, seq };

  const { lat, lon, accuracy, ts } = ping as unknown as WirePing;
  return { status: 'valid', ping: { seq, lat, lon, accuracy, ts } };
}

function checkPingFields(ping: Record<string, unknown>, path: string, context: PingCheckContext): CloudburstError | undefined {
  const { limits, now } = context;

  if (!isNumberInRange(ping.lat, -90, 90)) {
    return invalidInput(`${path}.lat`, ping.lat, 'a number from -90 to 90');
  }
  if (!isNumberInRange(ping.lon, -180, 180)) {
    return invalidInput(`${path}.lon`, ping.lon, 'a number from -180 to 180');
  }
  if (!isNumberInRange(ping.accuracy, 0, limits.maxAccuracyM)) {
    return invalidInput(`${path}.accuracy`, ping.accuracy, `a radius in metres from 0 to ${limits.maxAccuracyM}`);
  }

  const earliest = now - limits.maxAgeMs;
  const latest = now + limits.maxFutureMs;
  const ts = ping.ts;
  if (typeof ts !== 'number' || !Number.isSafeInteger(ts) || ts < earliest || ts > latest) {
    const expected = `an integer time in ms since the epoch from ${earliest} to ${latest}, per the server clock; check the device clock`;
    return invalidInput(`${path}.ts`, ts, expected);
  }
  return undefined;
}

function isNumberInRange(value: unknown, min: number, max: number): value is number {
  return typeof value === 'number' && Number.isFinite(value) && value >= min && value <= max;
}

/** Outcome of checking a whole `pings` frame. */
export interface PingBatchCheck {
  /** Valid pings above the device's lastSeq, in frame order. */
  valid: WirePing[];
  rejected: Array<{ error: CloudburstError; seq?: number }>;
  /** Highest valid seq in the frame, whether the ping was valid, a resend or rejected. Undefined when no seq was valid. */
  highestSeq: number | undefined;
}

/** Checks every ping of a frame against the device's `lastSeq`. */
export function checkPingBatch(pings: unknown[], context: Omit<PingCheckContext, 'previousSeq'>): PingBatchCheck {
  const result: PingBatchCheck = { valid: [], rejected: [], highestSeq: undefined };

  pings.forEach((raw, index) => {
    const check = checkPing(raw, index, { ...context, previousSeq: result.highestSeq });
    if (check.status === 'valid') {
      result.valid.push(check.ping);
      result.highestSeq = check.ping.seq;
    } else if (check.status === 'duplicate') {
      result.highestSeq = check.seq;
    } else {
      result.rejected.push({ error: check.error, seq: check.seq });
      if (check.seq !== undefined) result.highestSeq = check.seq;
    }
  });

  return result;
}
