import { Hono } from 'hono';
import { z } from 'zod';
import type { Logger } from '../../common/logger.js';
import type { Db } from '../../store/types.js';
import { getContact, recordConsents } from '../repos/contacts.js';
import { unsubscribeSecret, verifyUnsubscribe } from './links.js';

const contactIdParam = z.string().uuid();

/** The page speaks both languages at once: the link is opened before we know the reader's. */
const TEXT = {
  confirm: ['Stop the offer emails?', '不再接收优惠邮件？'],
  button: ['Unsubscribe', '退订'],
  done: ['You will get no more offer emails.', '您将不再收到优惠邮件。'],
  invalid: ['This unsubscribe link is not valid.', '此退订链接无效。'],
} as const;

function page(lines: readonly string[], form?: string): string {
  const body = lines.map((line) => `<p>${line}</p>`).join('');
  const button = form ? `<form method="post" action="${form}"><button type="submit">${TEXT.button.join(' / ')}</button></form>` : '';
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>${TEXT.button.join(' / ')}</title><style>body{font:18px/1.5 system-ui,sans-serif;margin:2rem auto;max-width:30rem;padding:0 1rem}button{font-size:1.1rem;padding:.6rem 1.4rem}</style></head><body>${body}${button}</body></html>`;
}

/**
 * `GET /unsubscribe/:contactId/:token` asks for confirmation (a link scanner that
 * opens every URL must not unsubscribe anyone); `POST` does it, which is also what a
 * mail client's one-click unsubscribe (RFC 8058) sends.
 */
export function unsubscribeRoutes(options: { db: Db; logger: Logger }): Hono {
  const logger = options.logger.child({ component: 'unsubscribe' });
  const app = new Hono();

  async function check(contactId: string, token: string): Promise<boolean> {
    if (!contactIdParam.safeParse(contactId).success) return false;
    return verifyUnsubscribe(await unsubscribeSecret(options.db), contactId.toLowerCase(), token);
  }

  app.get('/unsubscribe/:contactId/:token', async (c) => {
    const { contactId, token } = c.req.param();
    if (!(await check(contactId, token))) return c.html(page(TEXT.invalid), 404);
    return c.html(page(TEXT.confirm, `/unsubscribe/${contactId}/${token}`));
  });

  app.post('/unsubscribe/:contactId/:token', async (c) => {
    const { contactId, token } = c.req.param();
    if (!(await check(contactId, token))) return c.html(page(TEXT.invalid), 404);
    const id = contactId.toLowerCase();
    if (await getContact(options.db, id)) {
      await options.db.transaction((tx) =>
        recordConsents(tx, [{ contactId: id, channel: 'email', granted: false, at: Date.now(), source: 'email unsubscribe link' }]),
      );
      logger.info({ contactId: id }, 'contact unsubscribed from email');
    }
    return c.html(page(TEXT.done));
  });

  return app;
}
