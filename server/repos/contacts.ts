import { randomUUID } from 'node:crypto';
import type { ChannelName } from '../../channels/types.js';
import type { Queryable } from '../../store/types.js';

/** A contact as an import, a sign-up or an inbound message gives it: normalized values only. */
export interface ContactInput {
  firstName?: string;
  lastName?: string;
  email?: string;
  phone?: string;
  locale?: string;
  xUserId?: string;
  messengerPsid?: string;
  timeZone?: string;
}

export interface Contact extends ContactInput {
  id: string;
  deviceId?: string;
  messengerLastMessageAt?: number;
  messengerToken?: string;
  messengerTokenExpiresAt?: number;
  consents: Partial<Record<ChannelName, { granted: boolean; at: string; source: string }>>;
}

interface ContactRow {
  id: string;
  first_name: string | null;
  last_name: string | null;
  email: string | null;
  phone_e164: string | null;
  locale: string | null;
  x_user_id: string | null;
  messenger_psid: string | null;
  time_zone: string | null;
  device_id: string | null;
  messenger_last_message_at: Date | string | null;
  messenger_token: string | null;
  messenger_token_expires_at: Date | string | null;
  consents: Record<string, { granted: boolean; at: string; source: string }> | string | null;
}

const SELECT = `SELECT c.id, c.first_name, c.last_name, c.email, c.phone_e164, c.locale, c.x_user_id, c.messenger_psid, c.time_zone,
    c.device_id, c.messenger_last_message_at, c.messenger_token, c.messenger_token_expires_at,
    (SELECT json_object_agg(k.channel, json_build_object('granted', k.granted, 'at', k.at, 'source', k.source))
       FROM consents k WHERE k.contact_id = c.id) AS consents
  FROM contacts c`;

function optional<T>(value: T | null): T | undefined {
  return value === null ? undefined : value;
}

function instant(value: Date | string | null): number | undefined {
  return value === null ? undefined : new Date(value).getTime();
}

function toContact(row: ContactRow): Contact {
  const consents = row.consents === null ? {} : typeof row.consents === 'string' ? JSON.parse(row.consents) : row.consents;
  for (const consent of Object.values(consents) as Array<{ at: string }>) consent.at = new Date(consent.at).toISOString();
  return {
    id: row.id,
    firstName: optional(row.first_name),
    lastName: optional(row.last_name),
    email: optional(row.email),
    phone: optional(row.phone_e164),
    locale: optional(row.locale),
    xUserId: optional(row.x_user_id),
    messengerPsid: optional(row.messenger_psid),
    timeZone: optional(row.time_zone),
    deviceId: optional(row.device_id),
    messengerLastMessageAt: instant(row.messenger_last_message_at),
    messengerToken: optional(row.messenger_token),
    messengerTokenExpiresAt: instant(row.messenger_token_expires_at),
    consents,
  };
}

export async function getContact(db: Queryable, id: string): Promise<Contact | undefined> {
  const rows = await db.query<ContactRow>(`${SELECT} WHERE c.id = $1`, [id]);
  return rows[0] ? toContact(rows[0]) : undefined;
}

export async function findContactByPhone(db: Queryable, phone: string): Promise<Contact | undefined> {
  const rows = await db.query<ContactRow>(`${SELECT} WHERE c.phone_e164 = $1`, [phone]);
  return rows[0] ? toContact(rows[0]) : undefined;
}

export async function findContactByPsid(db: Queryable, psid: string): Promise<Contact | undefined> {
  const rows = await db.query<ContactRow>(`${SELECT} WHERE c.messenger_psid = $1`, [psid]);
  return rows[0] ? toContact(rows[0]) : undefined;
}

/** Members of a segment in a stable order, a page at a time. */
export async function listSegmentContacts(db: Queryable, segmentId: string, limit: number, offset: number): Promise<Contact[]> {
  const rows = await db.query<ContactRow>(
    `${SELECT} JOIN segment_members m ON m.contact_id = c.id WHERE m.segment_id = $1 ORDER BY m.added_at, c.id LIMIT $2 OFFSET $3`,
    [segmentId, limit, offset],
  );
  return rows.map(toContact);
}

interface KeyRow {
  id: string;
  email: string | null;
  phone_e164: string | null;
  x_user_id: string | null;
  messenger_psid: string | null;
}

/**
 * Finds or creates one contact per input, matched by email (case-insensitive),
 * phone, X user id or Messenger id, in that order. A matched contact gains the fields
 * it lacked, unless another contact already owns that address. Inputs must already
 * be deduplicated among themselves (the importer does it). Returns the ids in input order.
 */
export async function upsertContacts(db: Queryable, inputs: ContactInput[]): Promise<string[]> {
  if (inputs.length === 0) return [];
  const column = <K extends keyof ContactInput>(key: K) => inputs.map((input) => input[key] ?? null);
  const existing = await db.query<KeyRow>(
    // One arm per key, each naming its partial unique index's condition: joined by OR, the
    // planner scanned the whole table for every batch, which made large imports quadratic.
    `SELECT id, lower(email) AS email, phone_e164, x_user_id, messenger_psid FROM contacts WHERE email IS NOT NULL AND lower(email) = ANY($1::text[])
     UNION SELECT id, lower(email), phone_e164, x_user_id, messenger_psid FROM contacts WHERE phone_e164 IS NOT NULL AND phone_e164 = ANY($2::text[])
     UNION SELECT id, lower(email), phone_e164, x_user_id, messenger_psid FROM contacts WHERE x_user_id IS NOT NULL AND x_user_id = ANY($3::text[])
     UNION SELECT id, lower(email), phone_e164, x_user_id, messenger_psid FROM contacts WHERE messenger_psid IS NOT NULL AND messenger_psid = ANY($4::text[])`,
    [column('email'), column('phone'), column('xUserId'), column('messengerPsid')],
  );
  const byKey = new Map<string, string>();
  for (const row of existing) {
    if (row.email) byKey.set(`e:${row.email}`, row.id);
    if (row.phone_e164) byKey.set(`p:${row.phone_e164}`, row.id);
    if (row.x_user_id) byKey.set(`x:${row.x_user_id}`, row.id);
    if (row.messenger_psid) byKey.set(`m:${row.messenger_psid}`, row.id);
  }

  const ids: string[] = [];
  const created: ContactInput[] = [];
  const createdIds: string[] = [];
  const matched: ContactInput[] = [];
  const matchedIds: string[] = [];
  for (const input of inputs) {
    const found =
      (input.email && byKey.get(`e:${input.email}`)) ||
      (input.phone && byKey.get(`p:${input.phone}`)) ||
      (input.xUserId && byKey.get(`x:${input.xUserId}`)) ||
      (input.messengerPsid && byKey.get(`m:${input.messengerPsid}`)) ||
      undefined;
    if (found) {
      ids.push(found);
      matched.push(input);
      matchedIds.push(found);
    } else {
      const id = randomUUID();
      ids.push(id);
      created.push(input);
      createdIds.push(id);
    }
  }

  if (created.length > 0) {
    const col = <K extends keyof ContactInput>(key: K) => created.map((input) => input[key] ?? null);
    await db.query(
      `INSERT INTO contacts (id, first_name, last_name, email, phone_e164, locale, x_user_id, messenger_psid, time_zone)
       SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[])`,
      [createdIds, col('firstName'), col('lastName'), col('email'), col('phone'), col('locale'), col('xUserId'), col('messengerPsid'), col('timeZone')],
    );
  }
  if (matched.length > 0) {
    const col = <K extends keyof ContactInput>(key: K) => matched.map((input) => input[key] ?? null);
    // Each address is filled only when no other contact owns it, so the unique indexes never fail the batch.
    await db.query(
      `UPDATE contacts c SET
         first_name = coalesce(c.first_name, u.first_name),
         last_name = coalesce(c.last_name, u.last_name),
         locale = coalesce(c.locale, u.locale),
         time_zone = coalesce(c.time_zone, u.time_zone),
         email = coalesce(c.email, CASE WHEN NOT EXISTS (SELECT 1 FROM contacts o WHERE o.email IS NOT NULL AND lower(o.email) = lower(u.email)) THEN u.email END),
         phone_e164 = coalesce(c.phone_e164, CASE WHEN NOT EXISTS (SELECT 1 FROM contacts o WHERE o.phone_e164 = u.phone) THEN u.phone END),
         x_user_id = coalesce(c.x_user_id, CASE WHEN NOT EXISTS (SELECT 1 FROM contacts o WHERE o.x_user_id = u.x_user_id) THEN u.x_user_id END),
         messenger_psid = coalesce(c.messenger_psid, CASE WHEN NOT EXISTS (SELECT 1 FROM contacts o WHERE o.messenger_psid = u.psid) THEN u.psid END),
         updated_at = now()
       FROM (SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[])
               AS t(id, first_name, last_name, email, phone, locale, x_user_id, psid, time_zone)) u
       WHERE c.id = u.id`,
      [matchedIds, col('firstName'), col('lastName'), col('email'), col('phone'), col('locale'), col('xUserId'), col('messengerPsid'), col('timeZone')],
    );
  }
  return ids;
}

export interface ConsentChange {
  contactId: string;
  channel: ChannelName;
  granted: boolean;
  at: number;
  source: string;
}

/**
 * Records consent changes. A revocation always wins; a grant from an import or a
 * form never overrides a refusal already on record (a STOP stays a STOP until the
 * person sends START or opts in again themselves, which passes `override`).
 * Every change that takes effect lands in consent_events, the audit trail.
 */
export async function recordConsents(db: Queryable, changes: ConsentChange[], options: { override?: boolean } = {}): Promise<void> {
  // One change per contact and channel, the last one given: a statement cannot update a row twice.
  const latest = [...new Map(changes.map((change) => [`${change.contactId}/${change.channel}`, change])).values()];
  if (latest.length === 0) return;
  const col = <K extends keyof ConsentChange>(key: K) => latest.map((change) => change[key]);
  const at = latest.map((change) => new Date(change.at).toISOString());
  // Only the changes that took effect go to the audit trail, so it never shows a grant that a refusal blocked.
  await db.query(
    `WITH applied AS (
       INSERT INTO consents (contact_id, channel, granted, at, source)
       SELECT * FROM unnest($1::uuid[], $2::text[], $3::boolean[], $4::timestamptz[], $5::text[])
       ON CONFLICT (contact_id, channel) DO UPDATE SET granted = excluded.granted, at = excluded.at, source = excluded.source
       WHERE excluded.granted = false OR consents.granted = true OR $6::boolean
       RETURNING contact_id, channel, granted, at, source
     )
     INSERT INTO consent_events (contact_id, channel, granted, at, source) SELECT contact_id, channel, granted, at, source FROM applied`,
    [col('contactId'), col('channel'), col('granted'), at, col('source'), options.override === true],
  );
}

export async function listConsentEvents(db: Queryable, contactId: string): Promise<Array<{ channel: string; granted: boolean; at: string; source: string }>> {
  const rows = await db.query<{ channel: string; granted: boolean; at: Date | string; source: string }>(
    `SELECT channel, granted, at, source FROM consent_events WHERE contact_id = $1 ORDER BY at, id`,
    [contactId],
  );
  return rows.map((row) => ({ ...row, at: new Date(row.at).toISOString() }));
}

/** Notes that the person wrote to the page on Messenger, which opens the 24-hour window. */
export async function touchMessengerWindow(db: Queryable, contactId: string, at: number): Promise<void> {
  await db.query(`UPDATE contacts SET messenger_last_message_at = greatest(messenger_last_message_at, $2::timestamptz) WHERE id = $1`, [
    contactId,
    new Date(at).toISOString(),
  ]);
}

export async function setMessengerToken(db: Queryable, contactId: string, token: string | null, expiresAt: number | null): Promise<void> {
  await db.query(`UPDATE contacts SET messenger_token = $2, messenger_token_expires_at = $3 WHERE id = $1`, [
    contactId,
    token,
    expiresAt === null ? null : new Date(expiresAt).toISOString(),
  ]);
}
