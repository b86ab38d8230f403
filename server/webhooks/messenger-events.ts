import type { MessengerInbound, MessengerOptin } from '../../channels/messenger.js';
import type { Queryable } from '../../store/types.js';
import { findContactByPsid, recordConsents, setMessengerToken, touchMessengerWindow, upsertContacts } from '../repos/contacts.js';
import { insertInboundMessage } from './inbound-messages.js';

/** Consent sources of Messenger opt-in changes, as the audit trail in consent_events shows them. */
export const MESSENGER_OPT_IN_SOURCE = 'messenger opt-in';
export const MESSENGER_STOP_SOURCE = 'messenger stop notifications';

/** Returns the id of the contact with this page-scoped id, creating one with only the id when none exists. */
export async function contactIdForPsid(tx: Queryable, psid: string): Promise<string> {
  const existing = await findContactByPsid(tx, psid);
  if (existing !== undefined) return existing.id;
  return (await upsertContacts(tx, [{ messengerPsid: psid }]))[0]!;
}

/** Notes a message or postback from the person, which opens Messenger's 24-hour window. Returns the contact id. */
export async function applyMessengerInbound(tx: Queryable, inbound: MessengerInbound): Promise<string> {
  const contactId = await contactIdForPsid(tx, inbound.psid);
  await touchMessengerWindow(tx, contactId, inbound.timestamp);
  return contactId;
}

export interface OptinResult {
  /** True when the same opt-in change was already recorded, so nothing changed. */
  duplicate: boolean;
  contactId?: string;
}

/**
 * Applies a marketing-messages opt-in change: `opt_in` and `resume` store the token and
 * grant Messenger consent, `stop` clears the token and revokes it. Run it in one
 * transaction. The change is recorded in inbound_messages under a key of page-scoped id,
 * kind and Meta's timestamp, so a webhook Meta delivers again adds no second consent event.
 */
export async function applyMessengerOptin(tx: Queryable, optin: MessengerOptin): Promise<OptinResult> {
  const inserted = await insertInboundMessage(tx, {
    id: `messenger:${optin.kind}:${optin.psid}:${optin.timestamp}`,
    channel: 'messenger',
    sender: optin.psid,
    // The token is a credential for messaging this person, so it stays out of the audit text.
    body: '',
    keyword: optin.kind,
    receivedAt: optin.timestamp,
  });
  if (!inserted) return { duplicate: true };

  const contactId = await contactIdForPsid(tx, optin.psid);
  if (optin.kind === 'stop') {
    await setMessengerToken(tx, contactId, null, null);
    await recordConsents(tx, [{ contactId, channel: 'messenger', granted: false, at: optin.timestamp, source: MESSENGER_STOP_SOURCE }]);
  } else {
    // An opt-in is the person's own action, so it overrides an earlier refusal.
    await setMessengerToken(tx, contactId, optin.notificationToken, optin.tokenExpiresAt ?? null);
    await recordConsents(
      tx,
      [{ contactId, channel: 'messenger', granted: true, at: optin.timestamp, source: MESSENGER_OPT_IN_SOURCE }],
      { override: true },
    );
  }
  return { duplicate: false, contactId };
}
