import type { LiveClientFrame, LiveFrame } from '../../../common/protocol.js';
import { backoffDelay, type BackoffOptions } from '../../../common/retry.js';
import { parseFrame } from './live-frame.js';

export type FeedStatus = 'idle' | 'connecting' | 'live' | 'reconnecting' | 'unauthorized';

export interface LiveFeedOptions {
  /** Receives every frame except `error` frames. */
  onFrame: (frame: LiveFrame) => void;
  /** Called once when the server rejects the token with an `unauthorized` error frame or close code 4401. The feed then stops. */
  onUnauthorized: () => void;
  url?: () => string;
  backoff?: BackoffOptions;
}

/** Close code the server uses after rejecting the hello, normally after an `unauthorized` error frame. */
const UNAUTHORIZED_CLOSE_CODE = 4401;

/** Reconnect delays: 0.5 s doubling up to 30 s, half of each delay random (see backoffDelay). */
const DEFAULT_BACKOFF: BackoffOptions = { initialMs: 500, maxMs: 30_000 };

export function liveFeedUrl(): string {
  const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
  return `${scheme}://${location.host}/v1/live`;
}

/**
 * WebSocket client of `/v1/live`. It sends the hello frame with the admin token, passes frames on,
 * and reconnects with backoff after any close until `disconnect()` or an `unauthorized` error.
 */
export class LiveFeed {
  status = $state<FeedStatus>('idle');
  /** Browser time (ms since the epoch) of the pending reconnect, set while status is 'reconnecting'. */
  retryAt = $state<number | null>(null);
  /** Last non-fatal `error` frame, cleared by the next snapshot. */
  serverError = $state<{ code: string; message: string } | null>(null);

  #options: LiveFeedOptions;
  #token: string | null = null;
  #socket: WebSocket | null = null;
  #retryTimer: ReturnType<typeof setTimeout> | null = null;
  #attempt = 0;
  #warnedInvalidFrame = false;

  constructor(options: LiveFeedOptions) {
    this.#options = options;
  }

  connect(token: string): void {
    this.disconnect();
    this.#token = token;
    this.#attempt = 0;
    this.#open();
  }

  disconnect(): void {
    this.#token = null;
    this.#clearRetry();
    this.#closeSocket();
    if (this.status !== 'unauthorized') this.status = 'idle';
  }

  #open(): void {
    const token = this.#token;
    if (token === null) return;
    this.status = 'connecting';
    this.retryAt = null;
    this.#warnedInvalidFrame = false;

    const socket = new WebSocket((this.#options.url ?? liveFeedUrl)());
    this.#socket = socket;
    socket.onopen = () => {
      const hello: LiveClientFrame = { type: 'hello', token };
      socket.send(JSON.stringify(hello));
    };
    socket.onmessage = (event: MessageEvent) => {
      if (this.#socket === socket) this.#receive(event.data);
    };
    socket.onclose = (event: CloseEvent) => {
      if (this.#socket !== socket) return;
      this.#socket = null;
      if (event.code === UNAUTHORIZED_CLOSE_CODE) {
        this.#rejectToken();
        return;
      }
      this.#scheduleReconnect(event.code);
    };
  }

  #receive(data: unknown): void {
    const frame = parseFrame(data);
    if (!frame) {
      if (!this.#warnedInvalidFrame) {
        this.#warnedInvalidFrame = true;
        console.warn('Ignoring an invalid live feed frame. Further invalid frames on this connection are not logged.');
      }
      return;
    }
    if (frame.type === 'error') {
      this.#receiveError(frame);
      return;
    }
    if (frame.type === 'snapshot') {
      this.status = 'live';
      this.serverError = null;
      this.#attempt = 0;
    }
    this.#options.onFrame(frame);
  }

  #receiveError(frame: Extract<LiveFrame, { type: 'error' }>): void {
    if (frame.code === 'unauthorized') {
      this.#rejectToken();
      return;
    }
    console.warn(`Live feed sent error ${frame.code}: ${frame.message}`);
    this.serverError = { code: frame.code, message: frame.message };
  }

  #rejectToken(): void {
    this.#token = null;
    this.#closeSocket();
    this.status = 'unauthorized';
    this.#options.onUnauthorized();
  }

  #scheduleReconnect(closeCode: number): void {
    if (this.#token === null) return;
    const delay = backoffDelay(this.#attempt, this.#options.backoff ?? DEFAULT_BACKOFF);
    console.info(`Live feed closed with code ${closeCode}, reconnecting in ${delay} ms (attempt ${this.#attempt + 1}).`);
    this.#attempt += 1;
    this.status = 'reconnecting';
    this.retryAt = Date.now() + delay;
    this.#retryTimer = setTimeout(() => {
      this.#retryTimer = null;
      this.#open();
    }, delay);
  }

  #clearRetry(): void {
    if (this.#retryTimer !== null) clearTimeout(this.#retryTimer);
    this.#retryTimer = null;
    this.retryAt = null;
  }

  #closeSocket(): void {
    const socket = this.#socket;
    this.#socket = null;
    socket?.close(1000);
  }
}
