import type { CloudburstError } from '../../common/errors.js';
import { formatValidUntil } from '../../messages/valid-until.js';
import { translate, type SignupLanguage } from './i18n.js';
import { isMissingAddress, MAX_FIRST_NAME_LENGTH, type SignupChannel } from './input.js';
import type { SignupResult } from './service.js';

/** The JSON reply to a sign-up. */
export interface SignupReply {
  code: string;
  /** The campaign's benefit as the marketer described it, such as "15% off". */
  benefit: string;
  /** ISO 8601 instant from which the code is no longer accepted. */
  validUntil: string;
  /** `validUntil` in the campaign's time zone and the page language. */
  validUntilText: string;
}

export function formatSignupReply(result: SignupResult, language: SignupLanguage): SignupReply {
  const { campaign } = result.target;
  return {
    code: result.code,
    benefit: campaign.benefit.description ?? '',
    validUntil: new Date(result.validUntil).toISOString(),
    validUntilText: formatValidUntil(result.validUntil, campaign.timeZone, language),
  };
}

/**
 * Translates the error for the person on the page. `offered` are the channels the
 * page showed a consent box for, since consent to any other one cannot come from the page.
 */
export function signupErrorText(language: SignupLanguage, error: CloudburstError, offered: readonly SignupChannel[]): string {
  const value = typeof error.value === 'string' ? error.value : '';
  switch (error.code) {
    case 'not_found':
      return translate(language, 'notFoundBody');
    case 'conflict':
      return translate(language, error.field === 'segmentId' ? 'closedBody' : 'errorGeneric');
    case 'invalid_input':
      break;
    default:
      return translate(language, 'errorGeneric');
  }

  switch (error.field) {
    case 'email':
      return isMissingAddress(error) ? translate(language, 'errorContactMissing') : translate(language, 'errorEmail', { value });
    case 'phone':
      return translate(language, 'errorPhone', { value });
    case 'country':
      return translate(language, 'errorCountry');
    case 'firstName':
      return translate(language, 'errorFirstName', { max: MAX_FIRST_NAME_LENGTH });
    case 'consent.sms':
      return translate(language, offered.includes('sms') ? 'errorConsentSms' : 'errorGeneric');
    case 'consent.email':
      return translate(language, offered.includes('email') ? 'errorConsentEmail' : 'errorGeneric');
    default:
      return translate(language, 'errorGeneric');
  }
}
