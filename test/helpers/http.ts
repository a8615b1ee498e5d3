// A small HTTP client for the API tests: sends JSON, returns status, headers and body.
export interface ApiResponse<T = any> {
  status: number;
  headers: Headers;
  body: T;
  text: string;
}

export interface RequestOptions {
  key?: string;
  bearer?: string;
  body?: unknown;
  /** Sent as is, instead of JSON of `body`. */
  rawBody?: string;
  headers?: Record<string, string>;
}

export async function call<T = any>(
  baseUrl: string,
  method: string,
  path: string,
  opts: RequestOptions = {},
): Promise<ApiResponse<T>> {
  const headers: Record<string, string> = { ...opts.headers };
  if (opts.key) headers['X-API-Key'] = opts.key;
  if (opts.bearer) headers.Authorization = `Bearer ${opts.bearer}`;
  let body: string | undefined;
  if (opts.rawBody !== undefined) body = opts.rawBody;
  else if (opts.body !== undefined) body = JSON.stringify(opts.body);
  if (body !== undefined && !Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) {
    headers['Content-Type'] = 'application/json';
  }
  const res = await fetch(baseUrl + path, { method, headers, body });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // not JSON; keep the text
  }
  return { status: res.status, headers: res.headers, body: parsed as T, text };
}

/** A client bound to one server and key. */
export function client(baseUrl: string, key?: string) {
  return {
    get: <T = any>(path: string, o: RequestOptions = {}) => call<T>(baseUrl, 'GET', path, { key, ...o }),
    post: <T = any>(path: string, body?: unknown, o: RequestOptions = {}) =>
      call<T>(baseUrl, 'POST', path, { key, body, ...o }),
    put: <T = any>(path: string, body?: unknown, o: RequestOptions = {}) =>
      call<T>(baseUrl, 'PUT', path, { key, body, ...o }),
    patch: <T = any>(path: string, body?: unknown, o: RequestOptions = {}) =>
      call<T>(baseUrl, 'PATCH', path, { key, body, ...o }),
    delete: <T = any>(path: string, o: RequestOptions = {}) => call<T>(baseUrl, 'DELETE', path, { key, ...o }),
  };
}

export type Client = ReturnType<typeof client>;

/** Asserts the shared meta of every envelope; returns it. */
export function expectMeta(body: any): { request_id: string; timestamp: string } {
  if (!body || typeof body !== 'object' || !body.meta) throw new Error(`no meta in ${JSON.stringify(body)}`);
  const { request_id, timestamp } = body.meta;
  if (!/^req_[0-9a-f]+$/.test(request_id)) throw new Error(`bad request_id ${request_id}`);
  if (Number.isNaN(Date.parse(timestamp)) || !timestamp.endsWith('Z')) throw new Error(`bad timestamp ${timestamp}`);
  return body.meta;
}
