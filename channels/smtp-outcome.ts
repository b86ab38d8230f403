/**
 * The SendOutcome of one nodemailer send: a plugin that records how far the message got,
 * and the mapping of nodemailer's errors and the server's SMTP replies.
 */
import type Mail from 'nodemailer/lib/mailer/index.js';
import { clipReason } from './http-outcome.js';
import type { SendOutcome } from './types.js';
import { unknownOutcome } from './unknown-outcome.js';

/** SMTP codes (and nodemailer error codes) that mean the connection, not the message, failed. */
const CONNECTION_ERROR_CODES = new Set(['ETIMEDOUT', 'ECONNECTION', 'ESOCKET', 'EDNS', 'ETLS', 'EPROTOCOL']);

/**
 * Key of the per-send progress record in the options passed to `sendMail`. nodemailer
 * copies the options, symbol keys included, into the `mail.data` its plugins receive.
 */
export const PROGRESS = Symbol('smtp send progress');

/** Progress of one send, which classifies a failure without an SMTP reply. */
export interface SendProgress {
  /** True once the whole message was read into the connection's data stream, which then writes the final ".". */
  messageStreamed: boolean;
}

/**
 * nodemailer plugin for the `stream` step: records on the send's progress when the message
 * stream has been read to its end. nodemailer pipes that stream into the connection only
 * after the server replied 354 to DATA, so before that the server has none of it.
 *
 * It hooks the last processing step and not `transform`, because transforms are fed as
 * soon as the stream is created. NOTE: DKIM signing (not configured here) would add a later
 * step that reads the whole message before DATA and so mark it early.
 */
export const trackMessageStreamed: Mail.PluginFunction = (mail, done) => {
  const progress = (mail.data as { [PROGRESS]?: SendProgress })[PROGRESS];
  if (progress !== undefined) {
    mail.message.processFunc((output) => {
      output.once('end', () => {
        progress.messageStreamed = true;
      });
      return output;
    });
  }
  done();
};

interface NodemailerError {
  code?: unknown;
  responseCode?: unknown;
  response?: unknown;
  command?: unknown;
  message?: unknown;
}

/**
 * Maps a nodemailer failure. An SMTP reply decides first: 4xx (421 closing, 451 and 452
 * over quota or deferred) is temporary (`retry`), 5xx is permanent (`failed`).
 *
 * Without a reply, what the server got decides. In SMTP a message is accepted only with
 * the reply to the "." that ends its data, so a connection that times out or closes before
 * the whole message was streamed cannot have delivered it, and the send is retried. After
 * that, the server may have accepted the message and only the reply was lost, so the
 * outcome is unknown and the send is not retried.
 */
export function mapSmtpError(error: unknown, send: { timeoutMs: number; messageId: string; messageStreamed: boolean }): SendOutcome {
  const err = (typeof error === 'object' && error !== null ? error : {}) as NodemailerError;
  const code = typeof err.code === 'string' ? err.code : undefined;
  const responseCode = typeof err.responseCode === 'number' ? err.responseCode : undefined;
  const reply = typeof err.response === 'string' ? clipReason(err.response) : undefined;
  const step = typeof err.command === 'string' ? ` at ${err.command}` : '';

  if (responseCode !== undefined) {
    const providerCode = `smtp_${responseCode}`;
    const smtpDetail = `SMTP ${reply ?? responseCode}${step}`;
    if (responseCode >= 400 && responseCode < 500) return { status: 'retry', reason: `The mail server deferred the message: ${smtpDetail}`, providerCode };
    if (code === 'EAUTH') return { status: 'failed', reason: `The mail server rejected the SMTP user name or password: ${smtpDetail}`, providerCode };
    if (step === ' at RCPT TO') return { status: 'failed', reason: `The mail server rejected the recipient: ${smtpDetail}`, providerCode };
    return { status: 'failed', reason: `The mail server rejected the message: ${smtpDetail}`, providerCode };
  }

  const message = typeof err.message === 'string' ? clipReason(err.message) : String(error);
  if (code === 'EAUTH' || code === 'ENOAUTH') {
    return { status: 'failed', reason: `SMTP login failed: ${message}`, providerCode: code };
  }

  const timedOut = code === 'ETIMEDOUT';
  if (send.messageStreamed) {
    const cause = timedOut
      ? `The mail server did not answer within ${send.timeoutMs} ms after receiving the whole message (${message})`
      : `The connection to the mail server failed after it received the whole message: ${message} (${code ?? 'no code'})`;
    return unknownOutcome(cause, `the mail server's log for Message-ID ${send.messageId}`, code ?? 'smtp_error');
  }

  if (timedOut) {
    return { status: 'retry', reason: `The mail server did not answer within ${send.timeoutMs} ms: ${message}`, providerCode: code };
  }
  // nodemailer gives no code when a pooled connection closes during a send (with maxRequeues 0).
  if (code === undefined || CONNECTION_ERROR_CODES.has(code)) {
    return { status: 'retry', reason: `Could not reach the mail server: ${message}`, providerCode: code ?? 'smtp_error' };
  }
  return { status: 'failed', reason: `Sending the email failed: ${message}`, providerCode: code };
}
