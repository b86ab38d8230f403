import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startXStandIn, type XStandIn } from '../test/stand-ins/x-api.js';
import type { ChannelProvider, OutgoingMessage, SendOutcome } from './types.js';
import { createXProvider, MAX_RETRY_AFTER_MS } from './x.js';

const TOKEN = 'user-access-token-123';
/** Fixed clock half a second past a whole second, so reset rounding shows in the delays. */
const NOW = 1_765_000_000_500;
const TEXT = '今日午餐 🌮 八折 — Taco Cloud at 5th & Market';

function post(overrides: Partial<OutgoingMessage> = {}): OutgoingMessage {
  return { jobId: 'job-1', channel: 'x', sender: '1000000001', to: '', kind: 'post', text: TEXT, ...overrides };
}

function dm(to: string, overrides: Partial<OutgoingMessage> = {}): OutgoingMessage {
  return { jobId: 'job-2', channel: 'x', sender: '1000000001', to, kind: 'dm', text: TEXT, ...overrides };
}

/** Builds the parked outcome of an attempt X may have accepted, spelled out so a change of wording shows. */
function unknown(cause: string, checkIn: string, providerCode: string): SendOutcome {
  return {
    status: 'failed',
    reason:
      `${cause}. The provider may have accepted the message, so it was not sent again. ` +
      `Check ${checkIn}, and retry the send from the console only if the message is not there`,
    providerCode,
  };
}

describe('X provider', () => {
  let standIn: XStandIn;
  let provider: ChannelProvider;

  beforeEach(async () => {
    standIn = await startXStandIn({ accessToken: TOKEN, now: () => NOW });
    provider = createXProvider({ apiBaseUrl: standIn.url, accessToken: TOKEN, timeoutMs: 2_000, now: () => NOW });
  });

  afterEach(async () => {
    await standIn.close();
  });

  it('posts text with the bearer token', async () => {
    const outcome = await provider.send(post());

    expect(outcome).toEqual({ status: 'sent', providerMessageId: '1860000000000000001' });
    expect(standIn.requests).toHaveLength(1);
    const request = standIn.requests[0]!;
    expect(request.method).toBe('POST');
    expect(request.path).toBe('/2/tweets');
    expect(request.authorization).toBe(`Bearer ${TOKEN}`);
    expect(request.contentType).toBe('application/json');
    expect(request.rawBody).toBe(JSON.stringify({ text: TEXT }));
    expect(request.body).toEqual({ text: TEXT });
  });

  it('sends a direct message to the user id', async () => {
    const outcome = await provider.send(dm('2244994945'));

    expect(outcome).toEqual({ status: 'sent', providerMessageId: '1860000000000000001' });
    const request = standIn.requests[0]!;
    expect(request.path).toBe('/2/dm_conversations/with/2244994945/messages');
    expect(request.authorization).toBe(`Bearer ${TOKEN}`);
    expect(request.body).toEqual({ text: TEXT });
  });

  it('rejects a DM recipient that is not a user id', async () => {
    for (const to of ['@tacocloud', '', '12 34', '1'.repeat(20)]) {
      const outcome = await provider.send(dm(to));
      expect(outcome).toEqual({
        status: 'failed',
        reason: `invalid to for an X direct message: ${JSON.stringify(to)} (expected a numeric X user id)`,
        providerCode: 'invalid_message',
      });
    }
    expect(standIn.requests).toHaveLength(0);
  });

  it('rejects a post with a recipient', async () => {
    const outcome = await provider.send(post({ to: '2244994945' }));

    expect(outcome).toEqual({
      status: 'failed',
      reason: 'invalid to for an X post: "2244994945" (expected "" because posts are public)',
      providerCode: 'invalid_message',
    });
    expect(standIn.requests).toHaveLength(0);
  });

  it('rejects a message without kind', async () => {
    const outcome = await provider.send(post({ kind: undefined }));

    expect(outcome).toEqual({
      status: 'failed',
      reason: 'invalid kind for an X message: missing (expected "post" or "dm")',
      providerCode: 'invalid_message',
    });
  });

  it('rejects a post over 280 weighted characters', async () => {
    // Each CJK character weighs 2, so 141 of them weigh 282.
    const outcome = await provider.send(post({ text: '饺'.repeat(141) }));

    expect(outcome).toEqual({
      status: 'failed',
      reason: 'invalid text for an X post: weighted length 282 (expected at most 280)',
      providerCode: 'invalid_message',
    });
    expect(standIn.requests).toHaveLength(0);
  });

  it('accepts a post of exactly 280 weighted characters', async () => {
    const outcome = await provider.send(post({ text: '饺'.repeat(140) }));

    expect(outcome.status).toBe('sent');
  });

  it('rejects an empty post', async () => {
    const outcome = await provider.send(post({ text: '  ' }));

    expect(outcome).toEqual({ status: 'failed', reason: 'invalid text for an X post: empty (expected the post text)', providerCode: 'invalid_message' });
  });

  it('throws for a message of another channel', async () => {
    await expect(provider.send(post({ channel: 'sms' }))).rejects.toThrow('X provider received a message for channel "sms" (job job-1)');
  });

  it('maps a rejected token to failed', async () => {
    const wrongToken = createXProvider({ apiBaseUrl: standIn.url, accessToken: 'revoked', timeoutMs: 2_000 });

    const outcome = await wrongToken.send(post());

    expect(outcome).toEqual({
      status: 'failed',
      reason: 'X rejected the access token (HTTP 401): Unauthorized; reconnect the X account',
      providerCode: 'http_401',
    });
  });

  it('maps a duplicate post to failed', async () => {
    expect((await provider.send(post())).status).toBe('sent');

    const outcome = await provider.send(post({ jobId: 'job-3' }));

    expect(outcome).toEqual({
      status: 'failed',
      reason: 'X rejected the post as a duplicate of a recent post: You are not allowed to create a Tweet with duplicate content.',
      providerCode: 'duplicate_content',
    });
  });

  it('maps a refused DM to failed', async () => {
    standIn.dmBlockedUserIds.add('783214');

    const outcome = await provider.send(dm('783214'));

    expect(outcome).toEqual({
      status: 'failed',
      reason:
        'X refused the direct message (HTTP 403: You cannot send messages to this user.); the user may not accept direct messages ' +
        'from this account, or the token lacks the dm.write scope',
      providerCode: 'dm_not_allowed',
    });
  });

  it('maps a 429 to retry after the reset', async () => {
    await standIn.close();
    standIn = await startXStandIn({ accessToken: TOKEN, rateLimit: { limit: 2, windowMs: 60_000 }, now: () => NOW });
    provider = createXProvider({ apiBaseUrl: standIn.url, accessToken: TOKEN, timeoutMs: 2_000, now: () => NOW });

    expect((await provider.send(post({ text: 'one' }))).status).toBe('sent');
    expect((await provider.send(post({ text: 'two' }))).status).toBe('sent');
    const outcome = await provider.send(post({ text: 'three' }));

    // The window ends at NOW + 60 s; X rounds the reset up to a whole second.
    expect(outcome).toEqual({
      status: 'retry',
      reason: 'X rate limit reached: Too Many Requests',
      retryAfterMs: 60_500,
      providerCode: 'http_429',
    });
  });

  it('clamps a far rate-limit reset to 15 minutes', async () => {
    await standIn.close();
    standIn = await startXStandIn({ accessToken: TOKEN, rateLimit: { limit: 1, windowMs: 24 * 3_600_000 }, now: () => NOW });
    provider = createXProvider({ apiBaseUrl: standIn.url, accessToken: TOKEN, timeoutMs: 2_000, now: () => NOW });

    await provider.send(post({ text: 'one' }));
    const outcome = await provider.send(post({ text: 'two' }));

    expect(outcome).toEqual({ status: 'retry', reason: 'X rate limit reached: Too Many Requests', retryAfterMs: MAX_RETRY_AFTER_MS, providerCode: 'http_429' });
  });

  it('clamps a past rate-limit reset to zero', async () => {
    await standIn.close();
    standIn = await startXStandIn({ accessToken: TOKEN, rateLimit: { limit: 1, windowMs: 60_000 }, now: () => NOW });
    const lateClock = createXProvider({ apiBaseUrl: standIn.url, accessToken: TOKEN, timeoutMs: 2_000, now: () => NOW + 120_000 });

    await lateClock.send(post({ text: 'one' }));
    const outcome = await lateClock.send(post({ text: 'two' }));

    expect(outcome).toEqual({ status: 'retry', reason: 'X rate limit reached: Too Many Requests', retryAfterMs: 0, providerCode: 'http_429' });
  });

  it('retries a 429 without reset header', async () => {
    standIn.failNext(1, 429);

    const outcome = await provider.send(post());

    expect(outcome).toEqual({ status: 'retry', reason: 'X rate limit reached: Too Many Requests', providerCode: 'http_429' });
    expect(outcome).not.toHaveProperty('retryAfterMs');
  });

  it('maps a 503 to retry', async () => {
    standIn.failNext(1, 503);

    const outcome = await provider.send(post());

    expect(outcome).toEqual({ status: 'retry', reason: 'X is unavailable (HTTP 503): Service Unavailable', providerCode: 'http_503' });
    expect((await provider.send(post())).status).toBe('sent');
  });

  it('retries a 408', async () => {
    standIn.failNext(1, 408);

    const outcome = await provider.send(post());

    expect(outcome).toEqual({ status: 'retry', reason: 'X is unavailable (HTTP 408): Request Timeout', providerCode: 'http_408' });
  });

  it('parks a 502 with an HTML body as unknown', async () => {
    standIn.failNext(1, 502, '<html>bad gateway</html>');

    const outcome = await provider.send(post());

    expect(outcome).toEqual(
      unknown('X failed with HTTP 502 after receiving the request: <html>bad gateway</html>', "the X account's posts", 'http_502'),
    );
  });

  it.each([
    [500, 'Internal Server Error'],
    [504, 'Gateway Timeout'],
  ])('parks a DM answered with %i as unknown', async (status, title) => {
    standIn.failNext(1, status);

    const outcome = await provider.send(dm('2244994945'));

    expect(outcome).toEqual(
      unknown(`X failed with HTTP ${status} after receiving the request: ${title}`, "the X account's direct messages", `http_${status}`),
    );
    expect(standIn.requests).toHaveLength(1);
  });

  it('names the invalid parameter of a 400', async () => {
    standIn.failNext(1, 400, {
      errors: [{ parameters: { text: [''] }, message: 'Text is required.' }],
      title: 'Invalid Request',
      detail: 'One or more parameters to your request was invalid.',
      type: 'https://api.twitter.com/2/problems/invalid-request',
    });

    const outcome = await provider.send(post());

    expect(outcome).toEqual({
      status: 'failed',
      reason: 'X rejected the post (HTTP 400): One or more parameters to your request was invalid.: Text is required.',
      providerCode: 'http_400',
    });
  });

  it('parks an accepted post without id', async () => {
    standIn.failNext(1, 201, { data: {} });

    const outcome = await provider.send(post());

    expect(outcome).toEqual({
      status: 'failed',
      reason: 'X accepted the request (HTTP 201) but the reply has no data.id: {"data":{}}',
      providerCode: 'missing_id',
    });
  });

  it('parks a timeout as unknown', async () => {
    standIn.stallNext(1);
    const impatient = createXProvider({ apiBaseUrl: standIn.url, accessToken: TOKEN, timeoutMs: 200 });

    const outcome = await impatient.send(post());

    expect(outcome).toEqual(unknown('X did not answer within 200 ms', "the X account's posts", 'timeout'));
    expect(standIn.requests.map((request) => request.body)).toEqual([{ text: TEXT }]);
  });

  it('parks a connection closed after the request', async () => {
    standIn.resetNext(1);

    const outcome = await provider.send(dm('2244994945'));

    expect(outcome).toEqual(
      unknown('X request failed without a reply: other side closed (UND_ERR_SOCKET)', "the X account's direct messages", 'UND_ERR_SOCKET'),
    );
    expect(standIn.requests.map((request) => request.path)).toEqual(['/2/dm_conversations/with/2244994945/messages']);
  });

  it('retries when the connection is refused', async () => {
    const port = await closedPort();
    const unreachable = createXProvider({ apiBaseUrl: `http://127.0.0.1:${port}`, accessToken: TOKEN, timeoutMs: 2_000 });

    const outcome = await unreachable.send(post());

    expect(outcome).toEqual({ status: 'retry', reason: `Could not connect to X: connect ECONNREFUSED 127.0.0.1:${port}`, providerCode: 'ECONNREFUSED' });
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
