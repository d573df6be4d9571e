/* The one HTTP client of the piece: base URL and key from the connection, JSON in and out, and
   the API's own error message when it answers with an error. */

export type TicketryConnection = { base_url: string; api_key: string };

export class TicketryError extends Error {
  constructor(
    message: string,
    readonly status: number | null,
    readonly code: string | null = null,
    readonly body: unknown = null,
  ) {
    super(message);
    this.name = 'TicketryError';
  }
}

type Query = Record<string, string | number | boolean | string[] | null | undefined>;

export type RequestOptions = {
  body?: unknown;
  query?: Query;
  headers?: Record<string, string>;
  timeoutMs?: number;
};

export type Answer<T> = { status: number; body: T; headers: Record<string, string> };

const DEFAULT_TIMEOUT_MS = 30_000;

/** Accepts what the engine passes around: `{type: 'CUSTOM_AUTH', props}` in actions, triggers and
 * dropdowns, the bare props in `validate`. */
export function connectionOf(auth: unknown): TicketryConnection {
  const value = (auth ?? {}) as Record<string, unknown>;
  const props = (value['props'] && typeof value['props'] === 'object' ? value['props'] : value) as Record<string, unknown>;
  const baseUrl = String(props['base_url'] ?? '').trim().replace(/\/+$/, '');
  const apiKey = String(props['api_key'] ?? '').trim();
  if (!baseUrl || !apiKey) {
    throw new TicketryError('The Ticketry connection needs a base URL and an API key', null);
  }
  if (!/^https?:\/\/[^/]+/i.test(baseUrl)) {
    throw new TicketryError(`The base URL must start with http:// or https:// (got "${baseUrl}")`, null);
  }
  return { base_url: baseUrl, api_key: apiKey };
}

/** The project a key belongs to: keys are `tkt_<project id>_<key id>_<secret>`. */
export function keyProjectId(apiKey: string): string | null {
  const match = /^tkt_([A-Za-z0-9]+)_/.exec(apiKey);
  return match ? match[1] : null;
}

export function projectPath(projectId: string, rest = ''): string {
  if (!projectId) {
    throw new TicketryError('Choose a project', null);
  }
  return `/v1/ce/projects/${encodeURIComponent(projectId)}${rest}`;
}

export function ticketPath(projectId: string, ticketId: string, rest = ''): string {
  const id = String(ticketId ?? '').trim();
  if (!id) {
    throw new TicketryError('A ticket id or key (such as OPS-42) is needed', null);
  }
  return projectPath(projectId, `/tickets/${encodeURIComponent(id)}${rest}`);
}

function queryString(query: Query | undefined): string {
  if (!query) return '';
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) {
    if (value === undefined || value === null || value === '') continue;
    if (Array.isArray(value)) {
      if (value.length) params.set(name, value.join(','));
    } else {
      params.set(name, String(value));
    }
  }
  const text = params.toString();
  return text ? `?${text}` : '';
}

function apiMessage(status: number, body: unknown): { message: string; code: string | null } {
  const error = (body as { error?: { code?: string; message?: string } } | null)?.error;
  if (error && typeof error.message === 'string') {
    return { message: error.message, code: error.code ?? null };
  }
  const text = typeof body === 'string' && body ? body.slice(0, 300) : `HTTP ${status}`;
  return { message: text, code: null };
}

export async function request<T = any>(
  auth: unknown,
  method: string,
  path: string,
  options: RequestOptions = {},
): Promise<Answer<T>> {
  const connection = connectionOf(auth);
  const url = `${connection.base_url}${path}${queryString(options.query)}`;
  const headers: Record<string, string> = {
    Authorization: `Bearer ${connection.api_key}`,
    Accept: 'application/json',
    ...options.headers,
  };
  let payload: string | undefined;
  if (options.body !== undefined) {
    headers['Content-Type'] = 'application/json';
    payload = JSON.stringify(options.body);
  }
  let response: Response;
  try {
    response = await fetch(url, {
      method,
      headers,
      body: payload,
      redirect: 'manual',
      signal: AbortSignal.timeout(options.timeoutMs ?? DEFAULT_TIMEOUT_MS),
    });
  } catch (error) {
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    const reason = cause?.code ?? cause?.message ?? (error as Error).message;
    throw new TicketryError(`Could not reach Ticketry at ${connection.base_url} (${reason})`, null);
  }
  const text = await response.text();
  let body: unknown = text;
  if (text && (response.headers.get('content-type') ?? '').includes('json')) {
    try {
      body = JSON.parse(text);
    } catch {
      body = text;
    }
  } else if (!text) {
    body = null;
  }
  if (!response.ok) {
    const { message, code } = apiMessage(response.status, body);
    throw new TicketryError(`Ticketry answered ${response.status}${code ? ` ${code}` : ''}: ${message}`, response.status, code, body);
  }
  const answerHeaders: Record<string, string> = {};
  response.headers.forEach((value, name) => {
    answerHeaders[name] = value;
  });
  return { status: response.status, body: body as T, headers: answerHeaders };
}

export const api = {
  get: async <T = any>(auth: unknown, path: string, query?: Query) => (await request<T>(auth, 'GET', path, { query })).body,
  post: async <T = any>(auth: unknown, path: string, body: unknown, headers?: Record<string, string>) =>
    (await request<T>(auth, 'POST', path, { body, headers })).body,
  patch: async <T = any>(auth: unknown, path: string, body: unknown) => (await request<T>(auth, 'PATCH', path, { body })).body,
  /** Deleting what is already gone is fine. */
  deleteIfPresent: async (auth: unknown, path: string): Promise<boolean> => {
    try {
      await request(auth, 'DELETE', path);
      return true;
    } catch (error) {
      if (error instanceof TicketryError && error.status === 404) return false;
      throw error;
    }
  },
};
