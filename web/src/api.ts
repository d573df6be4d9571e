// Every call to the API: the key, JSON, errors with the fields they name, and what a 401 means.
import { currentSession, endSession } from "./session";
import { signInMessage } from "./state";
import { navigate } from "./router";

export interface FieldError {
  field: string;
  message: string;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: FieldError[] = [],
  ) {
    super(message);
  }

  /** The API's message for one field (body fields are named without a prefix). */
  forField(field: string): string | undefined {
    return this.details.find((detail) => detail.field === field || detail.field.startsWith(field + "."))?.message;
  }
}

export interface Reply<T> {
  body: T;
  etag: string | null;
  status: number;
}

type Query = Record<string, string | number | undefined | null>;

function withQuery(path: string, query?: Query): string {
  if (!query) return path;
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) {
    if (value !== undefined && value !== null && value !== "") params.set(name, String(value));
  }
  const text = params.toString();
  return text ? `${path}?${text}` : path;
}

export async function request<T>(
  method: string,
  path: string,
  options: { body?: unknown; query?: Query; headers?: Record<string, string> } = {},
): Promise<Reply<T>> {
  const session = currentSession();
  if (!session) {
    navigate("ui", { replace: true });
    throw new ApiError(401, "signed_out", "sign in first");
  }
  const headers: Record<string, string> = { Authorization: `Bearer ${session.key}`, ...options.headers };
  if (options.body !== undefined) headers["Content-Type"] = "application/json";
  let response: Response;
  try {
    response = await fetch(withQuery(`v1/ce/projects/${session.projectId}${path}`, options.query), {
      method,
      headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      cache: "no-store",
    });
  } catch {
    throw new ApiError(0, "network", "Ticketry could not be reached; check your connection and try again");
  }
  const text = await response.text();
  let body: any = null;
  if (text) {
    try {
      body = JSON.parse(text);
    } catch {
      body = null;
    }
  }
  if (!response.ok) {
    const error = body?.error ?? {};
    // A key that works is never answered too_many_wrong_keys: this one is wrong too.
    if (response.status === 401 || (response.status === 404 && path === "") || error.code === "too_many_wrong_keys") {
      endSession();
      signInMessage.value = "Your API key was not accepted: it may be wrong or revoked. Sign in with a valid key.";
      navigate("ui", { replace: true });
    }
    throw new ApiError(
      response.status,
      error.code ?? "error",
      error.message ?? body?.message ?? `the server answered ${response.status}`,
      error.details ?? [],
    );
  }
  return { body: body as T, etag: response.headers.get("ETag"), status: response.status };
}

export const api = {
  get: <T>(path: string, query?: Query) => request<T>("GET", path, { query }),
  post: <T>(path: string, body: unknown, headers?: Record<string, string>) => request<T>("POST", path, { body, headers }),
  patch: <T>(path: string, body: unknown, headers?: Record<string, string>) =>
    request<T>("PATCH", path, { body, headers }),
  put: <T>(path: string, body: unknown) => request<T>("PUT", path, { body }),
  delete: <T>(path: string) => request<T>("DELETE", path),
};
