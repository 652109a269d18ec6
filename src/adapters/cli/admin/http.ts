/**
 * What `zerotouch admin` speaks: the admin HTTP APIs of Devices (`/devices/v1/admin`) and
 * Users (`/users/v1/admin`) at `--url`, with `ZT_ADMIN_TOKEN`. A problem answer becomes a
 * Refused (exit status 1, its `detail` printed).
 */
export class Refused extends Error {
  override readonly name = 'Refused';
  constructor(
    readonly status: number,
    readonly code: string,
    readonly detail: string,
  ) {
    super(detail);
  }
}

export interface Answer {
  readonly status: number;
  readonly body: unknown;
  /** `X-Next-Cursor` of a page, when there may be more */
  readonly next: string | undefined;
}

export interface RequestOptions {
  readonly body?: unknown;
  /** a body sent as is with this content type (a CSV import) */
  readonly raw?: { readonly text: string; readonly contentType: string };
  readonly query?: Readonly<Record<string, string | undefined>>;
}

export class AdminApi {
  constructor(
    readonly baseUrl: string,
    private readonly token: string,
    private readonly fetchImpl: typeof fetch = fetch,
  ) {}

  devices(method: string, path: string, options: RequestOptions = {}): Promise<Answer> {
    return this.request(method, `/devices/v1/admin${path}`, options);
  }

  users(method: string, path: string, options: RequestOptions = {}): Promise<Answer> {
    return this.request(method, `/users/v1/admin${path}`, options);
  }

  async request(method: string, path: string, options: RequestOptions = {}): Promise<Answer> {
    const url = new URL(`${this.baseUrl.replace(/\/+$/, '')}${path}`);
    for (const [name, value] of Object.entries(options.query ?? {})) if (value !== undefined) url.searchParams.set(name, value);
    const headers: Record<string, string> = { authorization: `Bearer ${this.token}` };
    let body: string | undefined;
    if (options.raw) {
      headers['content-type'] = options.raw.contentType;
      body = options.raw.text;
    } else if (options.body !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(options.body);
    }
    let res: Response;
    try {
      res = await this.fetchImpl(url, { method, headers, ...(body === undefined ? {} : { body }) });
    } catch (error) {
      throw new Refused(0, 'unavailable', `cannot reach ${this.baseUrl}: ${(error as Error).cause instanceof Error ? ((error as Error).cause as Error).message : (error as Error).message}`);
    }
    const text = await res.text();
    const type = res.headers.get('content-type') ?? '';
    const parsed: unknown = type.includes('json') && text !== '' ? JSON.parse(text) : text === '' ? undefined : text;
    if (res.status >= 400) {
      const problem = (typeof parsed === 'object' && parsed !== null ? parsed : {}) as { code?: unknown; detail?: unknown };
      throw new Refused(res.status, typeof problem.code === 'string' ? problem.code : String(res.status), typeof problem.detail === 'string' ? problem.detail : `${res.status} ${res.statusText}`);
    }
    return { status: res.status, body: parsed, next: res.headers.get('x-next-cursor') ?? undefined };
  }
}
