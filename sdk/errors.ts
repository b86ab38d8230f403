/**
 * An error reported by the SDK. Errors from the gateway keep the gateway's `code`
 * (`invalid_input`, `unauthorized`, `unavailable`, ...). The SDK adds `replaced`,
 * `closed`, `invalid_frame` and `registration_failed`.
 */
export class DeviceError extends Error {
  readonly code: string;
  /** Dotted path of the rejected field, for example `pings.3.lat`. */
  readonly field?: string;
  /** The rejected value, as the gateway echoed it. */
  readonly value?: unknown;
  /** Seq of the rejected ping, when the error concerns one ping of a batch. */
  readonly seq?: number;
  /** True when the same request may succeed later. */
  readonly retriable: boolean;

  constructor(code: string, message: string, details: { field?: string; value?: unknown; seq?: number; retriable?: boolean } = {}) {
    super(message);
    this.name = 'DeviceError';
    this.code = code;
    this.field = details.field;
    this.value = details.value;
    this.seq = details.seq;
    this.retriable = details.retriable ?? false;
  }
}
