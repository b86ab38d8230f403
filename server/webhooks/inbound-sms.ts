import type { InboundKeyword, InboundSms } from '../../channels/twilio-inbound.js';
import type { Queryable } from '../../store/types.js';
import { findContactByPhone, recordConsents, upsertContacts } from '../repos/contacts.js';
import { insertInboundMessage } from './inbound-messages.js';

/** Consent sources of the SMS keywords, as the audit trail in consent_events shows them. */
export const SMS_STOP_SOURCE = 'sms STOP from Twilio';
export const SMS_START_SOURCE = 'sms START from Twilio';

export interface InboundSmsResult {
  /** True when this MessageSid was already recorded, so nothing changed. */
  duplicate: boolean;
  /** The contact whose SMS consent changed, for STOP and START. */
  contactId?: string;
}

/**
 * Records an inbound SMS once per MessageSid and applies its keyword: STOP revokes SMS
 * consent and START grants it again. Run it in one transaction, so the row and the consent
 * change commit together and a retried webhook finds the row and changes nothing.
 *
 * @param at - epoch milliseconds of the consent change
 */
export async function recordInboundSms(tx: Queryable, sms: InboundSms, keyword: InboundKeyword | null, at: number): Promise<InboundSmsResult> {
  const inserted = await insertInboundMessage(tx, {
    id: sms.messageSid,
    channel: 'sms',
    sender: sms.from,
    body: sms.body,
    keyword,
    receivedAt: at,
  });
  if (!inserted) return { duplicate: true };
  if (keyword !== 'stop' && keyword !== 'start') return { duplicate: false };

  // A STOP from an unknown number still gets a contact, so that its opt-out is on record
  // and a later import of the number cannot grant SMS consent.
  const contactId = (await findContactByPhone(tx, sms.from))?.id ?? (await upsertContacts(tx, [{ phone: sms.from }]))[0]!;

  // START is the person's own opt-in, so it overrides an earlier refusal.
  const granted = keyword === 'start';
  await recordConsents(
    tx,
    [{ contactId, channel: 'sms', granted, at, source: granted ? SMS_START_SOURCE : SMS_STOP_SOURCE }],
    { override: granted },
  );
  return { duplicate: false, contactId };
}
