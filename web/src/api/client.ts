// The one client of the API, typed by the contract: the key on every call, and answers turned into
// the body the caller asked for or the ApiError the UI shows.
import createClient, { type Client } from "openapi-fetch";
import { currentSession } from "../session";
import type { components, paths } from "./schema";

export type Schemas = components["schemas"];
export type FieldError = Schemas["ErrorDetail"];

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

/** Told when the API refuses this tab's key: the key is wrong, revoked, or never was one. */
type Refusal = () => void;
type Handlers = { refused: Refusal; signedOut: Refusal };
let handlers: Handlers = { refused: () => {}, signedOut: () => {} };
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
      fetch: fetcher && ((request) => fetcher!(request)),
    });
    client.use({
      onRequest({ request }) {
        const session = currentSession();
        if (session && !request.headers.has("Authorization")) request.headers.set("Authorization", `Bearer ${session.key}`);
        return request;
      },
    });
  }
  return client;
}

/** Sends requests elsewhere than the network (unit tests). */
export function useFetch(next: ((request: Request) => Promise<Response>) | undefined): void {
  fetcher = next;
  client = null;
}

/** The project of this tab's session, for every path that names one. */
export function inProject(): { project_id: string } {
  return { project_id: currentSession()?.projectId ?? "" };
}

type Answer<T> = { data?: T; error?: unknown; response: Response };

/**
 * Runs one call and answers its body, or throws the ApiError the UI shows. `wrongKeyWhenMissing`:
 * a 404 means the key's own project is gone, so the key is as good as wrong.
 */
export async function send<T>(call: () => Promise<Answer<T>>, options: { wrongKeyWhenMissing?: boolean } = {}): Promise<Reply<T>> {
  if (!currentSession()) {
    handlers.signedOut();
    throw new ApiError(401, "signed_out", "sign in first");
  }
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
    // A key that works is never answered too_many_wrong_keys: this one is wrong too.
    if (response.status === 401 || (response.status === 404 && options.wrongKeyWhenMissing) || error.code === "too_many_wrong_keys") {
      handlers.refused();
    }
    throw new ApiError(
      response.status,
      error.code ?? "error",
      error.message ?? (typeof body === "object" ? body?.message : undefined) ?? `the server answered ${response.status}`,
      error.details ?? [],
    );
  }
  return { body: answer.data as T, etag: response.headers.get("ETag"), status: response.status };
}
