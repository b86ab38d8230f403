import { describe, expect, it } from 'vitest';
import { declineMessage } from './declines.js';

describe('declineMessage', () => {
  it.each([
    ['generic_decline', 'payment.decline.generic'],
    ['card_declined', 'payment.decline.generic'],
    ['insufficient_funds', 'payment.decline.insufficientFunds'],
    ['expired_card', 'payment.decline.expiredCard'],
    ['incorrect_cvc', 'payment.decline.incorrectCvc'],
    ['processing_error', 'payment.decline.processingError'],
    ['authentication_required', 'payment.decline.authentication'],
    ['stolen_card', 'payment.decline.generic'],
    ['something_new', 'payment.decline.generic'],
  ])('maps decline code %s', (declineCode, key) => {
    expect(declineMessage({ declineCode, failed: false, retriable: false }, false)).toEqual({ key, params: {} });
  });

  it('maps a decline without code', () => {
    expect(declineMessage({ declineCode: null, failed: false, retriable: false }, false)).toEqual({ key: 'payment.decline.generic', params: {} });
  });

  it('maps a failed authentication', () => {
    expect(declineMessage({ declineCode: null, failed: true, retriable: false }, true)).toEqual({ key: 'payment.decline.authentication', params: {} });
  });

  it('maps a retriable failure to a processing error', () => {
    expect(declineMessage({ declineCode: null, failed: true, retriable: true }, false)).toEqual({ key: 'payment.decline.processingError', params: {} });
  });

  it('maps any other failure', () => {
    expect(declineMessage({ declineCode: null, failed: true, retriable: false }, false)).toEqual({ key: 'payment.failed', params: {} });
  });

  it('prefers the decline code over the failure kind', () => {
    expect(declineMessage({ declineCode: 'insufficient_funds', failed: true, retriable: true }, true)).toEqual({ key: 'payment.decline.insufficientFunds', params: {} });
  });
});
