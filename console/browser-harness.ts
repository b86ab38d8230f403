import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Dialog, type Locator, type Page } from 'playwright-core';
import { build } from 'vite';
import { expect } from 'vitest';
import { silentLogger } from '../common/logger.js';
import { startCloudburst, type RunningCloudburst } from '../server/app-server.js';
import { backendOptions } from '../test/backend.js';

/**
 * Setup shared by the console's browser tests. The console is built into a temporary folder
 * and served by a real server on 127.0.0.1. Debian's Chromium loads it, driven by
 * playwright-core, which downloads no browser.
 */

const CHROMIUM_PATH = '/usr/bin/chromium';

/** Flags that keep headless Chromium from contacting update, sync or other hosts on its own. */
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Default time a browser test waits for the page to reach an expected state. */
export const WAIT_MS = 15_000;

export interface ConsoleServer {
  server: RunningCloudburst;
  /** Temporary data folder of the server, with the built console in its `console` subfolder. */
  dataDir: string;
  /** Stops the server and removes the data folder. */
  close(): Promise<void>;
}

/** Problems a watched browser context records, for the tests to assert empty at the end. */
export interface PageProblems {
  /** URLs the pages requested from any origin other than the server's. */
  externalRequests: string[];
  /** Messages of the uncaught errors thrown in the pages. */
  pageErrors: string[];
}

/** Status and parsed JSON body of an HTTP reply, with a null body when the reply has none. */
export interface ApiReply {
  status: number;
  body: any;
}

/**
 * Builds the console into a new temporary folder named after `prefix` and starts a server that
 * serves it on a port the OS picks, with `<prefix>-test-token` as the admin token. The back end
 * is the one `backendOptions` selects.
 */
export async function startConsoleServer(prefix: string): Promise<ConsoleServer> {
  const dataDir = await mkdtemp(path.join(tmpdir(), `cloudburst-${prefix}-`));
  const removeDataDir = () => rm(dataDir, { recursive: true, force: true });

  try {
    const consoleDir = path.join(dataDir, 'console');
    await build({
      configFile: path.join(import.meta.dirname, 'vite.config.ts'),
      logLevel: 'warn',
      build: { outDir: consoleDir, emptyOutDir: true },
    });
    const server = await startCloudburst({
      dataDir,
      port: 0,
      host: '127.0.0.1',
      adminToken: `${prefix}-test-token`,
      logger: silentLogger(),
      consoleDir,
      ...(await backendOptions()),
    });

    const close = async () => {
      try {
        await server.stop();
      } finally {
        await removeDataDir();
      }
    };
    return { server, dataDir, close };
  } catch (error) {
    await removeDataDir();
    throw error;
  }
}

/** Returns the console's address with the server's admin token, which the console moves into sessionStorage. */
export function adminConsoleUrl(server: RunningCloudburst): string {
  return `${server.url}/#token=${encodeURIComponent(server.adminToken)}`;
}

/** Launches Debian's headless Chromium. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
}

/**
 * Records into `problems` every request of `context` to an origin other than `serverUrl`'s
 * (data:, blob: and about: URLs are local) and the uncaught errors of each page the context
 * opens from now on. Pass the same `problems` to watch several contexts at once.
 */
export function watchContext(context: BrowserContext, serverUrl: string, problems: PageProblems = { externalRequests: [], pageErrors: [] }): PageProblems {
  const origin = new URL(serverUrl).origin;
  const socketOrigin = origin.replace(/^http/, 'ws');

  context.on('request', (request) => {
    const url = request.url();
    if (/^(data|blob|about):/.test(url)) return;
    if (new URL(url).origin !== origin && !url.startsWith(socketOrigin)) problems.externalRequests.push(url);
  });
  context.on('page', (page) => {
    page.on('pageerror', (error) => problems.pageErrors.push(error.message));
  });
  return problems;
}

/**
 * Sends a request with a JSON body to the server and returns the reply. Throws naming the
 * request when the reply has a body that is not JSON.
 */
export async function apiRequest(server: RunningCloudburst, method: string, route: string, body?: unknown, headers: Record<string, string> = {}): Promise<ApiReply> {
  const response = await fetch(`${server.url}${route}`, {
    method,
    headers: { 'content-type': 'application/json', ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  if (!text) return { status: response.status, body: null };

  try {
    return { status: response.status, body: JSON.parse(text) as unknown };
  } catch {
    throw new Error(`${method} ${route} returned HTTP ${response.status} with a body that is not JSON: ${text.slice(0, 200)}`);
  }
}

/** Sends a request to the admin API, at `/v1/admin` followed by `route`, with the server's admin token. */
export function adminRequest(server: RunningCloudburst, method: string, route: string, body?: unknown): Promise<ApiReply> {
  return apiRequest(server, method, `/v1/admin${route}`, body, { authorization: `Bearer ${server.adminToken}` });
}

/** Sends a request as `adminRequest` does and returns the reply's body. Throws naming the request and the reply unless the status is 2xx. */
export async function adminBody(server: RunningCloudburst, method: string, route: string, body?: unknown): Promise<any> {
  const reply = await adminRequest(server, method, route, body);
  if (reply.status < 200 || reply.status >= 300) {
    throw new Error(`${method} /v1/admin${route} failed with HTTP ${reply.status}: ${JSON.stringify(reply.body)}`);
  }
  return reply.body;
}

/** Accepts or dismisses the next dialog of `page`, and returns its message. */
export function answerDialog(page: Page, accept: boolean): Promise<string> {
  return new Promise((resolve) => {
    page.once('dialog', (dialog: Dialog) => {
      resolve(dialog.message());
      void (accept ? dialog.accept() : dialog.dismiss());
    });
  });
}

/** Returns the text as a reader sees it, with runs of white space collapsed as HTML renders them. */
export async function textOf(locator: Locator): Promise<string> {
  return ((await locator.textContent()) ?? '').replace(/\s+/g, ' ').trim();
}

/** Waits until the text of `locator`, as `textOf` returns it, is `expected` or matches it. */
export async function waitForText(locator: Locator, expected: string | RegExp, timeoutMs = WAIT_MS): Promise<void> {
  const text = expect.poll(() => textOf(locator), { timeout: timeoutMs });
  if (typeof expected === 'string') await text.toBe(expected);
  else await text.toMatch(expected);
}
