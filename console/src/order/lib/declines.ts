import type { OrderMessageKey } from '../messages/index.js';
import type { PageMessage } from './errors.js';

/**
 * Decline codes of the sandbox and of Stripe (https://docs.stripe.com/declines/codes)
 * with the page's sentence. Any other code, such as `stolen_card`, gets the general
 * sentence, which does not tell the customer what the bank suspects.
 */
const DECLINE_MESSAGES: Readonly<Record<string, OrderMessageKey>> = {
  generic_decline: 'payment.decline.generic',
  card_declined: 'payment.decline.generic',
  insufficient_funds: 'payment.decline.insufficientFunds',
  expired_card: 'payment.decline.expiredCard',
  incorrect_cvc: 'payment.decline.incorrectCvc',
  processing_error: 'payment.decline.processingError',
  authentication_required: 'payment.decline.authentication',
};

/** A declined or failed payment as the payment reply describes it. */
export interface PaymentRefusal {
  declineCode: string | null;
  /** True for a failed payment (`payment_failed`), false for a declined card. */
  failed: boolean;
  retriable: boolean;
}

/**
 * Returns the sentence for a declined or failed payment. A known decline code decides
 * it. Without one, a payment that failed after the authentication prompt was not
 * confirmed, and a retriable failure is a processing error.
 *
 * @param afterAuthentication true when the refusal answers the sandbox's authentication prompt
 */
export function declineMessage(refusal: PaymentRefusal, afterAuthentication: boolean): PageMessage {
  const known = refusal.declineCode === null ? undefined : DECLINE_MESSAGES[refusal.declineCode];
  if (known !== undefined) return { key: known, params: {} };
  if (!refusal.failed) return { key: 'payment.decline.generic', params: {} };
  if (afterAuthentication) return { key: 'payment.decline.authentication', params: {} };
  if (refusal.retriable) return { key: 'payment.decline.processingError', params: {} };
  return { key: 'payment.failed', params: {} };
}
