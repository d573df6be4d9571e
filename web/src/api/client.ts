// The one client of the API, typed by the contract: every call carries the browser's session cookie
// (same origin, never a key the page could read), and answers become the body the caller asked for
// or the ApiError the UI shows.
import createClient, { type Client } from "openapi-fetch";
import { activeProject } from "../session";
import type { components, paths } from "./schema";

export type Schemas = components["schemas"];
export type FieldError = Schemas["ErrorDetail"];

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: FieldError[] = [],
    /** Seconds to wait before trying again, when the API said so (429). */
    readonly retryAfter: number | null = null,
  ) {
    super(message);
  }

  /** The API's message for one field (body fields are named without a prefix). */
  forField(field: string): string | undefined {
    return this.details.find((detail) => detail.field === field || detail.field.startsWith(field + "."))?.message;
  }
}

/** What the UI shows for anything that went wrong: the API's own message, or the error's. */
export function messageOf(error: unknown): string {
  return error instanceof ApiError ? error.message : String(error);
}

/** An ApiError for anything thrown, for views that show a failure's status. */
export function asApiError(error: unknown): ApiError {
  return error instanceof ApiError ? error : new ApiError(0, "error", String(error));
}

export interface Reply<T> {
  body: T;
  etag: string | null;
  status: number;
}

/**
 * Told when the API no longer accepts the session: it ended or expired (401, with the API's code),
 * the account left the project (its own project answers 404), or the project asks for single sign-on.
 */
type Handlers = { signedOut: (code: string) => void; leftProject: () => void; ssoRequired: () => void };
let handlers: Handlers = { signedOut: () => {}, leftProject: () => {}, ssoRequired: () => {} };
export function onSessionTrouble(next: Handlers): void {
  handlers = next;
}

let client: Client<paths> | null = null;
let fetcher: ((request: Request) => Promise<Response>) | undefined;

/** The client; addresses are relative to the app's root (the page's <base>), so it works under a stage prefix. */
export function http(): Client<paths> {
  if (!client) {
    client = createClient<paths>({
      baseUrl: new URL(".", document.baseURI).href,
      cache: "no-store",
      credentials: "same-origin",
      fetch: fetcher && ((request) => fetcher!(request)),
    });
  }
  return client;
}

/** Sends requests elsewhere than the network (unit tests). */
export function useFetch(next: ((request: Request) => Promise<Response>) | undefined): void {
  fetcher = next;
  client = null;
}

/** The project the page shows, for every path that names one. */
export function inProject(): { project_id: string } {
  return { project_id: activeProject() ?? "" };
}

type Answer<T> = { data?: T; error?: unknown; response: Response };

/**
 * Runs one call and answers its body, or throws the ApiError the UI shows. `projectItself`: a 404
 * means the project is not the account's (any more), not that something in it is missing.
 * `signedOutIsAnAnswer`: a 401 is what the caller asked to know, not a reason to leave the page.
 */
export async function send<T>(
  call: () => Promise<Answer<T>>,
  options: { projectItself?: boolean; signedOutIsAnAnswer?: boolean } = {},
): Promise<Reply<T>> {
  let answer: Answer<T>;
  try {
    answer = await call();
  } catch {
    throw new ApiError(0, "network", "Ticketry could not be reached; check your connection and try again");
  }
  const { response } = answer;
  if (!response.ok) {
    const body = answer.error as { error?: Partial<Schemas["ErrorInfo"]>; message?: string } | string | undefined;
    const error = (typeof body === "object" && body?.error) || {};
    const code = error.code ?? "error";
    if (response.status === 401 && !options.signedOutIsAnAnswer) handlers.signedOut(code);
    else if (response.status === 404 && options.projectItself) handlers.leftProject();
    else if (response.status === 403 && code === "sso_required") handlers.ssoRequired();
    const retryAfter = Number.parseInt(response.headers.get("Retry-After") ?? "", 10);
    throw new ApiError(
      response.status,
      code,
      error.message ?? (typeof body === "object" ? body?.message : undefined) ?? `the server answered ${response.status}`,
      error.details ?? [],
      Number.isFinite(retryAfter) ? retryAfter : null,
    );
  }
  return { body: answer.data as T, etag: response.headers.get("ETag"), status: response.status };
}
