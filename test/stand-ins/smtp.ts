/**
 * Loopback SMTP stand-in built on smtp-server: plain SMTP without STARTTLS, and AUTH PLAIN
 * and LOGIN against one user. It offers programmable 550, 451 and 452 recipients, a rate
 * limit (421), a sending quota (451 after the data), and replies left unanswered or cut off.
 * It records every accepted message (envelope, headers, decoded text and HTML parts).
 * mailparser is not installed, so a small MIME reader below decodes what nodemailer writes:
 * multipart/alternative, quoted-printable or base64 parts, and RFC 2047 encoded words.
 */
import type { AddressInfo, Socket } from 'node:net';
import { SMTPServer } from 'smtp-server';

export interface SmtpStandInOptions {
  user: string;
  pass: string;
  /** Recipients rejected at RCPT TO with 550 (no such user). */
  rejectRecipients?: string[];
  /** Recipients deferred at RCPT TO with 451 (try again later). */
  tempFailRecipients?: string[];
  /** Recipients deferred at RCPT TO with 452 (mailbox over quota). */
  overQuotaRecipients?: string[];
}

/** Where `stallNext` leaves the reply out: after RCPT TO, or after the "." that ends the data. */
export type SmtpStallStage = 'RCPT TO' | 'DATA';

export interface ReceivedMail {
  /** The authenticated user name. */
  user: string;
  envelope: { mailFrom: string; rcptTo: string[] };
  /** The message as received, after dot-unstuffing. */
  raw: string;
  /** Top-level headers, names lowercased, folded lines joined, encoded words decoded. */
  headers: Record<string, string>;
  /** Decoded text/plain part, if any. */
  text?: string;
  /** Decoded text/html part, if any. */
  html?: string;
}

export interface SmtpStandIn {
  host: string;
  port: number;
  /** `smtp://user:pass@127.0.0.1:port`, user and password percent-encoded. */
  url: string;
  messages: ReceivedMail[];
  /** Messages whose data arrived whole but got no reply (see `stallNext` and `dropNext`). A real server may have delivered them. */
  unanswered: ReceivedMail[];
  /** Number of AUTH attempts that failed. */
  failedLogins: number;
  /**
   * Replies to MAIL FROM of the next `count` transactions with 421 and closes the
   * connection, as a server does when a sender exceeds its rate.
   */
  rateLimitNext(count: number): void;
  /** Reads the whole message of the next `count` transactions, then replies 451 (sending quota exceeded). */
  quotaExceededNext(count: number): void;
  /** Sends no reply at `stage` for the next `count` transactions, so the client's timeout fires. */
  stallNext(count: number, stage: SmtpStallStage): void;
  /** Reads the whole message of the next `count` transactions, then closes the connection without a reply. */
  dropNext(count: number): void;
  close(): Promise<void>;
}

export async function startSmtpStandIn(options: SmtpStandInOptions): Promise<SmtpStandIn> {
  const rejected = new Set((options.rejectRecipients ?? []).map((address) => address.toLowerCase()));
  const deferred = new Set((options.tempFailRecipients ?? []).map((address) => address.toLowerCase()));
  const overQuota = new Set((options.overQuotaRecipients ?? []).map((address) => address.toLowerCase()));
  const messages: ReceivedMail[] = [];
  const unanswered: ReceivedMail[] = [];
  const state = { failedLogins: 0 };
  const faults = { rateLimited: 0, quotaExceeded: 0, drops: 0, stalls: { 'RCPT TO': 0, DATA: 0 } satisfies Record<SmtpStallStage, number> };
  // smtp-server keeps its sockets private, so `dropNext` finds a client's socket by its port.
  const sockets = new Map<number, Socket>();

  const server = new SMTPServer({
    secure: false,
    disabledCommands: ['STARTTLS'],
    allowInsecureAuth: true,
    authMethods: ['PLAIN', 'LOGIN'],
    logger: false,
    // A pooled client may hold a connection open; do not keep the test waiting for it.
    closeTimeout: 100,

    onAuth(auth, _session, callback) {
      if (auth.username === options.user && auth.password === options.pass) return callback(null, { user: auth.username });
      state.failedLogins += 1;
      callback(smtpError(535, '5.7.8 Authentication credentials invalid'));
    },

    onMailFrom(_address, _session, callback) {
      if (faults.rateLimited > 0) {
        faults.rateLimited -= 1;
        // smtp-server closes the connection after any 421 reply.
        return callback(smtpError(421, '4.7.0 Too many messages from this sender, try again later'));
      }
      callback();
    },

    onRcptTo(address, _session, callback) {
      const mailbox = address.address.toLowerCase();
      if (faults.stalls['RCPT TO'] > 0) {
        faults.stalls['RCPT TO'] -= 1;
        return;
      }
      if (rejected.has(mailbox)) return callback(smtpError(550, `5.1.1 <${address.address}>: Recipient address rejected: User unknown`));
      if (deferred.has(mailbox)) return callback(smtpError(451, `4.3.0 <${address.address}>: Temporary failure, try again later`));
      if (overQuota.has(mailbox)) return callback(smtpError(452, `4.2.2 <${address.address}>: Mailbox full, over quota`));
      callback();
    },

    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        const received: ReceivedMail = {
          user: typeof session.user === 'string' ? session.user : '',
          envelope: {
            mailFrom: session.envelope.mailFrom === false ? '' : session.envelope.mailFrom.address,
            rcptTo: session.envelope.rcptTo.map((recipient) => recipient.address),
          },
          raw,
          ...readMessage(raw),
        };

        if (faults.stalls.DATA > 0) {
          faults.stalls.DATA -= 1;
          unanswered.push(received);
          return;
        }
        if (faults.drops > 0) {
          faults.drops -= 1;
          unanswered.push(received);
          sockets.get(session.remotePort)?.destroy();
          return;
        }
        if (faults.quotaExceeded > 0) {
          faults.quotaExceeded -= 1;
          return callback(smtpError(451, '4.7.1 Sending quota exceeded, try again later'));
        }
        messages.push(received);
        callback();
      });
    },
  });

  server.server.on('connection', (socket: Socket) => {
    const port = socket.remotePort;
    if (port === undefined) return;
    sockets.set(port, socket);
    socket.once('close', () => sockets.delete(port));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = (server.server.address() as AddressInfo);

  return {
    host: '127.0.0.1',
    port,
    url: `smtp://${encodeURIComponent(options.user)}:${encodeURIComponent(options.pass)}@127.0.0.1:${port}`,
    messages,
    unanswered,
    get failedLogins() {
      return state.failedLogins;
    },
    rateLimitNext(count) {
      faults.rateLimited = count;
    },
    quotaExceededNext(count) {
      faults.quotaExceeded = count;
    },
    stallNext(count, stage) {
      faults.stalls[stage] = count;
    },
    dropNext(count) {
      faults.drops = count;
    },
    close() {
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

function smtpError(responseCode: number, message: string): Error {
  return Object.assign(new Error(message), { responseCode });
}

// ─── a minimal MIME reader ─────────────────────────────────────────────────

interface MimePart {
  headers: Record<string, string>;
  body: string;
}

function readMessage(raw: string): { headers: Record<string, string>; text?: string; html?: string } {
  const message = splitPart(raw);
  const headers = Object.fromEntries(Object.entries(message.headers).map(([name, value]) => [name, decodeWords(value)]));
  const found: { text?: string; html?: string } = {};
  collectBodies(message, found);
  return { headers, ...found };
}

function collectBodies(part: MimePart, found: { text?: string; html?: string }): void {
  const contentType = part.headers['content-type'] ?? 'text/plain';
  const boundary = /boundary="?([^";]+)"?/i.exec(contentType)?.[1];

  if (/^multipart\//i.test(contentType) && boundary !== undefined) {
    const sections = part.body.split(`--${boundary}`).slice(1);
    for (const section of sections) {
      if (section.startsWith('--')) break;
      collectBodies(splitPart(section.replace(/^\r\n/, '')), found);
    }
    return;
  }

  const decoded = decodeBody(part.body, part.headers['content-transfer-encoding'] ?? '7bit');
  if (/^text\/html/i.test(contentType)) found.html = decoded;
  else if (/^text\/plain/i.test(contentType)) found.text = decoded;
}

function splitPart(raw: string): MimePart {
  const end = raw.indexOf('\r\n\r\n');
  const headerBlock = end === -1 ? raw : raw.slice(0, end);
  const body = end === -1 ? '' : raw.slice(end + 4);

  const headers: Record<string, string> = {};
  for (const line of headerBlock.replace(/\r\n[ \t]+/g, ' ').split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return { headers, body };
}

function decodeBody(body: string, transferEncoding: string): string {
  // The line break before the next boundary belongs to the boundary, not to the content.
  const content = body.replace(/\r\n$/, '');
  const encoding = transferEncoding.toLowerCase();
  if (encoding === 'base64') return Buffer.from(content.replace(/\s+/g, ''), 'base64').toString('utf8');
  if (encoding === 'quoted-printable') return decodeQuotedPrintable(content);
  return content;
}

function decodeQuotedPrintable(text: string): string {
  const unfolded = text.replace(/=\r\n/g, '');
  const bytes: number[] = [];
  for (let i = 0; i < unfolded.length; i += 1) {
    const hex = unfolded.slice(i + 1, i + 3);
    if (unfolded[i] === '=' && /^[0-9A-Fa-f]{2}$/.test(hex)) {
      bytes.push(parseInt(hex, 16));
      i += 2;
    } else {
      bytes.push(...Buffer.from(unfolded[i]!, 'utf8'));
    }
  }
  return Buffer.from(bytes).toString('utf8');
}

/** Decodes RFC 2047 encoded words; whitespace between two adjacent encoded words is dropped. */
function decodeWords(value: string): string {
  const joined = value.replace(/(\?=)\s+(=\?)/g, '$1$2');
  return joined.replace(/=\?([^?]+)\?([BbQq])\?([^?]*)\?=/g, (_match, _charset: string, encoding: string, data: string) => {
    if (encoding.toUpperCase() === 'B') return Buffer.from(data, 'base64').toString('utf8');
    return decodeQuotedPrintable(data.replace(/_/g, ' '));
  });
}
