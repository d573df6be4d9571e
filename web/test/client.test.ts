import { answer, signedIn, signedOut } from "./browser";
import assert from "node:assert/strict";
import { beforeEach, test } from "node:test";
import { ApiError } from "../src/api/client";
import { getProject } from "../src/api/people";
import { getTicket } from "../src/api/tickets";
import { useFetch } from "../src/api/client";
import { session } from "../src/session";
import { signInMessage } from "../src/state/session";

beforeEach(() => {
  signedOut();
  signInMessage.value = null;
});

test("a call names the project shown in the path", async () => {
  signedIn();
  const calls = answer(() => ({ body: { id: "t1" }, headers: { ETag: '"3"' } }));
  const reply = await getTicket("OPS-1");
  assert.equal(calls[0].method, "GET");
  assert.equal(calls[0].path, "/v1/ce/projects/p1/tickets/OPS-1");
  assert.equal(reply.etag, '"3"');
  assert.deepEqual(reply.body, { id: "t1" });
});

test("an error body becomes an ApiError naming its fields", async () => {
  signedIn();
  answer(() => ({ status: 400, body: { error: { code: "invalid", message: "bad title", details: [{ field: "title.0", message: "too long" }] } } }));
  const error = await getTicket("OPS-1").catch((caught) => caught);
  assert.ok(error instanceof ApiError);
  assert.equal(error.status, 400);
  assert.equal(error.code, "invalid");
  assert.equal(error.message, "bad title");
  assert.equal(error.forField("title"), "too long");
  assert.notEqual(session.value, null, "a 400 keeps the session");
});

test("an answer without an error body is named by its status", async () => {
  signedIn();
  useFetch(async () => new Response("gateway trouble", { status: 502 }));
  const error = await getTicket("OPS-1").catch((caught) => caught);
  assert.equal(error.message, "the server answered 502");
  assert.equal(error.code, "error");
});

test("a missing ticket keeps the session and the page", async () => {
  signedIn();
  answer(() => undefined);
  await assert.rejects(getTicket("OPS-404"), (error: ApiError) => error.status === 404);
  assert.notEqual(session.value, null);
  assert.equal(location.pathname, "/projects/p1");
});

test("a throttled answer says how long to wait", async () => {
  signedIn();
  answer(() => ({ status: 429, body: { error: { code: "rate_limited", message: "slow down", details: [] } }, headers: { "Retry-After": "17" } }));
  await assert.rejects(getProject(), (error: ApiError) => error.status === 429 && error.retryAfter === 17);
});

test("a network failure is said as such", async () => {
  signedIn();
  useFetch(async () => {
    throw new TypeError("Failed to fetch");
  });
  await assert.rejects(getTicket("OPS-1"), (error: ApiError) => error.status === 0 && /could not be reached/.test(error.message));
});
