import { z } from 'zod';
import { clipValue, CloudburstError, formatValue, invalidInput } from '../../common/errors.js';
import { normalizeEmail } from '../../contacts/email.js';
import { normalizePhone } from '../../contacts/phone.js';
import { parseInput } from '../../common/validation.js';
import { isPhoneCountry } from './countries.js';
import { SIGNUP_LANGUAGES } from './i18n.js';

/** Channels a person can opt in to on the sign-up page. */
export const SIGNUP_CHANNELS = ['sms', 'email'] as const;
export type SignupChannel = (typeof SIGNUP_CHANNELS)[number];

export const MAX_FIRST_NAME_LENGTH = 100;
// Generous bounds that only stop absurd input; the normalizers check the real syntax.
const MAX_EMAIL_INPUT_LENGTH = 320;
const MAX_PHONE_INPUT_LENGTH = 40;

/**
 * The sign-up body as sent: JSON
 * `{ firstName?, email?, phone?, country?, consent?: { sms?, email? }, lang? }`,
 * or the same fields form-encoded with checkboxes named `consent.sms` and `consent.email`.
 */
const rawSignupSchema = z.strictObject({
  firstName: z.string().trim().max(MAX_FIRST_NAME_LENGTH, `expected at most ${MAX_FIRST_NAME_LENGTH} characters`).optional(),
  email: z.string().max(MAX_EMAIL_INPUT_LENGTH, `expected at most ${MAX_EMAIL_INPUT_LENGTH} characters`).optional(),
  phone: z.string().max(MAX_PHONE_INPUT_LENGTH, `expected at most ${MAX_PHONE_INPUT_LENGTH} characters`).optional(),
  country: z.string().optional(),
  consent: z
    .strictObject({
      sms: z.boolean('expected true or false').optional(),
      email: z.boolean('expected true or false').optional(),
    })
    .default({}),
  lang: z.enum(SIGNUP_LANGUAGES).optional(),
  /** The device SDK's token on the same phone, so the person's campaign messages can also come as pushes. */
  deviceToken: z.string().min(1).max(200).optional(),
});

export type RawSignup = z.infer<typeof rawSignupSchema>;

/** Marks the error of a sign-up that gave neither an email address nor a phone number. */
const NO_ADDRESS = 'email or phone';

/** A validated sign-up: addresses normalized, consent per channel shown on the page. */
export interface SignupInput {
  firstName?: string;
  /** Lower-case address. */
  email?: string;
  /** E.164 number. */
  phone?: string;
  consent: Record<SignupChannel, boolean>;
  deviceToken?: string;
}

/** Checks the shape of a JSON body. @throws CloudburstError `invalid_input` naming the field */
export function parseRawSignup(body: unknown): RawSignup {
  return parseInput(rawSignupSchema, body);
}

/**
 * Reads a form post. A ticked checkbox is sent with any value and an unticked one
 * not at all, so presence alone means consent. Empty text fields count as left out.
 */
export function rawSignupFromForm(form: Record<string, string | File | Array<string | File>>): RawSignup {
  const text = (field: string): string | undefined => {
    const value = form[field];
    if (value === undefined) return undefined;
    if (typeof value !== 'string') throw invalidInput(field, '(a file or repeated field)', 'one text value');
    return value;
  };
  return parseInput(rawSignupSchema, {
    firstName: text('firstName'),
    email: text('email'),
    phone: text('phone'),
    country: text('country'),
    consent: { sms: form['consent.sms'] !== undefined, email: form['consent.email'] !== undefined },
  });
}

/**
 * Normalizes the addresses and checks the consent flags against the channels the
 * page offered a consent box for (`offered`). A phone without `+` is read as a number of `country`,
 * or of `defaultCountry` when the body names none.
 *
 * @throws CloudburstError `invalid_input` naming `email`, `phone`, `country` or
 *   `consent.<channel>` with the value received
 */
export function normalizeSignup(raw: RawSignup, offered: readonly SignupChannel[], defaultCountry: string): SignupInput {
  const email = blankToUndefined(raw.email);
  const phone = blankToUndefined(raw.phone);
  if (email === undefined && phone === undefined) {
    throw new CloudburstError('invalid_input', `invalid email: ${formatValue(raw.email)} (expected an email address or a phone number: give at least one)`, {
      field: 'email',
      value: clipValue(raw.email),
      context: { missing: NO_ADDRESS },
    });
  }

  const input: SignupInput = { firstName: blankToUndefined(raw.firstName), consent: { sms: false, email: false } };
  if (raw.deviceToken !== undefined) input.deviceToken = raw.deviceToken;
  if (email !== undefined) input.email = normalizedEmail(email);
  if (phone !== undefined) input.phone = normalizedPhone(phone, countryOf(raw.country, defaultCountry));

  for (const channel of SIGNUP_CHANNELS) {
    if (raw.consent[channel] !== true) continue;
    const field = `consent.${channel}`;
    if (!offered.includes(channel)) {
      throw invalidInput(field, true, `no ${channel} consent, because this campaign does not send by ${channel}`);
    }
    if (channel === 'sms' && input.phone === undefined) throw invalidInput(field, true, 'a phone number along with SMS consent');
    if (channel === 'email' && input.email === undefined) throw invalidInput(field, true, 'an email address along with email consent');
    input.consent[channel] = true;
  }
  return input;
}

/** True for the error of a sign-up that gave neither an email address nor a phone number. */
export function isMissingAddress(error: CloudburstError): boolean {
  return error.context?.missing === NO_ADDRESS;
}

function blankToUndefined(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value;
}

function countryOf(typed: string | undefined, fallback: string): string {
  const country = blankToUndefined(typed);
  if (country === undefined) return fallback;
  if (!isPhoneCountry(country)) {
    throw invalidInput('country', typed, 'an upper-case ISO 3166-1 alpha-2 code with a phone numbering plan, such as "US" or "CN"');
  }
  return country;
}

function normalizedEmail(raw: string): string {
  const result = normalizeEmail(raw);
  if (result.ok) return result.email;
  throw new CloudburstError('invalid_input', `invalid email: ${result.reason}`, { field: 'email', value: clipValue(raw) });
}

function normalizedPhone(raw: string, country: string): string {
  const result = normalizePhone(raw, country);
  if (result.ok) return result.e164;
  throw new CloudburstError('invalid_input', `invalid phone: ${result.reason}`, { field: 'phone', value: clipValue(raw) });
}
