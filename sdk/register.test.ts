import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { CloudburstDevice } from './client.js';
import { DeviceError } from './errors.js';

/** Starts a stand-in for the server's registration route on 127.0.0.1 that records each request body. */
async function startRegistrationServer(status: number, body: unknown): Promise<{ server: Server; url: string; requests: Array<{ method?: string; url?: string; body: string }> }> {
  const requests: Array<{ method?: string; url?: string; body: string }> = [];
  const server = createServer(async (request: IncomingMessage, response) => {
    let text = '';
    for await (const chunk of request) text += String(chunk);
    requests.push({ method: request.method, url: request.url, body: text });
    response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, requests };
}

describe('CloudburstDevice.register', () => {
  let server: Server | undefined;

  afterEach(async () => {
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    server = undefined;
  });

  it('posts the platform and returns the device id and token', async () => {
    const started = await startRegistrationServer(201, { deviceId: 'device-9', token: 'secret-token' });
    server = started.server;

    const device = await CloudburstDevice.register(`${started.url}/`, { platform: 'web' });

    expect(device).toEqual({ deviceId: 'device-9', token: 'secret-token' });
    expect(started.requests).toEqual([{ method: 'POST', url: '/v1/devices', body: '{"platform":"web"}' }]);
  });

  it('reports the server error message', async () => {
    const started = await startRegistrationServer(400, { error: { code: 'invalid_input', message: 'invalid platform: "x" (expected at most 64 characters)' } });
    server = started.server;

    const failure = CloudburstDevice.register(started.url, { platform: 'x' });

    await expect(failure).rejects.toBeInstanceOf(DeviceError);
    await expect(failure).rejects.toMatchObject({
      code: 'registration_failed',
      retriable: false,
      message: `POST ${started.url}/v1/devices failed with HTTP 400: invalid platform: "x" (expected at most 64 characters)`,
    });
  });

  it('marks a 503 as retriable', async () => {
    const started = await startRegistrationServer(503, { error: { code: 'unavailable', message: 'store unavailable' } });
    server = started.server;

    await expect(CloudburstDevice.register(started.url)).rejects.toMatchObject({ code: 'registration_failed', retriable: true });
  });

  it('rejects a 201 without a token', async () => {
    const started = await startRegistrationServer(201, { deviceId: 'device-9' });
    server = started.server;

    await expect(CloudburstDevice.register(started.url)).rejects.toThrow('returned 201 without a deviceId and token string');
  });
});
