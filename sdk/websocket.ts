import { DEVICE_CONNECT_PATH } from '../common/protocol.js';

/**
 * The subset of the WHATWG WebSocket API the SDK uses. Browsers' `WebSocket` and
 * the `ws` package's `WebSocket` class both satisfy it.
 */
export interface WebSocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  addEventListener(type: 'open', listener: () => void): void;
  addEventListener(type: 'message', listener: (event: { data: unknown }) => void): void;
  addEventListener(type: 'close', listener: (event: { code: number; reason: string }) => void): void;
  addEventListener(type: 'error', listener: (event: unknown) => void): void;
}

export type WebSocketConstructorLike = new (url: string) => WebSocketLike;

/** `readyState` of an open WebSocket, per the WHATWG WebSocket API. */
export const WEBSOCKET_OPEN = 1;

/**
 * Returns the injected WebSocket class, else the runtime's global one. Node 20 has
 * no global WebSocket, so Node callers pass the `ws` package's class.
 */
export function resolveWebSocket(injected: WebSocketConstructorLike | undefined): WebSocketConstructorLike {
  if (injected) return injected;
  const global = (globalThis as { WebSocket?: WebSocketConstructorLike }).WebSocket;
  if (typeof global === 'function') return global;
  throw new TypeError('no WebSocket implementation: this runtime has no global WebSocket, so pass the WebSocket option (in Node, the "ws" package\'s WebSocket class)');
}

/**
 * Derives the device endpoint from the server's base URL: `https://host/base`
 * becomes `wss://host/base/v1/devices/connect`. A ws: or wss: base keeps its scheme.
 */
export function deviceSocketUrl(baseUrl: string): string {
  const url = new URL(baseUrl);
  if (url.protocol === 'http:') url.protocol = 'ws:';
  else if (url.protocol === 'https:') url.protocol = 'wss:';
  else if (url.protocol !== 'ws:' && url.protocol !== 'wss:') {
    throw new TypeError(`invalid url: ${JSON.stringify(baseUrl)} (expected an http, https, ws or wss URL)`);
  }

  url.pathname = url.pathname.replace(/\/+$/, '') + DEVICE_CONNECT_PATH;
  url.search = '';
  url.hash = '';
  return url.toString();
}
