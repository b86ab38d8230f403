import { createServer, type AddressInfo, type Socket } from 'node:net';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { startSmtpStandIn, type SmtpStandIn } from '../test/stand-ins/smtp.js';
import { createSmtpProvider, jobMessageId, type EmailMessage, type SmtpProvider } from './email.js';

const USER = 'mailer@trucks.example';
const PASS = 'p@ss:w0rd/秘密';
const FROM = '"Taco Cloud" <offers@tacocloud.example>';
const SUBJECT = '今日特價 🌮 2-for-1 tacos';
const TEXT = 'Show this code at the window: TACO-42\n午餐 11:30–13:00 🌯';
const HTML = '<p>Tacos &amp; 饺子 &lt;3 — code <b>TACO-42</b> 🌯</p>';

function email(overrides: Partial<EmailMessage> = {}): EmailMessage {
  return { jobId: 'job-1', channel: 'email', sender: '', to: 'ana@example.com', subject: SUBJECT, text: TEXT, html: HTML, ...overrides };
}

describe('SMTP provider', () => {
  let standIn: SmtpStandIn;
  let provider: SmtpProvider;

  beforeEach(async () => {
    standIn = await startSmtpStandIn({
      user: USER,
      pass: PASS,
      rejectRecipients: ['nobody@example.com'],
      tempFailRecipients: ['busy@example.com'],
      overQuotaRecipients: ['full@example.com'],
    });
    provider = createSmtpProvider({ url: standIn.url, from: FROM, timeoutMs: 2_000 });
  });

  afterEach(async () => {
    await provider.close();
    await standIn.close();
  });

  it('sends text with an html alternative', async () => {
    const outcome = await provider.send(email({ unsubscribeUrl: 'https://cloudburst.example/u/abc123' }));

    expect(outcome).toEqual({ status: 'sent', providerMessageId: '<job.job-1@tacocloud.example>' });
    expect(standIn.messages).toHaveLength(1);
    const received = standIn.messages[0]!;
    expect(received.user).toBe(USER);
    expect(received.envelope).toEqual({ mailFrom: 'offers@tacocloud.example', rcptTo: ['ana@example.com'] });
    expect(received.headers.from).toBe('Taco Cloud <offers@tacocloud.example>');
    expect(received.headers.to).toBe('ana@example.com');
    expect(received.headers.subject).toBe(SUBJECT);
    expect(received.headers['message-id']).toBe('<job.job-1@tacocloud.example>');
    expect(received.headers['list-unsubscribe']).toBe('<https://cloudburst.example/u/abc123>');
    expect(received.headers['content-type']).toMatch(/^multipart\/alternative; boundary=/);
    expect(received.text).toBe(TEXT.replace(/\n/g, '\r\n'));
    expect(received.html).toBe(HTML);
  });

  it('sends text alone without html', async () => {
    const outcome = await provider.send(email({ html: undefined }));

    expect(outcome.status).toBe('sent');
    const received = standIn.messages[0]!;
    expect(received.headers['content-type']).toMatch(/^text\/plain/);
    expect(received.text).toBe(TEXT.replace(/\n/g, '\r\n'));
    expect(received.html).toBeUndefined();
    expect(received.headers['list-unsubscribe']).toBeUndefined();
  });

  it('keeps the Message-ID across retries of a job', async () => {
    await provider.send(email({ jobId: 'job-7' }));
    await provider.send(email({ jobId: 'job-7' }));

    expect(standIn.messages.map((message) => message.headers['message-id'])).toEqual(['<job.job-7@tacocloud.example>', '<job.job-7@tacocloud.example>']);
  });

  it('uses the message sender as From', async () => {
    const outcome = await provider.send(email({ sender: 'deals@burritobus.example' }));

    expect(outcome).toEqual({ status: 'sent', providerMessageId: '<job.job-1@burritobus.example>' });
    expect(standIn.messages[0]!.headers.from).toBe('deals@burritobus.example');
    expect(standIn.messages[0]!.envelope.mailFrom).toBe('deals@burritobus.example');
  });

  it('maps 550 to failed', async () => {
    const outcome = await provider.send(email({ to: 'nobody@example.com' }));

    expect(outcome).toEqual({
      status: 'failed',
      reason: 'The mail server rejected the recipient: SMTP 550 5.1.1 <nobody@example.com>: Recipient address rejected: User unknown at RCPT TO',
      providerCode: 'smtp_550',
    });
    expect(standIn.messages).toHaveLength(0);
  });

  it('maps 451 to retry', async () => {
    const outcome = await provider.send(email({ to: 'busy@example.com' }));

    expect(outcome).toEqual({
      status: 'retry',
      reason: 'The mail server deferred the message: SMTP 451 4.3.0 <busy@example.com>: Temporary failure, try again later at RCPT TO',
      providerCode: 'smtp_451',
    });
  });

  it('maps 452 over quota to retry', async () => {
    const outcome = await provider.send(email({ to: 'full@example.com' }));

    expect(outcome).toEqual({
      status: 'retry',
      reason: 'The mail server deferred the message: SMTP 452 4.2.2 <full@example.com>: Mailbox full, over quota at RCPT TO',
      providerCode: 'smtp_452',
    });
    expect(standIn.messages).toHaveLength(0);
  });

  it('maps a 421 rate limit to retry', async () => {
    standIn.rateLimitNext(1);

    const limited = await provider.send(email());
    const next = await provider.send(email({ jobId: 'job-2' }));

    expect(limited).toEqual({
      status: 'retry',
      reason: 'The mail server deferred the message: SMTP 421 4.7.0 Too many messages from this sender, try again later at MAIL FROM',
      providerCode: 'smtp_421',
    });
    expect(next).toEqual({ status: 'sent', providerMessageId: '<job.job-2@tacocloud.example>' });
    expect(standIn.messages.map((message) => message.headers['message-id'])).toEqual(['<job.job-2@tacocloud.example>']);
  });

  it('maps a 451 quota reply after the data to retry', async () => {
    standIn.quotaExceededNext(1);

    const outcome = await provider.send(email());

    expect(outcome).toEqual({
      status: 'retry',
      reason: 'The mail server deferred the message: SMTP 451 4.7.1 Sending quota exceeded, try again later at DATA',
      providerCode: 'smtp_451',
    });
    expect(standIn.messages).toHaveLength(0);
  });

  it('retries a timeout before the data', async () => {
    standIn.stallNext(1, 'RCPT TO');
    const impatient = createSmtpProvider({ url: standIn.url, from: FROM, timeoutMs: 200 });

    const outcome = await impatient.send(email());
    await impatient.close();

    expect(outcome).toEqual({ status: 'retry', reason: 'The mail server did not answer within 200 ms: Timeout', providerCode: 'ETIMEDOUT' });
    expect(standIn.unanswered).toHaveLength(0);
    expect(standIn.messages).toHaveLength(0);
  });

  it('parks a timeout after the whole message as unknown', async () => {
    standIn.stallNext(1, 'DATA');
    const impatient = createSmtpProvider({ url: standIn.url, from: FROM, timeoutMs: 200 });

    const outcome = await impatient.send(email());
    await impatient.close();

    expect(outcome).toEqual({
      status: 'failed',
      reason:
        'The mail server did not answer within 200 ms after receiving the whole message (Timeout). ' +
        'The provider may have accepted the message, so it was not sent again. ' +
        "Check the mail server's log for Message-ID <job.job-1@tacocloud.example>, and retry the send from the console only if the message is not there",
      providerCode: 'ETIMEDOUT',
    });
    expect(standIn.unanswered.map((message) => message.headers['message-id'])).toEqual(['<job.job-1@tacocloud.example>']);
    expect(standIn.messages).toHaveLength(0);
  });

  it('parks a connection closed after the whole message as unknown', async () => {
    standIn.dropNext(1);

    const outcome = await provider.send(email());

    expect(outcome).toEqual({
      status: 'failed',
      reason:
        'The connection to the mail server failed after it received the whole message: Connection closed unexpectedly (ECONNECTION). ' +
        'The provider may have accepted the message, so it was not sent again. ' +
        "Check the mail server's log for Message-ID <job.job-1@tacocloud.example>, and retry the send from the console only if the message is not there",
      providerCode: 'ECONNECTION',
    });
    expect(standIn.unanswered).toHaveLength(1);
    expect(standIn.messages).toHaveLength(0);
  });

  it('retries a connection closed by a 421 on shutdown', async () => {
    standIn.stallNext(1, 'DATA');

    const pending = provider.send(email());
    await vi.waitFor(() => expect(standIn.unanswered).toHaveLength(1));
    await standIn.close();
    const outcome = await pending;

    // smtp-server replies 421 to a waiting client when it shuts down, so the message was not accepted.
    expect(outcome).toEqual({ status: 'retry', reason: 'The mail server deferred the message: SMTP 421 Server shutting down at DATA', providerCode: 'smtp_421' });
  });

  it('maps a wrong password to failed', async () => {
    const wrongPassword = createSmtpProvider({ url: standIn.url.replace(encodeURIComponent(PASS), 'guess'), from: FROM, timeoutMs: 2_000 });

    const outcome = await wrongPassword.send(email());
    await wrongPassword.close();

    expect(outcome).toEqual({
      status: 'failed',
      reason: 'The mail server rejected the SMTP user name or password: SMTP 535 5.7.8 Authentication credentials invalid at AUTH PLAIN',
      providerCode: 'smtp_535',
    });
    expect(standIn.failedLogins).toBe(1);
    expect(JSON.stringify(outcome)).not.toContain('guess');
  });

  it('keeps the password out of every reason', async () => {
    const outcomes = [
      await provider.send(email({ to: 'nobody@example.com' })),
      await provider.send(email({ to: 'busy@example.com' })),
      await provider.send(email({ to: 'not-an-address' })),
    ];

    for (const outcome of outcomes) {
      expect(outcome.status).not.toBe('sent');
      expect(JSON.stringify(outcome)).not.toContain('w0rd');
    }
  });

  it('rejects an invalid recipient', async () => {
    const outcome = await provider.send(email({ to: 'Ana <ana@example.com>' }));

    expect(outcome).toEqual({
      status: 'failed',
      reason: 'invalid to for email: "Ana <ana@example.com>" (expected an address like name@example.com)',
      providerCode: 'invalid_message',
    });
  });

  it('rejects a missing subject', async () => {
    const outcome = await provider.send(email({ subject: undefined }));

    expect(outcome).toEqual({ status: 'failed', reason: 'invalid subject for email: missing (expected a subject line)', providerCode: 'invalid_message' });
  });

  it('rejects a subject with a line break', async () => {
    const outcome = await provider.send(email({ subject: 'Tacos\r\nBcc: everyone@example.com' }));

    expect(outcome).toEqual({
      status: 'failed',
      reason: 'invalid subject for email: "Tacos\\r\\nBcc: everyone@example.com" (expected one line)',
      providerCode: 'invalid_message',
    });
  });

  it('rejects an unsubscribe URL that is not http', async () => {
    const outcome = await provider.send(email({ unsubscribeUrl: 'javascript:alert(1)' }));

    expect(outcome).toEqual({
      status: 'failed',
      reason: 'invalid unsubscribeUrl for email: "javascript:alert(1)" (expected an https:// or http:// URL)',
      providerCode: 'invalid_message',
    });
  });

  it('throws for a message of another channel', async () => {
    await expect(provider.send(email({ channel: 'sms' }))).rejects.toThrow('SMTP provider received a message for channel "sms" (job job-1)');
  });
});

describe('SMTP provider connection failures', () => {
  it('retries when the connection is refused', async () => {
    const port = await closedPort();
    const provider = createSmtpProvider({ url: `smtp://u:secret-pass@127.0.0.1:${port}`, from: FROM, timeoutMs: 2_000 });

    const outcome = await provider.send(email());
    await provider.close();

    expect(outcome).toEqual({ status: 'retry', reason: `Could not reach the mail server: connect ECONNREFUSED 127.0.0.1:${port}`, providerCode: 'ESOCKET' });
  });

  it('retries when the greeting never comes', async () => {
    const sockets: Socket[] = [];
    const silent = createServer((socket) => sockets.push(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const { port } = silent.address() as AddressInfo;
    const provider = createSmtpProvider({ url: `smtp://u:secret-pass@127.0.0.1:${port}`, from: FROM, timeoutMs: 200 });

    const outcome = await provider.send(email());
    await provider.close();
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((resolve) => silent.close(() => resolve()));

    expect(outcome).toEqual({ status: 'retry', reason: 'The mail server did not answer within 200 ms: Timeout', providerCode: 'ETIMEDOUT' });
  });
});

describe('createSmtpProvider options', () => {
  it('rejects a URL that is not SMTP without echoing the password', () => {
    expect(() => createSmtpProvider({ url: 'https://user:hunter2@mail.example', from: FROM, timeoutMs: 1_000 })).toThrow(
      'invalid url: "https://user:***@mail.example" (expected smtp://user:password@host:port or smtps://…)',
    );
  });

  it('rejects a From without an address', () => {
    expect(() => createSmtpProvider({ url: 'smtp://127.0.0.1:2525', from: 'Taco Cloud', timeoutMs: 1_000 })).toThrow(
      'invalid from: "Taco Cloud" (expected an email address such as "Taco Cloud <offers@example.com>")',
    );
  });
});

describe('jobMessageId', () => {
  it('keeps a plain job id', () => {
    expect(jobMessageId('0f9c2b1e-77aa-4d1c-9a3e-5b6c7d8e9f00', 'tacocloud.example')).toBe('<job.0f9c2b1e-77aa-4d1c-9a3e-5b6c7d8e9f00@tacocloud.example>');
  });

  it('encodes a job id with other characters', () => {
    expect(jobMessageId('campaign 7/job 1', 'tacocloud.example')).toBe(
      `<job.b64.${Buffer.from('campaign 7/job 1').toString('base64url')}@tacocloud.example>`,
    );
  });
});

/** Returns a loopback port that was just free and now has no listener. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
