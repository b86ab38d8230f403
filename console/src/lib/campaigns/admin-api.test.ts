import { afterEach, describe, expect, it, vi } from 'vitest';
import { json, stubFetch } from '../test-fetch.js';
import { AdminApi, ApiError, toApiError } from './admin-api.js';

afterEach(() => {
  vi.unstubAllGlobals();
});

describe('AdminApi', () => {
  it('sends the token and the JSON body', async () => {
    const calls = stubFetch(() => json(200, { campaign: { id: 'c1' } }));
    const api = new AdminApi({ token: 'secret' });
    await api.setStatus('c1', 'scheduled');
    expect(calls).toEqual([
      {
        url: '/v1/admin/campaigns/c1/status',
        method: 'POST',
        headers: { authorization: 'Bearer secret', 'content-type': 'application/json' },
        body: '{"status":"scheduled"}',
      },
    ]);
  });

  it('leaves empty filters out of the query', async () => {
    const calls = stubFetch(() => json(200, { sends: [] }));
    await new AdminApi({ token: 't' }).listSends('c1', { limit: 50, offset: 100 });
    expect(calls[0]!.url).toBe('/v1/admin/campaigns/c1/sends?limit=50&offset=100');
  });

  it('turns an error reply into an ApiError with its field', async () => {
    stubFetch(() => json(400, { error: { code: 'invalid_input', message: 'invalid window.end: "x"', field: 'window.end', value: 'x' } }));
    const error = await new AdminApi({ token: 't' }).listCampaigns().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ status: 400, code: 'invalid_input', message: 'invalid window.end: "x"', field: 'window.end', value: 'x' });
  });

  it('reports a reply that is not JSON by its status', async () => {
    stubFetch(() => new Response('<html>bad gateway</html>', { status: 502, statusText: 'Bad Gateway' }));
    const error = await new AdminApi({ token: 't' }).listTrucks().catch((caught: unknown) => caught);
    expect(error).toMatchObject({ status: 502, code: 'http', message: 'HTTP 502 Bad Gateway', field: undefined });
  });

  it('calls onUnauthorized on HTTP 401', async () => {
    stubFetch(() => json(401, { error: { code: 'unauthorized', message: 'invalid admin token' } }));
    const onUnauthorized = vi.fn();
    const error = await new AdminApi({ token: 't', onUnauthorized }).listTrucks().catch((caught: unknown) => caught);
    expect(onUnauthorized).toHaveBeenCalledTimes(1);
    expect(error).toMatchObject({ status: 401, code: 'unauthorized' });
  });

  it('uploads a file with the import options and accepts a 422 record', async () => {
    const record = { id: 'i1', status: 'failed', error: 'line 3: unclosed quote' };
    const calls = stubFetch(() => json(422, { import: record }));
    const file = new File(['a,b\n'], 'leads list.csv');
    const result = await new AdminApi({ token: 't' }).uploadImport('s1', file, {
      importId: 'i1',
      format: 'csv',
      defaultCountry: 'US',
      consent: ['sms', 'email'],
    });
    expect(result).toEqual(record);
    expect(calls[0]!.url).toBe('/v1/admin/segments/s1/imports?format=csv&defaultCountry=US&fileName=leads+list.csv&importId=i1&consent=sms%2Cemail');
    expect(calls[0]!.body).toBe(file);
    expect(calls[0]!.headers['content-type']).toBe('application/octet-stream');
  });

  it('returns null for a missing sign-up route', async () => {
    stubFetch(() => json(404, { error: { code: 'not_found', message: 'no route for GET /v1/admin/segments/s1/qr.svg' } }));
    const api = new AdminApi({ token: 't' });
    expect(await api.getSegmentQr('s1')).toBeNull();
    expect(await api.getSignupLink('s1')).toBeNull();
  });
});

describe('toApiError', () => {
  it('keeps an ApiError', () => {
    const error = new ApiError(409, 'conflict', 'only a draft can be edited');
    expect(toApiError(error)).toBe(error);
  });

  it('wraps a network failure', () => {
    expect(toApiError(new TypeError('Failed to fetch'))).toMatchObject({ status: 0, code: 'network', message: 'Failed to fetch' });
  });

  it('names a cancelled request', () => {
    expect(toApiError(new DOMException('The operation was aborted.', 'AbortError'))).toMatchObject({ status: 0, code: 'aborted' });
  });
});
