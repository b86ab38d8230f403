import { describe, expect, it } from 'vitest';
import { ApiError } from '../../../../sdk/orders/http.js';
import { codeAfterOrder, isFinalCodeRejection } from './applied-code.js';

function codeError(reason: string | undefined, field = 'code'): ApiError {
  return new ApiError(400, { code: 'invalid_input', message: `code TACO-1234 rejected: ${reason}`, field, value: 'TACO-1234', ...(reason === undefined ? {} : { reason }) });
}

describe('isFinalCodeRejection', () => {
  it.each(['unknown', 'malformed', 'foreign', 'campaign_not_live', 'not_yet_valid', 'expired', 'already_redeemed'])('is true for %s', (reason) => {
    expect(isFinalCodeRejection(codeError(reason))).toBe(true);
  });

  it('is true for a code sent to someone else', () => {
    expect(isFinalCodeRejection(codeError('foreign', 'customer'))).toBe(true);
  });

  it.each(['min_spend', 'item_not_in_cart', 'currency_mismatch', 'customer_required', 'a_future_reason'])('is false for %s', (reason) => {
    expect(isFinalCodeRejection(codeError(reason))).toBe(false);
  });

  it('is false without a reason or an ApiError', () => {
    expect(isFinalCodeRejection(codeError(undefined))).toBe(false);
    expect(isFinalCodeRejection(new Error('expired'))).toBe(false);
  });
});

describe('codeAfterOrder', () => {
  it('has nothing to do without a code', () => {
    expect(codeAfterOrder({ status: 'picked_up', code: null }, null)).toEqual({ action: 'none' });
  });

  it.each(['picked_up', 'refunded'] as const)('removes the code of a %s order', (status) => {
    expect(codeAfterOrder({ status, code: 'TACO-1234' }, null)).toEqual({ action: 'remove', code: 'TACO-1234' });
  });

  it('removes a code another order redeemed first', () => {
    expect(codeAfterOrder({ status: 'cancelled', code: 'TACO-1234' }, 'already_redeemed')).toEqual({ action: 'remove', code: 'TACO-1234' });
  });

  it('looks up the code of a cancelled order', () => {
    expect(codeAfterOrder({ status: 'cancelled', code: 'TACO-1234' }, null)).toEqual({ action: 'look_up', code: 'TACO-1234' });
    expect(codeAfterOrder({ status: 'cancelled', code: 'TACO-1234' }, 'order_not_payable')).toEqual({ action: 'look_up', code: 'TACO-1234' });
  });
});
