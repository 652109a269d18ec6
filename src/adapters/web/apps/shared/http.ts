/**
 * The admin HTTP APIs as the pages call them: `Authorization: Bearer <token>`, JSON in and
 * out, RFC 9457 problems turned into an `AppError` with the problem's code and detail.
 */
import { AppError } from './errors';

export interface Answer<T> {
  readonly data: T;
  readonly headers: Headers;
}

export interface Call {
  readonly method?: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  readonly body?: unknown;
  readonly query?: Readonly<Record<string, string | undefined>>;
}

const queryString = (query: Call['query']): string => {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query ?? {})) if (value !== undefined && value !== '') params.set(key, value);
  const text = params.toString();
  return text ? `?${text}` : '';
};

/** the problem in a refused answer, or what can be said without one */
async function problemOf(response: Response): Promise<AppError> {
  const text = await response.text().catch(() => '');
  try {
    const problem = JSON.parse(text) as { code?: unknown; detail?: unknown; title?: unknown };
    if (typeof problem.code === 'string') return new AppError(problem.code, String(problem.detail ?? problem.title ?? response.statusText), response.status);
  } catch {
    // not a problem document: a proxy's page, an empty answer
  }
  return new AppError(response.status >= 500 ? 'unavailable' : 'failed', `the server answered ${response.status} ${response.statusText}`.trim(), response.status);
}

/** An admin HTTP client with one bearer token. */
export class AdminApi {
  constructor(private readonly token: string) {}

  async call<T>(path: string, call: Call = {}): Promise<Answer<T>> {
    let response: Response;
    try {
      response = await fetch(`${path}${queryString(call.query)}`, {
        method: call.method ?? (call.body === undefined ? 'GET' : 'POST'),
        headers: {
          authorization: `Bearer ${this.token}`,
          accept: 'application/json',
          ...(call.body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(call.body === undefined ? {} : { body: JSON.stringify(call.body) }),
        cache: 'no-store',
      });
    } catch {
      throw AppError.unreachable();
    }
    if (!response.ok) throw await problemOf(response);
    const text = await response.text();
    return { data: (text === '' ? undefined : JSON.parse(text)) as T, headers: response.headers };
  }

  async get<T>(path: string, query?: Call['query']): Promise<T> {
    return (await this.call<T>(path, { query })).data;
  }

  async send<T = undefined>(method: 'POST' | 'PATCH' | 'DELETE', path: string, body?: unknown): Promise<T> {
    return (await this.call<T>(path, { method, body })).data;
  }

  /** a file answer (a CSV), with the file name of its Content-Disposition */
  async download(path: string): Promise<{ blob: Blob; filename: string | undefined }> {
    let response: Response;
    try {
      response = await fetch(path, { headers: { authorization: `Bearer ${this.token}` }, cache: 'no-store' });
    } catch {
      throw AppError.unreachable();
    }
    if (!response.ok) throw await problemOf(response);
    const disposition = response.headers.get('content-disposition') ?? '';
    return { blob: await response.blob(), filename: /filename="([^"]+)"/.exec(disposition)?.[1] };
  }
}

/** hand a downloaded file to the browser as a download */
export function saveFile(blob: Blob, filename: string): void {
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = filename;
  document.body.appendChild(link);
  link.click();
  link.remove();
  window.setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
