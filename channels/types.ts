/**
 * The seam between the send scheduler and the providers that carry a message out:
 * one interface per channel, so the scheduler does not depend on which API is behind it.
 */

/** Channels a campaign message goes out on. `push` reaches the device SDK over its WebSocket. */
export type ChannelName = 'push' | 'sms' | 'x' | 'messenger' | 'email';

export const CHANNEL_NAMES: readonly ChannelName[] = ['push', 'sms', 'x', 'messenger', 'email'];

/** One rendered message for one recipient on one channel. */
export interface OutgoingMessage {
  /** Durable send-job id; providers that take an idempotency key use it. */
  jobId: string;
  /** The campaign the message belongs to, for logs and the device SDK. */
  campaignId?: string;
  channel: ChannelName;
  /**
   * Who sends: an E.164 number or a Messaging Service SID for SMS, the X account id,
   * the Facebook page id, the email From address, or `sdk` for push.
   */
  sender: string;
  /**
   * The recipient: E.164 number (sms), X user id (x, kind `dm`) or empty (x, kind
   * `post`), page-scoped id or recurring-notification token (messenger, see
   * `messengerRecipient`), email address (email), device id (push).
   */
  to: string;
  /** Push only: the recipient's or the segment's code, so the app can open the order page with it. */
  code?: string;
  /** X only: a public post or a direct message. */
  kind?: 'post' | 'dm';
  /** Messenger only: how the recipient is addressed and why the page may write to them. */
  messengerRecipient?: 'psid' | 'notification_token';
  /** Email only. */
  subject?: string;
  text: string;
  /** Email only: an HTML alternative to `text`. */
  html?: string;
  /** Email only: where the recipient unsubscribes; sent as List-Unsubscribe with one-click. */
  unsubscribeUrl?: string;
}

/**
 * What happened to one attempt.
 * - `sent`: the provider accepted it; `providerMessageId` links later status callbacks.
 * - `retry`: a temporary failure that did not deliver the message, such as a rate limit,
 *   a 503 or a refused connection. Try again after `retryAfterMs` when the provider gave
 *   a time, else after the scheduler's backoff.
 * - `failed`: never retried, parked with `reason` for the console. The failure is either
 *   permanent (invalid number, unsubscribed, outside the messaging window, rejected
 *   credentials) or of unknown outcome. An unknown outcome is a timeout, a lost connection
 *   or a 500 after the provider may have received the request, where sending again could
 *   deliver the message twice.
 */
export type SendOutcome =
  | { status: 'sent'; providerMessageId: string }
  | { status: 'retry'; reason: string; retryAfterMs?: number; providerCode?: string }
  | { status: 'failed'; reason: string; providerCode?: string };

export interface ChannelProvider {
  readonly channel: ChannelName;
  /** Short provider name for logs and the console, such as `twilio` or `smtp`. */
  readonly name: string;
  /**
   * Sends one message. Never throws for a provider's reply: every HTTP or protocol
   * error becomes a `retry` or `failed` outcome with a reason that names the provider's
   * code. Throws only for programming errors (a message for another channel).
   */
  send(message: OutgoingMessage): Promise<SendOutcome>;
  close?(): Promise<void>;
  /**
   * True when sending the same job again cannot reach the recipient twice: the outbox keeps
   * one row per job, and the SDK shows each message id once. A send that threw is then
   * retried instead of being parked as an unknown outcome.
   */
  readonly repeatSafe?: boolean;
}
