import type { Context } from 'hono';
import { verifyTwilioSignature } from '../../channels/twilio-inbound.js';
import { clipValue, CloudburstError, formatValue } from '../../common/errors.js';
import type { Logger } from '../../common/logger.js';
import { WEBHOOKS_MOUNT_PATH, type WebhookOptions } from './options.js';

const FORM_CONTENT_TYPE = 'application/x-www-form-urlencoded';

/** Form fields as Twilio posts them; a repeated field keeps every value, as the signature covers them all. */
export type TwilioForm = Record<string, string | string[]>;

/**
 * Reads a Twilio webhook's form body and checks its `X-Twilio-Signature`.
 *
 * The signed URL is `channels.publicUrl`, the mount path and `routePath`, plus the
 * request's own query string. Twilio signs the URL configured at Twilio, and behind a
 * proxy the server receives requests for another host.
 *
 * @throws CloudburstError `not_found` when Twilio is not configured, `invalid_input` for a
 *   body that is not form-encoded, `forbidden` when the signature does not match
 */
export async function readSignedTwilioForm(c: Context, options: WebhookOptions, routePath: string, log: Logger): Promise<TwilioForm> {
  const authToken = options.channels.twilio?.authToken;
  if (authToken === undefined || authToken === '') {
    throw new CloudburstError(
      'not_found',
      `Twilio webhooks are not configured: set TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN to receive ${WEBHOOKS_MOUNT_PATH}${routePath}`,
    );
  }

  const contentType = c.req.header('content-type') ?? '';
  if (contentType.split(';')[0]!.trim().toLowerCase() !== FORM_CONTENT_TYPE) {
    throw new CloudburstError('invalid_input', `invalid content-type: ${formatValue(contentType)} (expected ${FORM_CONTENT_TYPE}, as Twilio posts webhooks)`, {
      field: 'content-type',
      value: clipValue(contentType),
    });
  }
  const form = decodeForm(await c.req.text());

  const signedUrl = `${options.channels.publicUrl.replace(/\/+$/, '')}${WEBHOOKS_MOUNT_PATH}${routePath}${new URL(c.req.url).search}`;
  if (!verifyTwilioSignature(authToken, signedUrl, form, c.req.header('x-twilio-signature'))) {
    // The MessageSid is unverified input, so it is clipped before it reaches the log.
    log.warn({ messageSid: clipValue(form.MessageSid), signedUrl }, 'Twilio webhook rejected: X-Twilio-Signature does not match');
    throw new CloudburstError(
      'forbidden',
      `invalid X-Twilio-Signature for ${signedUrl} (expected Twilio's signature of this URL; check that PUBLIC_URL matches the webhook URL configured at Twilio)`,
      { field: 'X-Twilio-Signature' },
    );
  }
  return form;
}

function decodeForm(body: string): TwilioForm {
  const form: TwilioForm = {};
  for (const [name, value] of new URLSearchParams(body)) {
    const previous = form[name];
    if (previous === undefined) form[name] = value;
    else form[name] = Array.isArray(previous) ? [...previous, value] : [previous, value];
  }
  return form;
}
