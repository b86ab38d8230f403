/**
 * The one error taxonomy of Cloudburst. Every error that crosses a boundary
 * (HTTP response, WebSocket error frame, log line) is a CloudburstError with a
 * stable code. HTTP and WebSocket mappings live in server/http-errors.ts and
 * ingest/frames.ts respectively.
 */
export type ErrorCode =
  | 'invalid_input'
  | 'unauthorized'
  | 'forbidden'
  | 'not_found'
  | 'conflict'
  | 'payload_too_large'
  | 'unavailable'
  | 'internal';

export interface ErrorDetails {
  /** Dotted path of the offending field, e.g. `pings.3.lat`. */
  field?: string;
  /** The value received, as sent by the caller. */
  value?: unknown;
  /** Extra ids for logs (device, campaign, offer). */
  context?: Record<string, unknown>;
  retriable?: boolean;
  cause?: unknown;
}

export class CloudburstError extends Error {
  readonly code: ErrorCode;
  readonly field?: string;
  readonly value?: unknown;
  readonly retriable: boolean;
  readonly context?: Record<string, unknown>;

  constructor(code: ErrorCode, message: string, details: ErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = 'CloudburstError';
    this.code = code;
    this.field = details.field;
    this.value = details.value;
    this.retriable = details.retriable ?? code === 'unavailable';
    this.context = details.context;
  }

  /** Shape sent to clients: never includes the cause or stack. */
  toJSON(): Record<string, unknown> {
    const body: Record<string, unknown> = { code: this.code, message: this.message };
    if (this.field !== undefined) body.field = this.field;
    if (this.value !== undefined) body.value = this.value;
    if (this.retriable) body.retriable = true;
    return body;
  }
}

export function invalidInput(field: string, value: unknown, expected: string): CloudburstError {
  return new CloudburstError('invalid_input', `invalid ${field}: ${formatValue(value)} (expected ${expected})`, {
    field,
    value: clipValue(value),
  });
}

const MAX_ECHOED_VALUE_CHARS = 120;

/** Render a received value for an error message, clipped so a huge input cannot bloat the reply. */
export function formatValue(value: unknown): string {
  let text: string;
  if (typeof value === 'string') text = JSON.stringify(value);
  else if (typeof value === 'number' && !Number.isFinite(value)) text = String(value);
  else if (value === undefined) text = 'missing';
  else {
    try {
      text = JSON.stringify(value) ?? String(value);
    } catch {
      // Cyclic or absurdly deep values cannot be printed; neither can String() on deep arrays.
      text = Array.isArray(value) ? '[array too deep to print]' : '[value too deep to print]';
    }
  }
  return text.length > MAX_ECHOED_VALUE_CHARS ? `${text.slice(0, MAX_ECHOED_VALUE_CHARS)}…` : text;
}

/** Returns `value` fit to echo back in an error body: long strings cut, objects and non-finite numbers as text. */
export function clipValue(value: unknown): unknown {
  if (typeof value === 'string' && value.length > MAX_ECHOED_VALUE_CHARS) return `${value.slice(0, MAX_ECHOED_VALUE_CHARS)}…`;
  if (typeof value === 'number' && !Number.isFinite(value)) return String(value);
  if (typeof value === 'object' && value !== null) return formatValue(value);
  return value;
}
