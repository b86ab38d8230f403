import { describe, expect, it } from 'vitest';
import { mayHaveBeenSent } from './send-outcome.js';

describe('mayHaveBeenSent', () => {
  it('flags the reasons of unknown outcomes', () => {
    expect(mayHaveBeenSent('outcome unknown: the process stopped while sending; not sent again automatically to avoid a duplicate')).toBe(true);
    expect(
      mayHaveBeenSent(
        'Twilio did not answer within 10000 ms. The provider may have accepted the message, so it was not sent again. Check the Twilio message log, and retry the send from the console only if the message is not there',
      ),
    ).toBe(true);
    expect(mayHaveBeenSent('sent by twilio as SM123, but the store write failed; do not retry it')).toBe(true);
  });

  it('leaves other reasons alone', () => {
    expect(mayHaveBeenSent('twilio 21211: invalid To number')).toBe(false);
    expect(mayHaveBeenSent('the message cannot be sent as written: the post has weighted length 285, 5 over the limit of 280')).toBe(false);
    expect(mayHaveBeenSent(null)).toBe(false);
    expect(mayHaveBeenSent('')).toBe(false);
  });
});
