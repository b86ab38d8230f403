import { DeviceError } from './errors.js';

export interface RegisterOptions {
  /** Fetch implementation; defaults to the global `fetch`. */
  fetch?: typeof fetch;
  /** Free-form platform label stored with the device, at most 64 characters (for example `ios` or `web`). */
  platform?: string;
}

/**
 * Registers a new device with `POST {baseUrl}/v1/devices` and returns its id and token.
 * The server returns the token only once, so the app must store it.
 * Throws DeviceError `registration_failed`, retriable for HTTP 429 and 5xx and for network errors.
 */
export async function registerDevice(baseUrl: string, options: RegisterOptions = {}): Promise<{ deviceId: string; token: string }> {
  const fetchImpl = options.fetch ?? globalThis.fetch;
  if (typeof fetchImpl !== 'function') {
    throw new TypeError('no fetch implementation: this runtime has no global fetch, so pass the fetch option');
  }
  const url = new URL('v1/devices', baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`).toString();

  let response: Response;
  try {
    response = await fetchImpl(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(options.platform === undefined ? {} : { platform: options.platform }),
    });
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new DeviceError('registration_failed', `POST ${url} failed: ${reason}`, { retriable: true });
  }

  const text = await response.text();
  if (response.status !== 201) {
    const retriable = response.status === 429 || response.status >= 500;
    throw new DeviceError('registration_failed', `POST ${url} failed with HTTP ${response.status}: ${serverMessage(text)}`, { retriable });
  }

  const body = parseJson(text) as { deviceId?: unknown; token?: unknown } | undefined;
  if (typeof body?.deviceId !== 'string' || typeof body.token !== 'string') {
    throw new DeviceError('registration_failed', `POST ${url} returned 201 without a deviceId and token string`);
  }
  return { deviceId: body.deviceId, token: body.token };
}

/** Extracts `error.message` from the server's error body `{ error: { code, message } }`, else the clipped text. */
function serverMessage(text: string): string {
  const body = parseJson(text) as { error?: { message?: unknown } } | undefined;
  if (typeof body?.error?.message === 'string') return body.error.message;
  return text.length > 200 ? `${text.slice(0, 200)}…` : text || '(empty body)';
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    // A body that is not JSON is reported by the caller as it is.
    return undefined;
  }
}
