// What the state modules need of a browser, in node: an address, history, session storage and timers,
// and the API answered by a test's own handler instead of the network. Imported first by every test.
import { useFetch } from "../src/api/client";

const BASE = "http://ticketry.test/";
const address = new URL(BASE + "ui");

class Storage {
  private items = new Map<string, string>();
  getItem(key: string) {
    return this.items.get(key) ?? null;
  }
  setItem(key: string, value: string) {
    this.items.set(key, String(value));
  }
  removeItem(key: string) {
    this.items.delete(key);
  }
  clear() {
    this.items.clear();
  }
}

const go = (_state: unknown, _title: string, url: string) => {
  const next = new URL(url, BASE);
  address.pathname = next.pathname;
  address.search = next.search;
  address.hash = next.hash;
};

// A notice's timer would keep node running for seconds after the last test.
const setTimer = globalThis.setTimeout;
const unrefTimer = ((...args: Parameters<typeof setTimeout>) => {
  const timer = setTimer(...args);
  timer.unref?.();
  return timer;
}) as typeof setTimeout;

Object.assign(globalThis, {
  setTimeout: unrefTimer,
  window: globalThis,
  location: {
    get pathname() { return address.pathname; },
    get search() { return address.search; },
    get hash() { return address.hash; },
    get origin() { return address.origin; },
    get href() { return address.href; },
    assign: go.bind(null, null, ""),
  },
  document: { baseURI: BASE, hidden: false },
  history: { pushState: go, replaceState: go },
  sessionStorage: new Storage(),
  addEventListener: () => {},
  scrollTo: () => {},
});

export interface Call {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: Headers;
  body: any;
}

export type Handler = (call: Call) => { status?: number; body?: unknown; headers?: Record<string, string> } | undefined;

/** Answers the API's requests with `handler`; every request is recorded in the list returned. */
export function answer(handler: Handler): Call[] {
  const calls: Call[] = [];
  useFetch(async (request) => {
    const url = new URL(request.url);
    const text = await request.text();
    const call = { method: request.method, path: url.pathname, query: url.searchParams, headers: request.headers, body: text ? JSON.parse(text) : undefined };
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

/** What GET /v1/ce/session answers for a key of project p1. */
export function sessionAnswer(projectId = "p1") {
  return {
    principal: { kind: "api_key", key_id: "k1", actor: "u1", user_id: "u1", name: "Ana Ortiz", email: "ana@example.com" },
    projects: [{ id: projectId, key: "OPS", name: "Operations", role: "admin" }],
  };
}

/** Signs this "tab" in with a key of project p1, as signing in leaves it. */
export function signedIn(key = "tkt_secret") {
  sessionStorage.setItem("ticketry.api_key", key);
  sessionStorage.setItem("ticketry.session", JSON.stringify(sessionAnswer()));
  return key;
}

export function signedOut() {
  sessionStorage.clear();
}

export function ticket(n: number, fields: Record<string, unknown> = {}) {
  return {
    id: `t${n}`, number: n, key: `OPS-${n}`, project_id: "p1", title: `Ticket ${n}`, description: "", status: "new",
    severity: "medium", created_at: "2026-12-01T10:00:00+00:00", updated_at: "2026-12-01T10:00:00+00:00",
    resolved_at: null, due_date: null, reporter: "u1", assignee: null, source: "api", tags: [], dedup_key: null,
    version: 1, sla: null, ...fields,
  };
}
