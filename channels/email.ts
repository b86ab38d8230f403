/**
 * Email provider over SMTP with nodemailer: a text body with an optional HTML alternative,
 * a `List-Unsubscribe` header when the message carries an unsubscribe URL, and a
 * Message-ID derived from the job id so a retried job is recognisable downstream.
 */
import nodemailer from 'nodemailer';
import type Mail from 'nodemailer/lib/mailer/index.js';
import type SMTPPool from 'nodemailer/lib/smtp-pool/index.js';
import { formatValue, invalidInput } from '../common/errors.js';
import { mapSmtpError, PROGRESS, trackMessageStreamed, type SendProgress } from './smtp-outcome.js';
import type { ChannelProvider, OutgoingMessage, SendOutcome } from './types.js';

export interface SmtpProviderOptions {
  /** `smtp://user:pass@host:port` (STARTTLS when offered) or `smtps://…` (TLS from the start); user and password percent-encoded. */
  url: string;
  /** From address used when a message has no `sender`, such as `"Taco Cloud" <offers@example.com>`. */
  from: string;
  /** Maximum wait for the connection, the greeting and each later SMTP reply. */
  timeoutMs: number;
  tls?: { rejectUnauthorized?: boolean };
  /** Pooled connections kept open to the server; default 2. */
  maxConnections?: number;
}

/**
 * Message the email provider sends. `unsubscribeUrl` is this provider's addition to the
 * channel contract. When set, it becomes the `List-Unsubscribe` header that mail clients
 * show as an unsubscribe button.
 */
export interface EmailMessage extends OutgoingMessage {
  unsubscribeUrl?: string;
}

export interface SmtpProvider extends ChannelProvider {
  send(message: EmailMessage): Promise<SendOutcome>;
  close(): Promise<void>;
}

/** A mailbox as `local@domain`, without the display-name form, spaces or angle brackets. */
const ADDRESS_PATTERN = /^[^\s@<>()",;:\\]+@[^\s@<>()",;:\\]+$/;

/**
 * Creates the SMTP provider with the connection settings from `url`. The password in it
 * is kept only inside the nodemailer transport and appears in no reason and no error.
 */
export function createSmtpProvider(options: SmtpProviderOptions): SmtpProvider {
  const connection = parseSmtpUrl(options.url);
  const defaultFrom = options.from;
  if (addressDomain(defaultFrom) === undefined) throw invalidInput('from', defaultFrom, 'an email address such as "Taco Cloud <offers@example.com>"');

  // maxRequeues is missing from @types/nodemailer. With 0, a pooled connection that closes
  // during a send fails that send instead of nodemailer sending it again on its own, which
  // could deliver it twice. The scheduler owns every retry.
  const transportOptions: SMTPPool.Options & { maxRequeues: number } = {
    pool: true,
    maxRequeues: 0,
    maxConnections: options.maxConnections ?? 2,
    host: connection.host,
    port: connection.port,
    secure: connection.secure,
    auth: connection.auth,
    connectionTimeout: options.timeoutMs,
    greetingTimeout: options.timeoutMs,
    socketTimeout: options.timeoutMs,
    dnsTimeout: options.timeoutMs,
    tls: options.tls?.rejectUnauthorized === undefined ? undefined : { rejectUnauthorized: options.tls.rejectUnauthorized },
    logger: false,
  };
  const transporter = nodemailer.createTransport(transportOptions);
  transporter.use('stream', trackMessageStreamed);

  return {
    channel: 'email',
    name: 'smtp',

    async send(message: EmailMessage): Promise<SendOutcome> {
      if (message.channel !== 'email') {
        throw new Error(`SMTP provider received a message for channel ${formatValue(message.channel)} (job ${message.jobId})`);
      }

      const from = message.sender === '' ? defaultFrom : message.sender;
      const problem = checkMessage(message, from);
      if (problem !== undefined) return { status: 'failed', reason: problem, providerCode: 'invalid_message' };

      const messageId = jobMessageId(message.jobId, addressDomain(from)!);
      const progress: SendProgress = { messageStreamed: false };
      const mail: Mail.Options & { [PROGRESS]: SendProgress } = {
        [PROGRESS]: progress,
        from,
        to: message.to,
        subject: message.subject,
        text: message.text,
        ...(message.html === undefined ? {} : { html: message.html }),
        messageId,
        // RFC 8058 one-click: mail clients POST to the URL, which large mailbox providers expect from bulk senders.
        ...(message.unsubscribeUrl === undefined
          ? {}
          : { list: { unsubscribe: message.unsubscribeUrl }, headers: { 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' } }),
      };

      try {
        await transporter.sendMail(mail);
        return { status: 'sent', providerMessageId: messageId };
      } catch (error) {
        return mapSmtpError(error, { timeoutMs: options.timeoutMs, messageId, messageStreamed: progress.messageStreamed });
      }
    },

    async close(): Promise<void> {
      transporter.close();
    },
  };
}

interface SmtpConnection {
  host: string;
  port?: number;
  secure: boolean;
  auth?: { user: string; pass: string };
}

function parseSmtpUrl(url: string): SmtpConnection {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw invalidInput('url', redactUrl(url), 'smtp://user:password@host:port or smtps://…');
  }

  if ((parsed.protocol !== 'smtp:' && parsed.protocol !== 'smtps:') || parsed.hostname === '') {
    throw invalidInput('url', redactUrl(url), 'smtp://user:password@host:port or smtps://…');
  }

  const user = decodeURIComponent(parsed.username);
  const pass = decodeURIComponent(parsed.password);
  return {
    // WHATWG URL keeps IPv6 brackets in hostname; sockets want the bare address.
    host: parsed.hostname.replace(/^\[(.*)\]$/, '$1'),
    ...(parsed.port === '' ? {} : { port: Number(parsed.port) }),
    secure: parsed.protocol === 'smtps:',
    ...(user === '' ? {} : { auth: { user, pass } }),
  };
}

/** Replaces the password in `url` with `***`, so the URL can go into an error message. */
function redactUrl(url: string): string {
  return url.replace(/^([a-z]+:\/\/[^:@/]*):[^@/]*@/i, '$1:***@');
}

function checkMessage(message: EmailMessage, from: string): string | undefined {
  if (!ADDRESS_PATTERN.test(message.to)) return `invalid to for email: ${formatValue(message.to)} (expected an address like name@example.com)`;
  if (addressDomain(from) === undefined) return `invalid sender for email: ${formatValue(from)} (expected an address like offers@example.com)`;
  if (message.subject === undefined || message.subject.trim() === '') return `invalid subject for email: ${formatValue(message.subject)} (expected a subject line)`;
  if (/[\r\n]/.test(message.subject)) return `invalid subject for email: ${formatValue(message.subject)} (expected one line)`;
  if (message.text === '') return 'invalid text for email: "" (expected the plain-text body)';

  if (message.unsubscribeUrl !== undefined && !isWebUrl(message.unsubscribeUrl)) {
    return `invalid unsubscribeUrl for email: ${formatValue(message.unsubscribeUrl)} (expected an https:// or http:// URL)`;
  }
  return undefined;
}

function isWebUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'https:' || url.protocol === 'http:';
  } catch {
    return false;
  }
}

/** Domain of `offers@example.com` or `"Name" <offers@example.com>`, or undefined when there is no valid address. */
function addressDomain(from: string): string | undefined {
  const bracketed = /<([^<>]+)>\s*$/.exec(from);
  const address = (bracketed?.[1] ?? from).trim();
  if (!ADDRESS_PATTERN.test(address)) return undefined;

  const domain = address.slice(address.lastIndexOf('@') + 1);
  return /^[A-Za-z0-9.-]+$/.test(domain) ? domain : undefined;
}

/**
 * `<job.{jobId}@{sender domain}>`: the same job always gets the same Message-ID, so a
 * retry after an unclear failure shows up as a duplicate, not as a second message.
 * A job id with characters not allowed in a Message-ID is sent base64url-encoded.
 */
export function jobMessageId(jobId: string, domain: string): string {
  const local = /^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/.test(jobId) ? jobId : `b64.${Buffer.from(jobId, 'utf8').toString('base64url')}`;
  return `<job.${local}@${domain}>`;
}
