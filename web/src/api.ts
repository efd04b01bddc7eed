/**
 * The web app's only door to the node: same-origin fetches of the HTTP API, problem+json errors turned into
 * ApiError. Every request names the interface's language (Accept-Language), so the node's messages come back in
 * it. Must never call another host.
 */

let answerLanguage = 'es';
/** Set by the language provider (i18n/index.tsx) whenever the interface language changes. */
export function setAnswerLanguage(lang: string): void {
  answerLanguage = lang;
}

export interface FieldError {
  path?: string;
  element?: string;
  message: string;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly detail: string,
    readonly errors: FieldError[] = [],
    /** The node's English specifics when its message in the reader's language is the code's general sentence. */
    readonly technical: string | null = null,
  ) {
    super(detail || code);
  }
}

export interface ApiOptions {
  method?: 'GET' | 'POST' | 'PUT' | 'DELETE';
  body?: unknown;
  /** A file sent as the body with its own type (a baked badge image to verify), instead of a JSON body. */
  file?: Blob;
  token?: string | null;
  signal?: AbortSignal;
}

export async function api<T>(path: string, opts: ApiOptions = {}): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json', 'accept-language': answerLanguage };
  if (opts.file) headers['content-type'] = opts.file.type || 'application/octet-stream';
  else if (opts.body !== undefined) headers['content-type'] = 'application/json';
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  const signal = opts.signal ?? AbortSignal.timeout(30_000);
  let res: Response;
  try {
    res = await fetch(path, { method: opts.method ?? 'GET', headers, body: opts.file ?? (opts.body === undefined ? undefined : JSON.stringify(opts.body)), signal });
  } catch (e) {
    if ((e as Error)?.name === 'AbortError') throw e;
    throw new ApiError(0, 'network', (e as Error)?.message ?? 'network error');
  }
  const text = await res.text();
  let data: unknown = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    data = null;
  }
  if (!res.ok) {
    const p = (data ?? {}) as { code?: string; detail?: string; errors?: FieldError[]; technicalDetail?: unknown };
    const technical = typeof p.technicalDetail === 'string' ? p.technicalDetail : null;
    throw new ApiError(res.status, p.code ?? `http_${res.status}`, p.detail ?? res.statusText, Array.isArray(p.errors) ? p.errors : [], technical);
  }
  return data as T;
}

/** A file from the API (a CSV export): the body as a Blob, errors as in `api`. */
export async function apiBlob(path: string, opts: Pick<ApiOptions, 'token' | 'signal' | 'method' | 'body'> = {}): Promise<Blob> {
  const headers: Record<string, string> = { 'accept-language': answerLanguage };
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  if (opts.body !== undefined) headers['content-type'] = 'application/json';
  let res: Response;
  try {
    res = await fetch(path, { method: opts.method ?? 'GET', headers, body: opts.body === undefined ? undefined : JSON.stringify(opts.body), signal: opts.signal ?? AbortSignal.timeout(60_000) });
  } catch (e) {
    throw new ApiError(0, 'network', (e as Error)?.message ?? 'network error');
  }
  if (!res.ok) {
    const p = ((await res.json().catch(() => null)) ?? {}) as { code?: string; detail?: string };
    throw new ApiError(res.status, p.code ?? `http_${res.status}`, p.detail ?? res.statusText);
  }
  return res.blob();
}

/** Builds a query string from defined, non-empty values. */
export function qs(params: Record<string, string | number | undefined | null>): string {
  const u = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') u.set(k, String(v));
  const s = u.toString();
  return s ? `?${s}` : '';
}

export const enc = encodeURIComponent;
