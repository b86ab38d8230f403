import { randomBytes } from 'node:crypto';
import { Hono, type Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { languageDetector, type LanguageVariables } from 'hono/language';
import QRCode from 'qrcode';
import { CloudburstError } from '../../common/errors.js';
import type { Logger } from '../../common/logger.js';
import { errorResponse } from '../http-errors.js';
import { getSegment } from '../repos/segments.js';
import type { ServerServices } from '../services.js';
import { defaultPhoneCountry } from '../signup/countries.js';
import { DEFAULT_SIGNUP_LANGUAGE, isSignupLanguage, SIGNUP_LANGUAGES, toSignupLanguageTag, translate, type SignupLanguage } from '../signup/i18n.js';
import { normalizeSignup, parseRawSignup, rawSignupFromForm, type RawSignup } from '../signup/input.js';
import { renderNoticePage, renderSignupPage, renderThanksPage, type FormValues, type PageFrame } from '../signup/page.js';
import { SlidingWindowLimiter, type RateLimitOptions } from '../signup/rate-limit.js';
import { formatSignupReply, signupErrorText } from '../signup/reply.js';
import { signUp, signupClosed } from '../signup/service.js';
import { findSignupTarget, type SignupTarget } from '../signup/target.js';
import { socketAddress } from './client-address.js';
import { uuidParam } from './params.js';
import { parseInput } from '../../common/validation.js';
import { readJson } from './json-body.js';

/** A sign-up body is a handful of short fields; anything larger is not from the page. */
const MAX_SIGNUP_BODY_BYTES = 16 * 1024;

/**
 * Sign-ups per client address per minute: enough for a family signing up one by
 * one on a shared phone, while a script harvesting single-use codes from one
 * address gets at most 14,400 a day.
 */
const DEFAULT_RATE_LIMIT = { max: 10, windowMs: 60_000, maxClients: 10_000 };

export interface SignupRoutesOptions {
  /** The server's public origin, such as `https://trucks.example.com`, which the sign-up link and QR code point at. */
  publicUrl: () => string;
  logger: Logger;
  /** Clock in ms since the epoch for consent times and the rate limit; Date.now by default. */
  now?: () => number;
  rateLimit?: Partial<Omit<RateLimitOptions, 'now'>>;
  /**
   * The client's address for the rate limit; the TCP peer by default. Behind a
   * reverse proxy every client has the proxy's address, so pass a function that
   * reads the proxy's forwarded-for header instead.
   */
  clientAddress?: (c: Context) => string | undefined;
}

type SignupEnv = { Variables: LanguageVariables };

const detectLanguage = languageDetector({
  order: ['querystring', 'header'],
  lookupQueryString: 'lang',
  supportedLanguages: [...SIGNUP_LANGUAGES],
  fallbackLanguage: DEFAULT_SIGNUP_LANGUAGE,
  convertDetectedLanguage: toSignupLanguageTag,
  caches: false,
});

/**
 * Builds the public sign-up routes, mounted at the root without authentication:
 * `GET /join/:segmentId` (the page behind the QR code) and
 * `POST /v1/signups/:segmentId` (JSON or a form post).
 */
export function signupRoutes(services: ServerServices, options: SignupRoutesOptions): Hono<SignupEnv> {
  const logger = options.logger.child({ component: 'signup' });
  const now = options.now ?? Date.now;
  const limiter = new SlidingWindowLimiter({ ...DEFAULT_RATE_LIMIT, ...options.rateLimit, now });
  const clientAddress = options.clientAddress ?? socketAddress;
  const app = new Hono<SignupEnv>();
  app.onError((error, c) => errorResponse(error, c, logger));

  // GET /join/:segmentId?lang=en|zh-CN: the form, or a page saying sign-up is closed.
  app.get('/join/:segmentId', detectLanguage, async (c) => {
    const frame = pageFrame(c, c.req.param('segmentId'));
    const target = await findSignupTarget(services.db, frame.segmentId);
    if (target.state === 'unknown') return sendPage(c, frame, 404, renderNoticePage(frame, 'notFoundTitle', 'notFoundBody'));
    if (target.state === 'closed') return sendPage(c, frame, 410, renderNoticePage(frame, 'closedTitle', 'closedBody'));
    return sendPage(c, frame, 200, renderSignupPage(frame, signupPageView(target)));
  });

  // POST /v1/signups/:segmentId { firstName?, email?, phone?, country?, consent?: { sms?, email? }, lang? }
  // A form post gets HTML pages; any other body is read as JSON and gets JSON.
  app.post('/v1/signups/:segmentId', bodyLimit({ maxSize: MAX_SIGNUP_BODY_BYTES, onError: tooLarge }), detectLanguage, async (c) => {
    const segmentId = c.req.param('segmentId');
    const fields = isFormPost(c) ? await readForm(c) : undefined;
    const frame = pageFrame(c, segmentId);
    const values = fields === undefined ? {} : formValues(fields);
    let target: SignupTarget | undefined;

    try {
      let raw: RawSignup | undefined;
      if (fields === undefined) {
        raw = parseRawSignup(await readJson(c));
        if (raw.lang !== undefined) frame.language = raw.lang;
      }

      target = await findSignupTarget(services.db, segmentId);
      if (target.state === 'unknown') throw new CloudburstError('not_found', `sign-up segment ${segmentId} not found`, { field: 'segmentId', value: segmentId });
      if (target.state === 'closed') throw signupClosed(target.segment, target.campaign);
      raw ??= rawSignupFromForm(fields!);
      const input = normalizeSignup(raw, target.channels, defaultPhoneCountry(target.campaign.timeZone));

      // Only sign-ups that would write count, so a typo costs a person nothing.
      const client = clientAddress(c) ?? 'unknown';
      const decision = limiter.take(client);
      if (!decision.allowed) {
        if (decision.first) logger.warn({ segmentId, client, retryAfterSeconds: decision.retryAfterSeconds }, 'sign-up rate limit reached; rejecting this client until its window frees');
        return tooManySignups(c, frame, fields !== undefined, decision.retryAfterSeconds);
      }

      const result = await signUp(services.db, { segmentId: target.segment.id, input, locale: frame.language, at: now() });
      logger.info({ segmentId, campaignId: result.target.campaign.id, contactId: result.contactId, consent: input.consent }, 'signed up');
      const reply = formatSignupReply(result, frame.language);
      c.header('Cache-Control', 'no-store');
      if (fields === undefined) return c.json(reply);
      return sendPage(c, frame, 200, renderThanksPage(frame, { firstName: input.firstName, code: reply.code, benefit: reply.benefit, validUntilText: reply.validUntilText }));
    } catch (error) {
      if (fields !== undefined) return pageFailure(c, frame, error, target, values);
      if (error instanceof CloudburstError) return jsonFailure(c, error, frame.language, target);
      throw error;
    }
  });

  /** Renders the form again with the error (400), the 404 or 410 notice, or a generic error page after logging the error. */
  function pageFailure(c: Context, frame: PageFrame, error: unknown, target: SignupTarget | undefined, values: FormValues): Promise<Response> {
    const code = error instanceof CloudburstError ? error.code : 'internal';
    if (code === 'not_found') return sendPage(c, frame, 404, renderNoticePage(frame, 'notFoundTitle', 'notFoundBody'));
    if (code === 'conflict' && (error as CloudburstError).field === 'segmentId') {
      return sendPage(c, frame, 410, renderNoticePage(frame, 'closedTitle', 'closedBody'));
    }
    if (code === 'invalid_input' && target?.state === 'open') {
      const invalid = error as CloudburstError;
      const text = signupErrorText(frame.language, invalid, target.channels);
      return sendPage(c, frame, 400, renderSignupPage(frame, { ...signupPageView(target), values, error: { text, field: invalid.field } }));
    }

    logger.error({ err: error, segmentId: frame.segmentId }, 'sign-up form post failed');
    return sendPage(c, frame, code === 'unavailable' ? 503 : 500, renderNoticePage(frame, 'errorHeading', 'errorGeneric'));
  }

  return app;
}

/**
 * Builds the admin routes of a point-of-sale segment, mounted under `/v1/admin` behind the
 * admin token: `GET /segments/:segmentId/qr.svg` and `GET /segments/:segmentId/signup-link`.
 */
export function signupAdminRoutes(services: ServerServices, options: SignupRoutesOptions): Hono {
  const logger = options.logger.child({ component: 'signup-admin' });
  const app = new Hono();
  app.onError((error, c) => errorResponse(error, c, logger));

  async function signupLink(segmentId: string): Promise<string> {
    const id = parseInput(uuidParam, segmentId, 'segmentId');
    const segment = await getSegment(services.db, id);
    if (!segment) throw new CloudburstError('not_found', `segment ${id} not found`, { field: 'segmentId', value: id });
    if (segment.source !== 'point_of_sale') {
      throw new CloudburstError('conflict', `segment ${id} is a ${segment.source} segment; only point_of_sale segments take sign-ups`, {
        field: 'segmentId',
        value: id,
      });
    }
    return signupUrl(options.publicUrl(), id);
  }

  // GET /segments/:segmentId/qr.svg: a QR code of the sign-up link, to print at the truck.
  app.get('/segments/:segmentId/qr.svg', async (c) => {
    const url = await signupLink(c.req.param('segmentId'));
    const svg = await QRCode.toString(url, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });
    return c.body(svg, 200, { 'Content-Type': 'image/svg+xml; charset=utf-8' });
  });

  // GET /segments/:segmentId/signup-link: { url } of the public sign-up page.
  app.get('/segments/:segmentId/signup-link', async (c) => c.json({ url: await signupLink(c.req.param('segmentId')) }));

  return app;
}

/** Returns the public sign-up page of a segment: `<publicUrl>/join/<segmentId>`. */
export function signupUrl(publicUrl: string, segmentId: string): string {
  let base: URL;
  try {
    base = new URL(publicUrl);
  } catch (error) {
    throw new CloudburstError('internal', `invalid public URL ${JSON.stringify(publicUrl)}: expected an absolute http or https URL`, { cause: error });
  }
  if (base.protocol !== 'https:' && base.protocol !== 'http:') {
    throw new CloudburstError('internal', `invalid public URL ${JSON.stringify(publicUrl)}: expected an http or https URL`);
  }
  return `${publicUrl.replace(/\/+$/, '')}/join/${encodeURIComponent(segmentId)}`;
}

function pageFrame(c: Context<SignupEnv>, segmentId: string): PageFrame {
  const detected = c.get('language');
  return {
    language: isSignupLanguage(detected) ? detected : DEFAULT_SIGNUP_LANGUAGE,
    nonce: randomBytes(16).toString('base64'),
    segmentId,
  };
}

function signupPageView(target: Extract<SignupTarget, { state: 'open' }>) {
  return {
    senderName: target.senderName,
    campaignName: target.campaign.name,
    benefit: target.campaign.benefit.description ?? '',
    channels: target.channels,
    defaultCountry: defaultPhoneCountry(target.campaign.timeZone),
  };
}

/**
 * Sends a page with a Content-Security-Policy that admits only this response's
 * inline style and script, and posts only back to this origin.
 */
async function sendPage(c: Context, frame: PageFrame, status: 200 | 400 | 404 | 410 | 429 | 500 | 503, page: ReturnType<typeof renderNoticePage>): Promise<Response> {
  const nonce = `'nonce-${frame.nonce}'`;
  c.header(
    'Content-Security-Policy',
    `default-src 'none'; style-src ${nonce}; script-src ${nonce}; connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'`,
  );
  c.header('Referrer-Policy', 'no-referrer');
  c.header('X-Content-Type-Options', 'nosniff');
  c.header('Cache-Control', 'no-store');
  c.header('Content-Language', frame.language);
  c.header('Vary', 'Accept-Language');
  return c.html(await page, status);
}

/** Errors a sign-up reply explains to the person, with their status; the shared error mapping handles the rest. */
const JSON_FAILURE_STATUS: Partial<Record<CloudburstError['code'], 400 | 404 | 409>> = { invalid_input: 400, not_found: 404, conflict: 409 };

function jsonFailure(c: Context, error: CloudburstError, language: SignupLanguage, target: SignupTarget | undefined): Response {
  const channels = target?.state === 'open' ? target.channels : [];
  const status = JSON_FAILURE_STATUS[error.code];
  // Other errors go to the one HTTP error mapping, which logs them.
  if (status === undefined) throw error;
  return c.json({ error: { ...error.toJSON(), text: signupErrorText(language, error, channels) } }, status);
}

function tooManySignups(c: Context, frame: PageFrame, asPage: boolean, retryAfterSeconds: number): Response | Promise<Response> {
  c.header('Retry-After', String(retryAfterSeconds));
  if (asPage) return sendPage(c, frame, 429, renderNoticePage(frame, 'errorHeading', 'errorTooMany'));
  const error = new CloudburstError('unavailable', `too many sign-ups from this address; retry after ${retryAfterSeconds} s`, { retriable: true });
  return c.json({ error: { ...error.toJSON(), text: translate(frame.language, 'errorTooMany') } }, 429);
}

function tooLarge(): never {
  throw new CloudburstError('payload_too_large', `sign-up body exceeds ${MAX_SIGNUP_BODY_BYTES} bytes`);
}

/** Reads the fields of a form post. Repeated fields become arrays, which the sign-up rejects. */
async function readForm(c: Context): Promise<Record<string, string | File | Array<string | File>>> {
  try {
    return await c.req.parseBody({ all: true });
  } catch (error) {
    throw new CloudburstError('invalid_input', `invalid (body): not a readable form body (${(error as Error).message})`, { field: '(body)', cause: error });
  }
}

function isFormPost(c: Context): boolean {
  const type = (c.req.header('content-type') ?? '').toLowerCase();
  return type.startsWith('application/x-www-form-urlencoded') || type.startsWith('multipart/form-data');
}

/** Picks the text fields of a form post, to fill the form again after an error. */
function formValues(fields: Record<string, unknown>): FormValues {
  const text = (name: string) => (typeof fields[name] === 'string' ? (fields[name] as string) : undefined);
  return {
    firstName: text('firstName'),
    email: text('email'),
    phone: text('phone'),
    country: text('country'),
    consent: { sms: fields['consent.sms'] !== undefined, email: fields['consent.email'] !== undefined },
  };
}
