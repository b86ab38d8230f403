/**
 * Phrases the server puts in the reason of a parked send that may have reached the
 * recipient: a process stopped mid-send, a provider timed out or failed after the
 * request went out, or a sent message could not be recorded.
 */
const MAYBE_SENT = ['outcome unknown', 'may have accepted the message', 'do not retry it'];

/** Returns true when a parked send's reason states that the recipient may already have the message. */
export function mayHaveBeenSent(reason: string | null | undefined): boolean {
  if (!reason) return false;
  const text = reason.toLowerCase();
  return MAYBE_SENT.some((phrase) => text.includes(phrase));
}
