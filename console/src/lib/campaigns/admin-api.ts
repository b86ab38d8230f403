import type {
  Campaign,
  CampaignDefinition,
  CampaignStatus,
  CampaignSummary,
  ChannelName,
  ImportFormat,
  ImportIssue,
  ImportRecord,
  IssueSeverity,
  OutboxMessage,
  SendJob,
  SendStatus,
  StoredTemplate,
  Truck,
} from './types.js';

const ADMIN_BASE = '/v1/admin';

/** An error reply of the admin API, `{ error: { code, message, field?, value? } }`, or a failed request. */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  /** Dotted path of the field the server rejected, such as `window.end` or `segments.1.templates.sms.body`. */
  readonly field: string | undefined;
  readonly value: unknown;

  constructor(status: number, code: string, message: string, field?: string, value?: unknown) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.field = field;
    this.value = value;
  }
}

export interface AdminApiOptions {
  token: string;
  /** Called when the server rejects the token (HTTP 401). */
  onUnauthorized?: () => void;
}

export interface Page {
  limit: number;
  offset: number;
}

export interface ImportUpload {
  importId: string;
  format: ImportFormat;
  /** ISO 3166-1 alpha-2 country for phone numbers written without a country code. */
  defaultCountry: string;
  /** Channels the marketer confirms everyone in the list agreed to be contacted on. */
  consent: ChannelName[];
}

type Query = Record<string, string | number | undefined>;

/** Client of the admin API's campaign workflow. Every call sends the admin token as a bearer token. */
export class AdminApi {
  readonly #token: string;
  readonly #onUnauthorized: () => void;

  constructor(options: AdminApiOptions) {
    this.#token = options.token;
    this.#onUnauthorized = options.onUnauthorized ?? (() => {});
  }

  listTrucks = () => this.#json<{ trucks: Truck[] }>('GET', '/trucks').then((reply) => reply.trucks);
  listCampaigns = () => this.#json<{ campaigns: Campaign[] }>('GET', '/campaigns').then((reply) => reply.campaigns);
  getCampaign = (id: string) => this.#json<{ campaign: Campaign; templates: StoredTemplate[] }>('GET', `/campaigns/${id}`);
  getSummary = (id: string) => this.#json<CampaignSummary>('GET', `/campaigns/${id}/summary`);

  createCampaign = (definition: CampaignDefinition) =>
    this.#json<{ campaign: Campaign }>('POST', '/campaigns', definition).then((reply) => reply.campaign);

  updateCampaign = (id: string, definition: CampaignDefinition) =>
    this.#json<{ campaign: Campaign }>('PUT', `/campaigns/${id}`, definition).then((reply) => reply.campaign);

  setStatus = (id: string, status: CampaignStatus) =>
    this.#json<{ campaign: Campaign }>('POST', `/campaigns/${id}/status`, { status }).then((reply) => reply.campaign);

  listSends = (campaignId: string, page: Page, status?: SendStatus) =>
    this.#json<{ sends: SendJob[] }>('GET', `/campaigns/${campaignId}/sends`, undefined, { ...page, status }).then((reply) => reply.sends);

  retrySend = (id: string) => this.#json<{ send: SendJob }>('POST', `/sends/${id}/retry`, {}).then((reply) => reply.send);

  listOutbox = (campaignId: string, page: Page) =>
    this.#json<{ messages: OutboxMessage[] }>('GET', '/outbox', undefined, { campaignId, ...page }).then((reply) => reply.messages);

  getImport = (id: string) => this.#json<{ import: ImportRecord }>('GET', `/imports/${id}`).then((reply) => reply.import);

  listImports = (segmentId: string) =>
    this.#json<{ imports: ImportRecord[] }>('GET', `/segments/${segmentId}/imports`).then((reply) => reply.imports);

  listImportIssues = (importId: string, page: Page, severity?: IssueSeverity) =>
    this.#json<{ issues: ImportIssue[] }>('GET', `/imports/${importId}/issues`, undefined, { ...page, severity }).then((reply) => reply.issues);

  /**
   * Uploads a contact list as the raw request body. The server replies once the whole
   * file is read: 201 when done, 422 when the file stopped early (the record's `error` gives the reason).
   */
  async uploadImport(segmentId: string, file: File, upload: ImportUpload, signal?: AbortSignal): Promise<ImportRecord> {
    const query: Query = {
      format: upload.format,
      defaultCountry: upload.defaultCountry,
      fileName: file.name,
      importId: upload.importId,
      consent: upload.consent.length > 0 ? upload.consent.join(',') : undefined,
    };
    const response = await this.#send('POST', `/segments/${segmentId}/imports`, {
      body: file,
      contentType: 'application/octet-stream',
      query,
      signal,
      accept: [422],
    });
    return ((await response.json()) as { import: ImportRecord }).import;
  }

  /** Fetches the QR code of a segment's public sign-up page as an SVG blob; null when the server has no such route. */
  async getSegmentQr(segmentId: string, signal?: AbortSignal): Promise<Blob | null> {
    const response = await this.#send('GET', `/segments/${segmentId}/qr.svg`, { signal, accept: [404] });
    return response.status === 404 ? null : response.blob();
  }

  /** Fetches the public sign-up link of a segment; null when the server has no such route. */
  async getSignupLink(segmentId: string, signal?: AbortSignal): Promise<string | null> {
    const response = await this.#send('GET', `/segments/${segmentId}/signup-link`, { signal, accept: [404] });
    return response.status === 404 ? null : ((await response.json()) as { url: string }).url;
  }

  async #json<T>(method: string, path: string, body?: unknown, query?: Query): Promise<T> {
    const response = await this.#send(method, path, {
      body: body === undefined ? undefined : JSON.stringify(body),
      contentType: body === undefined ? undefined : 'application/json',
      query,
    });
    return (await response.json()) as T;
  }

  /** Sends one request and returns its response when it succeeded or its status is in `accept`. Throws an ApiError otherwise. */
  async #send(
    method: string,
    path: string,
    options: { body?: BodyInit; contentType?: string; query?: Query; signal?: AbortSignal; accept?: number[] },
  ): Promise<Response> {
    const headers: Record<string, string> = { authorization: `Bearer ${this.#token}` };
    if (options.contentType) headers['content-type'] = options.contentType;
    const response = await fetch(`${ADMIN_BASE}${path}${toQueryString(options.query)}`, {
      method,
      headers,
      body: options.body,
      signal: options.signal,
    });
    if (response.ok || options.accept?.includes(response.status)) return response;
    if (response.status === 401) this.#onUnauthorized();
    throw await readErrorReply(response);
  }
}

/** Converts what an AdminApi call threw (an ApiError, a network failure or an abort) into an ApiError. */
export function toApiError(error: unknown): ApiError {
  if (error instanceof ApiError) return error;
  if (error instanceof DOMException && error.name === 'AbortError') return new ApiError(0, 'aborted', 'the request was cancelled');
  return new ApiError(0, 'network', error instanceof Error ? error.message : String(error));
}

/** Returns true when `error` is the AbortError of a request the caller cancelled. */
export function isAbort(error: unknown): boolean {
  return error instanceof DOMException && error.name === 'AbortError';
}

/** Reads an error reply `{ error: { code, message, field?, value? } }`, or names the HTTP status when the body is not one. */
export async function readErrorReply(response: Response): Promise<ApiError> {
  const text = await response.text();
  try {
    const parsed = JSON.parse(text) as { error?: { code?: unknown; message?: unknown; field?: unknown; value?: unknown } };
    const error = parsed.error;
    if (error && typeof error.code === 'string' && typeof error.message === 'string') {
      return new ApiError(response.status, error.code, error.message, typeof error.field === 'string' ? error.field : undefined, error.value);
    }
  } catch {
    // Not JSON, such as a proxy's error page, so the status line below is all there is to show.
  }
  return new ApiError(response.status, 'http', `HTTP ${response.status} ${response.statusText}`.trim());
}

function toQueryString(query: Query | undefined): string {
  if (!query) return '';
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) {
    if (value !== undefined) params.set(name, String(value));
  }
  const text = params.toString();
  return text ? `?${text}` : '';
}
