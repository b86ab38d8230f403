import { createHmac } from 'node:crypto';
import { createServer, type AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startGraphStandIn, type GraphStandIn } from '../test/stand-ins/graph-api.js';
import { appSecretProof, createMessengerProvider } from './messenger.js';
import type { ChannelProvider, OutgoingMessage, SendOutcome } from './types.js';

const PAGE_TOKEN = 'EAAGpageToken123';
const APP_SECRET = 'app-secret-456';
const PSID = '6543210987654321';
const TEXT = '餃子半價 🥟 today only, 11:30–13:00';

function message(overrides: Partial<OutgoingMessage> = {}): OutgoingMessage {
  return { jobId: 'job-1', channel: 'messenger', sender: '1122334455', to: PSID, messengerRecipient: 'psid', text: TEXT, ...overrides };
}

/** Builds the parked outcome of an attempt Messenger may have accepted, spelled out so a change of wording shows. */
function unknown(cause: string, providerCode: string): SendOutcome {
  return {
    status: 'failed',
    reason:
      `${cause}. The provider may have accepted the message, so it was not sent again. ` +
      "Check the conversation in the Facebook page's inbox, and retry the send from the console only if the message is not there",
    providerCode,
  };
}

describe('Messenger provider', () => {
  let standIn: GraphStandIn;
  let provider: ChannelProvider;

  beforeEach(async () => {
    standIn = await startGraphStandIn({ pageAccessToken: PAGE_TOKEN, appSecret: APP_SECRET });
    provider = createMessengerProvider({ apiBaseUrl: standIn.url, pageAccessToken: PAGE_TOKEN, appSecret: APP_SECRET, timeoutMs: 2_000 });
  });

  afterEach(async () => {
    await standIn.close();
  });

  it('sends to a psid as UPDATE with proof', async () => {
    const outcome = await provider.send(message());

    expect(outcome).toEqual({ status: 'sent', providerMessageId: 'm_standin_1' });
    expect(standIn.requests).toHaveLength(1);
    const request = standIn.requests[0]!;
    expect(request.method).toBe('POST');
    expect(request.path).toBe('/v21.0/me/messages');
    expect(request.authorization).toBe(`Bearer ${PAGE_TOKEN}`);
    expect(request.contentType).toBe('application/json');
    expect(request.query).toEqual({ appsecret_proof: createHmac('sha256', APP_SECRET).update(PAGE_TOKEN).digest('hex') });
    expect(request.rawBody).toBe(JSON.stringify({ recipient: { id: PSID }, messaging_type: 'UPDATE', message: { text: TEXT } }));
  });

  it('sends to a notification token', async () => {
    const outcome = await provider.send(message({ to: 'nmt-AbC_123', messengerRecipient: 'notification_token' }));

    expect(outcome).toEqual({ status: 'sent', providerMessageId: 'm_standin_1' });
    expect(standIn.requests[0]!.body).toEqual({
      recipient: { notification_messages_token: 'nmt-AbC_123' },
      messaging_type: 'UPDATE',
      message: { text: TEXT },
    });
  });

  it('omits the proof without an app secret', async () => {
    await standIn.close();
    standIn = await startGraphStandIn({ pageAccessToken: PAGE_TOKEN });
    provider = createMessengerProvider({ apiBaseUrl: standIn.url, apiVersion: 'v22.0', pageAccessToken: PAGE_TOKEN, timeoutMs: 2_000 });

    const outcome = await provider.send(message());

    expect(outcome.status).toBe('sent');
    expect(standIn.requests[0]!.path).toBe('/v22.0/me/messages');
    expect(standIn.requests[0]!.query).toEqual({});
  });

  it('computes appsecret_proof as hex HMAC-SHA256', () => {
    expect(appSecretProof('secret', 'token')).toBe(createHmac('sha256', 'secret').update('token').digest('hex'));
    expect(appSecretProof('secret', 'token')).toMatch(/^[0-9a-f]{64}$/);
  });

  it('rejects a missing messengerRecipient', async () => {
    const outcome = await provider.send(message({ messengerRecipient: undefined }));

    expect(outcome).toEqual({
      status: 'failed',
      reason: 'invalid messengerRecipient: missing (expected "psid" or "notification_token" from messengerSendPlan)',
      providerCode: 'invalid_message',
    });
    expect(standIn.requests).toHaveLength(0);
  });

  it('rejects a psid that is not numeric', async () => {
    const outcome = await provider.send(message({ to: 'jane.doe' }));

    expect(outcome).toEqual({
      status: 'failed',
      reason: 'invalid to for a Messenger psid: "jane.doe" (expected a numeric page-scoped id)',
      providerCode: 'invalid_message',
    });
  });

  it('rejects text over 2000 characters', async () => {
    const outcome = await provider.send(message({ text: '🌮'.repeat(2001) }));

    expect(outcome).toEqual({ status: 'failed', reason: 'invalid text for Messenger: 2001 characters (expected 1 to 2000)', providerCode: 'invalid_message' });
  });

  it('throws for a message of another channel', async () => {
    await expect(provider.send(message({ channel: 'email' }))).rejects.toThrow('Messenger provider received a message for channel "email" (job job-1)');
  });

  it('rejects an invalid api version at creation', () => {
    expect(() => createMessengerProvider({ apiVersion: '21', pageAccessToken: PAGE_TOKEN, timeoutMs: 1_000 })).toThrow(
      'invalid apiVersion: "21" (expected a Graph API version like "v21.0")',
    );
  });

  it('maps outside the window to failed', async () => {
    standIn.outsideWindowPsids.add(PSID);

    const outcome = await provider.send(message());

    expect(outcome).toEqual({
      status: 'failed',
      reason:
        "Outside Messenger's 24-hour window: the person has not written to the page recently. " +
        'Graph error 10/2018278: (#10) This message is sent outside of allowed window. (fbtrace_id StandInTrace1)',
      providerCode: '10/2018278',
    });
  });

  it('maps an unavailable person to failed', async () => {
    standIn.unavailablePsids.add(PSID);

    const outcome = await provider.send(message());

    expect(outcome).toEqual({
      status: 'failed',
      reason:
        'This person is not available on Messenger, for example because they turned off messages from the page. ' +
        "Graph error 551/1545041: (#551) This person isn't available right now. (fbtrace_id StandInTrace1)",
      providerCode: '551/1545041',
    });
  });

  it('maps no matching user to failed', async () => {
    standIn.unknownPsids.add(PSID);

    const outcome = await provider.send(message());

    expect(outcome).toEqual({
      status: 'failed',
      reason: 'No Messenger user matches this recipient id for this page. Graph error 100/2018001: (#100) No matching user found (fbtrace_id StandInTrace1)',
      providerCode: '100/2018001',
    });
  });

  it('maps rate limit 613 to retry', async () => {
    standIn.rateLimitNext(1);

    const outcome = await provider.send(message());

    expect(outcome).toEqual({
      status: 'retry',
      reason: 'Messenger rate limit reached. Graph error 613: (#613) Calls to this api have exceeded the rate limit. (fbtrace_id StandInTrace1)',
      providerCode: '613',
    });
    expect((await provider.send(message())).status).toBe('sent');
  });

  it('maps a 500 to retry', async () => {
    standIn.failNext(1);

    const outcome = await provider.send(message());

    expect(outcome).toEqual({
      status: 'retry',
      reason: 'Messenger is unavailable. Graph error 2: An unexpected error has occurred. Please retry your request later. (fbtrace_id StandInTrace1)',
      providerCode: '2',
    });
  });

  it('parks unknown error code 1 as unknown', async () => {
    standIn.failNext(1, 500, {
      error: { message: 'An unknown error occurred', type: 'OAuthException', code: 1, error_subcode: 99, fbtrace_id: 'TraceUnknown' },
    });

    const outcome = await provider.send(message());

    expect(outcome).toEqual(unknown('Messenger returned an unknown error. Graph error 1/99: An unknown error occurred (fbtrace_id TraceUnknown)', '1/99'));
  });

  it('parks a 500 with another Graph code as unknown', async () => {
    standIn.failNext(1, 500, { error: { message: 'Internal failure', type: 'OAuthException', code: 3, fbtrace_id: 'TraceOther' } });

    const outcome = await provider.send(message());

    expect(outcome).toEqual(unknown('Messenger failed with HTTP 500. Graph error 3: Internal failure (fbtrace_id TraceOther)', '3'));
  });

  it('parks a 502 without a Graph body as unknown', async () => {
    standIn.failNext(1, 502, '<html>Bad Gateway</html>');

    const outcome = await provider.send(message());

    expect(outcome).toEqual(unknown('Messenger failed with HTTP 502 after receiving the request: <html>Bad Gateway</html>', 'http_502'));
  });

  it('retries a 503 without a Graph body', async () => {
    standIn.failNext(1, 503, '<html>Service Unavailable</html>');

    const outcome = await provider.send(message());

    expect(outcome).toEqual({ status: 'retry', reason: 'Messenger is unavailable (HTTP 503): <html>Service Unavailable</html>', providerCode: 'http_503' });
    expect((await provider.send(message())).status).toBe('sent');
  });

  it('parks a timeout as unknown', async () => {
    standIn.stallNext(1);
    const impatient = createMessengerProvider({ apiBaseUrl: standIn.url, pageAccessToken: PAGE_TOKEN, appSecret: APP_SECRET, timeoutMs: 200 });

    const outcome = await impatient.send(message());

    expect(outcome).toEqual(unknown('Messenger did not answer within 200 ms', 'timeout'));
    expect(standIn.requests.map((request) => request.body)).toEqual([{ recipient: { id: PSID }, messaging_type: 'UPDATE', message: { text: TEXT } }]);
  });

  it('parks a connection closed after the request', async () => {
    standIn.resetNext(1);

    const outcome = await provider.send(message());

    expect(outcome).toEqual(unknown('Messenger request failed without a reply: other side closed (UND_ERR_SOCKET)', 'UND_ERR_SOCKET'));
    expect(standIn.requests).toHaveLength(1);
  });

  it('maps a rejected token to failed', async () => {
    const wrongToken = createMessengerProvider({ apiBaseUrl: standIn.url, pageAccessToken: 'expired', appSecret: APP_SECRET, timeoutMs: 2_000 });

    const outcome = await wrongToken.send(message());

    expect(outcome).toEqual({
      status: 'failed',
      reason:
        'Messenger rejected the page access token; reconnect the Facebook page. ' +
        'Graph error 190: Invalid OAuth access token - Cannot parse access token (fbtrace_id StandInTrace1)',
      providerCode: '190',
    });
  });

  it('maps a wrong app secret to failed', async () => {
    const wrongSecret = createMessengerProvider({ apiBaseUrl: standIn.url, pageAccessToken: PAGE_TOKEN, appSecret: 'other', timeoutMs: 2_000 });

    const outcome = await wrongSecret.send(message());

    expect(outcome).toEqual({
      status: 'failed',
      reason: 'Messenger rejected the message. Graph error 100: Invalid appsecret_proof provided in the API argument (fbtrace_id StandInTrace1)',
      providerCode: '100',
    });
  });

  it('maps a missing proof to failed', async () => {
    const noSecret = createMessengerProvider({ apiBaseUrl: standIn.url, pageAccessToken: PAGE_TOKEN, timeoutMs: 2_000 });

    const outcome = await noSecret.send(message());

    expect(outcome).toEqual({
      status: 'failed',
      reason: 'Messenger rejected the message. Graph error 100: API calls from the server require an appsecret_proof argument (fbtrace_id StandInTrace1)',
      providerCode: '100',
    });
  });

  it('retries when the connection is refused', async () => {
    const port = await closedPort();
    const unreachable = createMessengerProvider({ apiBaseUrl: `http://127.0.0.1:${port}`, pageAccessToken: PAGE_TOKEN, timeoutMs: 2_000 });

    const outcome = await unreachable.send(message());

    expect(outcome).toEqual({ status: 'retry', reason: `Could not connect to Messenger: connect ECONNREFUSED 127.0.0.1:${port}`, providerCode: 'ECONNREFUSED' });
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
