// The API answered by a test's own handler instead of the network, and a browser's address and
// history in node (./globals). Imported first by every test.
import "./globals";
import { useFetch } from "../src/api/client";
import { navigate } from "../src/router";
import { session } from "../src/session";

export interface Call {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: Headers;
  credentials: RequestCredentials;
  body: any;
}

export type Handler = (call: Call) => { status?: number; body?: unknown; headers?: Record<string, string> } | undefined;

/** Answers the API's requests with `handler`; every request is recorded in the list returned. */
export function answer(handler: Handler): Call[] {
  const calls: Call[] = [];
  useFetch(async (request) => {
    const url = new URL(request.url);
    const text = await request.text();
    const call = {
      method: request.method, path: url.pathname, query: url.searchParams, headers: request.headers,
      credentials: request.credentials, body: text ? JSON.parse(text) : undefined,
    };
    calls.push(call);
    const reply = handler(call) ?? { status: 404, body: { error: { code: "not_found", message: "no such thing", details: [] } } };
    const status = reply.status ?? 200;
    return new Response(status === 204 ? null : JSON.stringify(reply.body ?? {}), {
      status,
      headers: { "Content-Type": "application/json", ...reply.headers },
    });
  });
  return calls;
}

/** What GET /v1/ce/session answers for a person signed in to projects p1 (admin) and p2 (viewer). */
export function sessionAnswer(projectId = "p1") {
  return {
    principal: {
      kind: "session" as const, key_id: null, session_id: "s1", account_id: "a1", actor: null, user_id: null,
      name: "Ana Ortiz", email: "ana@example.com",
    },
    projects: [
      { id: projectId, key: "OPS", name: "Operations", role: "admin" as const },
      { id: "p2", key: "WEB", name: "Website", role: "viewer" as const },
    ],
  };
}

/** Signed in, as the API's answer leaves the page, and showing project p1's list. */
export function signedIn() {
  session.value = sessionAnswer();
  navigate("projects/p1", { replace: true });
}

export function signedOut() {
  session.value = null;
}

export function ticket(n: number, fields: Record<string, unknown> = {}) {
  return {
    id: `t${n}`, number: n, key: `OPS-${n}`, project_id: "p1", title: `Ticket ${n}`, description: "", status: "new",
    severity: "medium", created_at: "2026-12-01T10:00:00+00:00", updated_at: "2026-12-01T10:00:00+00:00",
    resolved_at: null, due_date: null, reporter: "u1", assignee: null, source: "api", tags: [], dedup_key: null,
    version: 1, sla: null, requester: null, ...fields,
  };
}
