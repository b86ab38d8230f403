/** The `error` object of an admin API error reply. */
export interface ApiErrorBody {
  code: string;
  message: string;
  field?: string;
  value?: unknown;
}

/** A reply of the admin API with an unexpected HTTP status, with the server's error fields when it sent them. */
export class AdminApiError extends Error {
  readonly method: string;
  readonly path: string;
  readonly status: number;
  /** The server's `error` object, or undefined when the reply was not the API's JSON error shape. */
  readonly error?: ApiErrorBody;

  constructor(method: string, path: string, status: number, text: string) {
    const error = parseErrorBody(text);
    super(`${method} ${path} failed with HTTP ${status}: ${error?.message ?? text}`);
    this.name = 'AdminApiError';
    this.method = method;
    this.path = path;
    this.status = status;
    this.error = error;
  }
}

/** A small client for the admin HTTP API, used by the demo and the CLI. */
export class AdminClient {
  constructor(
    private readonly baseUrl: string,
    private readonly token: string,
  ) {}

  /** Sends `body` as JSON and returns the parsed reply. Throws AdminApiError on a non-2xx status. */
  async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    const reply = await this.send(method, path, {
      body: body === undefined ? undefined : JSON.stringify(body),
      contentType: 'application/json',
    });
    return reply.body as T;
  }

  /**
   * Streams `file` as the raw request body and returns the status and parsed reply.
   * Statuses in `accept` count as replies, like 2xx; any other throws AdminApiError.
   */
  async upload<T>(path: string, file: AsyncIterable<Uint8Array>, options: { contentType: string; accept?: number[] }): Promise<{ status: number; body: T }> {
    const reply = await this.send('POST', path, { body: file, contentType: options.contentType, accept: options.accept });
    return { status: reply.status, body: reply.body as T };
  }

  private async send(
    method: string,
    path: string,
    options: { body?: string | AsyncIterable<Uint8Array>; contentType: string; accept?: number[] },
  ): Promise<{ status: number; body: unknown }> {
    const url = new URL(path, this.baseUrl);
    const streamed = options.body !== undefined && typeof options.body !== 'string';
    let response: Response;
    try {
      response = await fetch(url, {
        method,
        headers: { authorization: `Bearer ${this.token}`, 'content-type': options.contentType },
        // Node's fetch (undici) takes an async iterable as a streamed body, which needs half duplex.
        body: options.body as BodyInit | undefined,
        ...(streamed ? { duplex: 'half' } : {}),
      } as RequestInit);
    } catch (error) {
      throw new Error(`${method} ${url} failed: ${(error as Error).cause ?? (error as Error).message} (is the server running there?)`);
    }
    const text = await response.text();
    if (!response.ok && !(options.accept ?? []).includes(response.status)) throw new AdminApiError(method, path, response.status, text);
    return { status: response.status, body: JSON.parse(text) as unknown };
  }
}

function parseErrorBody(text: string): ApiErrorBody | undefined {
  try {
    const parsed = JSON.parse(text) as { error?: ApiErrorBody };
    return typeof parsed.error?.message === 'string' ? parsed.error : undefined;
  } catch {
    // A proxy's HTML page or an empty body is not JSON, so the message shows the raw text instead.
    return undefined;
  }
}
