import { Hono } from 'hono';
import { z } from 'zod';
import { CHANNEL_NAMES } from '../../channels/types.js';
import { CloudburstError } from '../../common/errors.js';
import type { Logger } from '../../common/logger.js';
import { getContact, listConsentEvents, listSegmentContacts, recordConsents, type Contact } from '../repos/contacts.js';
import { getSegment } from '../repos/segments.js';
import type { ServerServices } from '../services.js';
import { parseInput } from '../../common/validation.js';
import { readJson } from './json-body.js';
import { pageParams, uuidParam } from './params.js';

const channelParam = z.enum(CHANNEL_NAMES as [string, ...string[]]);
const consentBody = z.object({ granted: z.boolean(), source: z.string().trim().min(1).max(200) }).strict();
const page = z.object(pageParams(1_000, 100));

/**
 * A contact as the API shows it: times as ISO 8601 like every other `*At` field,
 * and without the Messenger notification token, which lets anyone holding it message
 * the person.
 */
function publicContact(contact: Contact) {
  const { messengerToken, messengerLastMessageAt, messengerTokenExpiresAt, ...rest } = contact;
  const iso = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms).toISOString());
  return {
    ...rest,
    messengerLastMessageAt: iso(messengerLastMessageAt),
    messengerTokenExpiresAt: iso(messengerTokenExpiresAt),
    messengerOptedIn: messengerToken !== undefined,
  };
}

/** Contacts, their consent and segment members, under `/v1/admin`. */
export function contactRoutes(services: ServerServices, parentLogger: Logger): Hono {
  const logger = parentLogger.child({ component: 'contact-api' });
  const { db } = services;
  const app = new Hono();

  async function requireContact(id: string) {
    const contact = await getContact(db, id);
    if (!contact) throw new CloudburstError('not_found', `contact ${id} not found`, { field: 'id', value: id });
    return contact;
  }

  // GET /contacts/:id: the contact, its consent per channel and the consent history (export).
  app.get('/contacts/:id', async (c) => {
    const id = parseInput(uuidParam, c.req.param('id'), 'id');
    return c.json({ contact: publicContact(await requireContact(id)), consentHistory: await listConsentEvents(db, id) });
  });

  // PUT /contacts/:id/consents/:channel { granted, source }: a change the person asked for (by phone, at the counter).
  app.put('/contacts/:id/consents/:channel', async (c) => {
    const id = parseInput(uuidParam, c.req.param('id'), 'id');
    const channel = parseInput(channelParam, c.req.param('channel'), 'channel') as (typeof CHANNEL_NAMES)[number];
    const { granted, source } = parseInput(consentBody, await readJson(c));
    await requireContact(id);
    await db.transaction((tx) => recordConsents(tx, [{ contactId: id, channel, granted, at: Date.now(), source }], { override: true }));
    logger.info({ contactId: id, channel, granted }, 'consent changed by an admin');
    return c.json({ contact: publicContact(await requireContact(id)) });
  });

  // DELETE /contacts/:id: erases the contact, its memberships, consent and queued sends.
  app.delete('/contacts/:id', async (c) => {
    const id = parseInput(uuidParam, c.req.param('id'), 'id');
    await requireContact(id);
    await db.query(`DELETE FROM contacts WHERE id = $1`, [id]);
    logger.info({ contactId: id }, 'contact erased');
    return c.body(null, 204);
  });

  // GET /segments/:id/members?limit=&offset=
  app.get('/segments/:id/members', async (c) => {
    const id = parseInput(uuidParam, c.req.param('id'), 'id');
    const { limit, offset } = parseInput(page, c.req.query());
    const segment = await getSegment(db, id);
    if (!segment) throw new CloudburstError('not_found', `segment ${id} not found`, { field: 'id', value: id });
    return c.json({ segment, members: (await listSegmentContacts(db, id, limit, offset)).map(publicContact) });
  });

  return app;
}
