/* The one HTTP client of the piece: base URL and key from the connection, JSON in and out, and
   the API's own error message when it answers with an error. Calls name a route of the API's
   document (`paths` of the generated api.ts), which types their parameters, body and answer. */
import type { paths } from './api';
import type { Session } from './contract';

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

type Query = Record<string, string | number | boolean | readonly string[] | null | undefined>;

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

// ---- typed calls: a route of the document, its parameters, body and answer ---------------------

type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';
/** The routes that answer `method`. */
export type Route<M extends Method> = { [P in keyof paths]: paths[P][M] extends undefined ? never : P }[keyof paths];
type Operation<M extends Method, P extends Route<M>> = NonNullable<paths[P][M]>;
type OperationParameters<O> = O extends { parameters: infer X } ? X : never;
type PathParameters<O> = OperationParameters<O> extends { path: infer X } ? X : never;
/** Query parameters by their names; a list is sent comma-separated, as the API reads lists. */
type QueryParameters<O> = OperationParameters<O> extends { query?: infer X }
  ? { [K in keyof NonNullable<X>]?: NonNullable<X>[K] | readonly string[] }
  : never;
type HeaderParameters<O> = OperationParameters<O> extends { header?: infer X } ? NonNullable<X> : never;
type JsonBody<O> = O extends { requestBody?: infer R }
  ? [NonNullable<R>] extends [never] ? never : NonNullable<R> extends { content: { 'application/json': infer B } } ? B : never
  : never;
type JsonContent<R> = R extends { content: { 'application/json': infer B } } ? B : null;
/** What a successful call answers: the body of its 200 or 201, null for a 204. */
export type Success<O> = O extends { responses: infer R }
  ? R extends { 200: infer A } ? JsonContent<A> : R extends { 201: infer A } ? JsonContent<A> : null
  : never;

/** The query parameters of a route, by their names. */
export type QueryOf<M extends Method, P extends Route<M>> = QueryParameters<Operation<M, P>>;
export type TicketSearch = QueryOf<'get', '/v1/ce/projects/{project_id}/tickets'>;

export type CallOptions<O> = ([PathParameters<O>] extends [never] ? { path?: never } : { path: PathParameters<O> }) &
  ([JsonBody<O>] extends [never] ? { body?: never } : { body: JsonBody<O> }) & {
    query?: QueryParameters<O>;
    headers?: Partial<HeaderParameters<O>>;
    timeoutMs?: number;
  };

const MISSING: Record<string, string> = {
  project_id: 'Choose a project',
  ticket_id: 'A ticket id or key (such as OPS-42) is needed',
};

/** The route with its path parameters filled in. */
export function routePath(route: string, parameters: Record<string, unknown> | undefined): string {
  return route.replace(/\{(\w+)\}/g, (_, name: string) => {
    const value = String(parameters?.[name] ?? '').trim();
    if (!value) throw new TicketryError(MISSING[name] ?? `${name} is needed`, null);
    return encodeURIComponent(value);
  });
}

export async function call<M extends Method, P extends Route<M>>(
  auth: unknown,
  method: M,
  route: P,
  options: CallOptions<Operation<M, P>>,
): Promise<Answer<Success<Operation<M, P>>>> {
  const { path, body, query, headers, timeoutMs } = options as {
    path?: Record<string, unknown>; body?: unknown; query?: Query; headers?: Record<string, string>; timeoutMs?: number;
  };
  return request<Success<Operation<M, P>>>(auth, method.toUpperCase(), routePath(route, path), { body, query, headers, timeoutMs });
}

export const api = {
  get: async <P extends Route<'get'>>(auth: unknown, route: P, options: CallOptions<Operation<'get', P>>) =>
    (await call(auth, 'get', route, options)).body,
  post: async <P extends Route<'post'>>(auth: unknown, route: P, options: CallOptions<Operation<'post', P>>) =>
    (await call(auth, 'post', route, options)).body,
  patch: async <P extends Route<'patch'>>(auth: unknown, route: P, options: CallOptions<Operation<'patch', P>>) =>
    (await call(auth, 'patch', route, options)).body,
  /** Deleting what is already gone is fine. */
  deleteIfPresent: async <P extends Route<'delete'>>(auth: unknown, route: P, options: CallOptions<Operation<'delete', P>>): Promise<boolean> => {
    try {
      await call(auth, 'delete', route, options);
      return true;
    } catch (error) {
      if (error instanceof TicketryError && error.status === 404) return false;
      throw error;
    }
  },
};

// ---- who the connection is -------------------------------------------------------------------

// One call per connection object: the engine hands each step run its own, so a run asks once
// however many times its props and steps need the answer.
const sessions = new WeakMap<object, Promise<Session>>();

/** Who the connection's key is and the projects it reaches (`GET /v1/ce/session`): the piece
 * never reads anything into the key itself. */
export function sessionOf(auth: unknown, timeoutMs?: number): Promise<Session> {
  const load = () => call(auth, 'get', '/v1/ce/session', { timeoutMs }).then((answer) => answer.body);
  if (typeof auth !== 'object' || auth === null) return load();
  let session = sessions.get(auth);
  if (!session) {
    session = load();
    sessions.set(auth, session);
    session.catch(() => sessions.delete(auth));
  }
  return session;
}
