/**
 * Whether, and how, a page may send a campaign message to one person on Messenger.
 *
 * Meta's rule is in the Messenger Platform policy, "Standard messaging" (page updated
 * 28 Sep 2026): https://developers.facebook.com/documentation/business-messaging/messenger-platform/policy/
 * A page may send any message, promotions included, within the standard messaging window.
 * The person opens the window by writing to the page, and it lasts 24 hours for most actions.
 * Outside it a page may send only with a message tag, which must not carry promotional
 * content, or to a person who opted in to marketing messages (recurring notifications).
 * Such a person is addressed by the `notification_messages_token` from the opt-in.
 *
 * NOTE: Meta's marketing-messages page (https://developers.facebook.com/docs/messenger-platform/marketing-messages,
 * Chinese edition) states that recurring notifications were retired on 10 February 2026 in favour
 * of the Marketing Message API for Messenger, an ads-account API for approved tech providers.
 * The `notification_token` plan below is kept for pages that still hold working tokens;
 * expect sends with it to fail until that path is replaced.
 */

/**
 * Standard messaging window. A first message after a Click-to-Messenger ad may get up to
 * 7 days, but the entry point is not recorded, so 24 hours applies to all.
 */
export const STANDARD_WINDOW_MS = 24 * 60 * 60 * 1000;

/** Values of the Send API's `messaging_type`. */
export type MessagingType = 'RESPONSE' | 'UPDATE' | 'MESSAGE_TAG';

export type MessengerRecipientKind = 'psid' | 'notification_token';

/**
 * `messaging_type` per recipient kind. A campaign offer is sent proactively, not as a
 * reply, so it is an UPDATE; MESSAGE_TAG is never chosen because tags forbid promotions.
 */
export const MESSAGING_TYPE_FOR: Readonly<Record<MessengerRecipientKind, MessagingType>> = {
  psid: 'UPDATE',
  notification_token: 'UPDATE',
};

export interface MessengerSendPlanInput {
  /** Epoch ms of the person's last message (or other window-opening action) to the page. */
  lastUserMessageAt?: number;
  /** The person's marketing-messages token from a `messaging_optins` webhook. */
  notificationToken?: string;
  /** Epoch ms when that token expires; absent for tokens that do not expire (all issued since August 2023). */
  tokenExpiresAt?: number;
  /** True after the person chose "stop notifications"; the token must not be used until they resume. */
  notificationsStopped?: boolean;
  now: number;
}

export type MessengerPlanRefusal = 'never_messaged' | 'outside_window' | 'token_expired' | 'notifications_stopped';

export type MessengerSendPlan =
  | { ok: true; recipient: MessengerRecipientKind; messagingType: MessagingType }
  | { ok: false; code: MessengerPlanRefusal; reason: string };

/**
 * Chooses how to address one person: by page-scoped id inside the 24-hour window, else
 * by marketing-messages token when one is valid, else not at all, with a reason a
 * marketer can act on. Pure; throws only for timestamps that are not finite numbers.
 */
export function messengerSendPlan(input: MessengerSendPlanInput): MessengerSendPlan {
  requireTime('now', input.now);
  if (input.lastUserMessageAt !== undefined) requireTime('lastUserMessageAt', input.lastUserMessageAt);
  if (input.tokenExpiresAt !== undefined) requireTime('tokenExpiresAt', input.tokenExpiresAt);

  // inside the window: a clock a little ahead of Meta's gives a negative age, still inside
  const age = input.lastUserMessageAt === undefined ? undefined : input.now - input.lastUserMessageAt;
  if (age !== undefined && age < STANDARD_WINDOW_MS) {
    return { ok: true, recipient: 'psid', messagingType: MESSAGING_TYPE_FOR.psid };
  }

  // outside the window: only a marketing-messages opt-in allows a promotion
  const lastContact = age === undefined ? 'they have never written to the page' : `they last wrote to the page ${describeAge(age)} ago`;
  const token = input.notificationToken;

  if (token === undefined || token === '') {
    if (age === undefined) {
      return {
        ok: false,
        code: 'never_messaged',
        reason: 'Not sent: this person has never written to the page, and Messenger lets a page message only people who wrote to it first.',
      };
    }
    return {
      ok: false,
      code: 'outside_window',
      reason:
        `Not sent: this person last wrote to the page ${describeAge(age)} ago. Messenger allows promotions only within 24 hours of ` +
        "the person's last message, unless they opted in to marketing messages, and they have not.",
    };
  }
  if (input.notificationsStopped === true) {
    return {
      ok: false,
      code: 'notifications_stopped',
      reason: `Not sent: this person turned off marketing messages from the page, and ${lastContact}.`,
    };
  }
  if (input.tokenExpiresAt !== undefined && input.tokenExpiresAt <= input.now) {
    return {
      ok: false,
      code: 'token_expired',
      reason:
        `Not sent: this person's opt-in to marketing messages expired on ${new Date(input.tokenExpiresAt).toISOString()} ` +
        `and ${lastContact}. They must opt in again.`,
    };
  }
  return { ok: true, recipient: 'notification_token', messagingType: MESSAGING_TYPE_FOR.notification_token };
}

function requireTime(field: string, value: number): void {
  if (!Number.isFinite(value)) throw new TypeError(`invalid ${field}: ${String(value)} (expected epoch milliseconds)`);
}

function describeAge(ms: number): string {
  const hours = Math.floor(ms / 3_600_000);
  if (hours < 48) return `${hours} hours`;
  return `${Math.floor(hours / 24)} days`;
}
