import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Menu } from '../../../../orders/menu.js';
import { ApiError } from '../campaigns/admin-api.js';
import { json, stubFetch } from '../test-fetch.js';
import { MenuApi } from './menu-api.js';

const MENU: Menu = {
  currency: 'USD',
  items: [{ id: 'taco', name: 'Taco', priceMinor: 400, options: [], available: true, soldOut: false }],
  specials: [],
};
const SAVED = { menu: MENU, updatedAt: '2026-12-04T20:00:00.000Z' };
const TRUCK = 'truck/1';

afterEach(() => {
  vi.unstubAllGlobals();
});

describe('MenuApi', () => {
  it('reads the saved menu with the admin token', async () => {
    const calls = stubFetch(() => json(200, SAVED));
    expect(await new MenuApi({ token: 'secret' }).getMenu(TRUCK)).toEqual(SAVED);
    expect(calls).toEqual([{ url: '/v1/admin/trucks/truck%2F1/menu', method: 'GET', headers: { authorization: 'Bearer secret' }, body: undefined }]);
  });

  it('returns null for a truck without a menu', async () => {
    stubFetch(() => json(404, { error: { code: 'not_found', message: 'truck truck/1 has no menu yet', field: 'id' } }));
    expect(await new MenuApi({ token: 'secret' }).getMenu(TRUCK)).toBeNull();
  });

  it('saves the menu as JSON', async () => {
    const calls = stubFetch(() => json(200, SAVED));
    expect(await new MenuApi({ token: 'secret' }).putMenu(TRUCK, MENU)).toEqual(SAVED);
    expect(calls[0]!.method).toBe('PUT');
    expect(calls[0]!.headers).toEqual({ authorization: 'Bearer secret', 'content-type': 'application/json' });
    expect(JSON.parse(calls[0]!.body as string)).toEqual(MENU);
  });

  it('throws the field the server rejects', async () => {
    stubFetch(() =>
      json(400, {
        error: { code: 'invalid_input', message: 'invalid items.0.priceMinor: -1 (expected a number of at least 0)', field: 'items.0.priceMinor', value: -1 },
      }),
    );
    const error = await new MenuApi({ token: 'secret' }).putMenu(TRUCK, MENU).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ status: 400, code: 'invalid_input', field: 'items.0.priceMinor', value: -1 });
    expect((error as ApiError).message).toBe('invalid items.0.priceMinor: -1 (expected a number of at least 0)');
  });

  it('throws a 404 on save rather than returning nothing', async () => {
    stubFetch(() => json(404, { error: { code: 'not_found', message: 'truck truck/1 not found', field: 'id', value: TRUCK } }));
    await expect(new MenuApi({ token: 'secret' }).putMenu(TRUCK, MENU)).rejects.toMatchObject({ status: 404, message: 'truck truck/1 not found' });
  });

  it('names the status when the error body is not JSON', async () => {
    stubFetch(() => new Response('<html>bad gateway</html>', { status: 502, statusText: 'Bad Gateway' }));
    await expect(new MenuApi({ token: 'secret' }).getMenu(TRUCK)).rejects.toMatchObject({ status: 502, code: 'http', message: 'HTTP 502 Bad Gateway' });
  });

  it('reports a rejected token', async () => {
    stubFetch(() => json(401, { error: { code: 'unauthorized', message: 'invalid admin token' } }));
    const onUnauthorized = vi.fn();
    await expect(new MenuApi({ token: 'old', onUnauthorized }).putMenu(TRUCK, MENU)).rejects.toMatchObject({ status: 401 });
    expect(onUnauthorized).toHaveBeenCalledTimes(1);
  });

  it('reads the preparation time with the menu', async () => {
    stubFetch(() => json(200, { ...SAVED, prepTime: { secondsPerItem: 60, secondsPerOrder: 120 } }));
    expect((await new MenuApi({ token: 'secret' }).getMenu(TRUCK))?.prepTime).toEqual({ secondsPerItem: 60, secondsPerOrder: 120 });
  });

  it('saves the preparation time', async () => {
    const calls = stubFetch(() => json(200, { prepTime: { secondsPerItem: 90, secondsPerOrder: 30 } }));
    expect(await new MenuApi({ token: 'secret' }).putPrepTime(TRUCK, { secondsPerItem: 90, secondsPerOrder: 30 })).toEqual({ secondsPerItem: 90, secondsPerOrder: 30 });
    expect(calls).toEqual([
      {
        url: '/v1/admin/trucks/truck%2F1/prep-time',
        method: 'PUT',
        headers: { authorization: 'Bearer secret', 'content-type': 'application/json' },
        body: '{"secondsPerItem":90,"secondsPerOrder":30}',
      },
    ]);
  });

  it('throws the rejected preparation time field', async () => {
    const message = 'invalid secondsPerItem: -5 (Too small: expected number to be >=0)';
    stubFetch(() => json(400, { error: { code: 'invalid_input', message, field: 'secondsPerItem', value: -5 } }));
    const error = await new MenuApi({ token: 'secret' }).putPrepTime(TRUCK, { secondsPerItem: -5, secondsPerOrder: 30 }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ status: 400, code: 'invalid_input', message, field: 'secondsPerItem', value: -5 });
  });

  it('throws a preparation time 404', async () => {
    stubFetch(() => json(404, { error: { code: 'not_found', message: 'truck truck/1 has no menu yet; save its menu first', field: 'id', value: TRUCK } }));
    await expect(new MenuApi({ token: 'secret' }).putPrepTime(TRUCK, { secondsPerItem: 60, secondsPerOrder: 60 })).rejects.toMatchObject({
      status: 404,
      message: 'truck truck/1 has no menu yet; save its menu first',
    });
  });

  it('reads the public menu without the admin token', async () => {
    const published = { currency: 'USD', date: '2026-12-04', items: [] };
    const calls = stubFetch(() => json(200, { menu: published }));
    expect(await new MenuApi({ token: 'secret' }).getPublishedMenu(TRUCK)).toEqual(published);
    expect(calls).toEqual([{ url: '/v1/trucks/truck%2F1/menu', method: 'GET', headers: {}, body: undefined }]);
  });

  it('returns null for a public menu not saved yet', async () => {
    stubFetch(() => json(404, { error: { code: 'not_found', message: 'truck truck/1 has no menu yet' } }));
    expect(await new MenuApi({ token: 'secret' }).getPublishedMenu(TRUCK)).toBeNull();
  });
});
