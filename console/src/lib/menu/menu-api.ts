import type { Menu, PublishedMenu } from '../../../../orders/menu.js';
import { readErrorReply, type ApiError } from '../campaigns/admin-api.js';
import type { PrepTime } from './prep-time.js';

/** A menu as the admin routes return it. */
export interface SavedMenu {
  menu: Menu;
  /** ISO 8601 time of the last save. */
  updatedAt: string;
}

/** The admin read of a menu: the menu as saved and the kitchen's preparation time. */
export interface AdminMenu extends SavedMenu {
  prepTime: PrepTime;
}

export interface MenuApiOptions {
  token: string;
  /** Called when the server rejects the token (HTTP 401). */
  onUnauthorized?: () => void;
}

/**
 * Client of the menu routes: the admin routes, which send the admin token as a bearer
 * token, and the public menu, for the specials left today. The reads return null for a
 * 404 reply, which means the truck has no menu yet or does not exist.
 */
export class MenuApi {
  readonly #token: string;
  readonly #onUnauthorized: () => void;

  constructor(options: MenuApiOptions) {
    this.#token = options.token;
    this.#onUnauthorized = options.onUnauthorized ?? (() => {});
  }

  /** Reads the menu as saved, hidden items and every day's specials included. */
  getMenu = (truckId: string, signal?: AbortSignal): Promise<AdminMenu | null> =>
    this.#send('GET', adminPath(truckId), { admin: true, signal, notFound: 'null' }).then((response) => readJson<AdminMenu>(response));

  /**
   * Replaces the truck's menu. With `ifMatch`, the `updatedAt` of the version this editor
   * loaded, the server refuses with 409 (field `If-Match`) when another save came first.
   * A 400 reply's `field` names the rejected field by its path in `menu`.
   */
  putMenu = (truckId: string, menu: Menu, ifMatch?: string | null): Promise<SavedMenu> =>
    this.#send('PUT', adminPath(truckId), { admin: true, body: menu, notFound: 'throw', ifMatch: ifMatch ?? undefined }).then(
      (response) => response!.json() as Promise<SavedMenu>,
    );

  /** Sets one item's sold-out flag and leaves the rest of the stored menu as it is; returns the stored menu. */
  setItemSoldOut = (truckId: string, itemId: string, soldOut: boolean): Promise<SavedMenu> =>
    this.#send('PATCH', `${adminPath(truckId)}/items/${encodeURIComponent(itemId)}`, { admin: true, body: { soldOut }, notFound: 'throw' }).then(
      (response) => response!.json() as Promise<SavedMenu>,
    );

  /**
   * Sets the kitchen's preparation time, for the ready times of orders paid from now on, and
   * returns it as stored. The server replies 404 until the truck has a menu, and a 400
   * reply's `field` is `secondsPerItem` or `secondsPerOrder`.
   */
  putPrepTime = (truckId: string, prepTime: PrepTime): Promise<PrepTime> =>
    this.#send('PUT', `/v1/admin/trucks/${encodeURIComponent(truckId)}/prep-time`, { admin: true, body: prepTime, notFound: 'throw' }).then(
      async (response) => ((await response!.json()) as { prepTime: PrepTime }).prepTime,
    );

  /** Reads today's menu as the customer's phone shows it, with what is left of each special. */
  getPublishedMenu = (truckId: string, signal?: AbortSignal): Promise<PublishedMenu | null> =>
    this.#send('GET', `/v1/trucks/${encodeURIComponent(truckId)}/menu`, { signal, notFound: 'null' }).then(async (response) =>
      response ? ((await response.json()) as { menu: PublishedMenu }).menu : null,
    );

  /** Sends one request. Returns null for a 404 reply when `notFound` is "null", and throws an ApiError for any other status but 2xx. */
  async #send(method: string, path: string, options: SendOptions): Promise<Response | null> {
    const headers: Record<string, string> = {};
    if (options.admin) headers.authorization = `Bearer ${this.#token}`;
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    if (options.ifMatch !== undefined) headers['if-match'] = `"${options.ifMatch}"`;
    const response = await fetch(path, {
      method,
      headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      signal: options.signal,
    });

    if (response.ok) return response;
    if (response.status === 404 && options.notFound === 'null') return null;
    if (response.status === 401 && options.admin) this.#onUnauthorized();
    throw await readErrorReply(response);
  }
}

interface SendOptions {
  /** Sends the admin token. */
  admin?: boolean;
  body?: unknown;
  signal?: AbortSignal;
  notFound: 'null' | 'throw';
  /** The version a replace applies to. */
  ifMatch?: string;
}

async function readJson<T>(response: Response | null): Promise<T | null> {
  return response ? ((await response.json()) as T) : null;
}

function adminPath(truckId: string): string {
  return `/v1/admin/trucks/${encodeURIComponent(truckId)}/menu`;
}

