import { answer, signedIn, signedOut } from "./browser";
import assert from "node:assert/strict";
import { beforeEach, test } from "node:test";
import { ApiError } from "../src/api/client";
import { getProject } from "../src/api/people";
import { getTicket } from "../src/api/tickets";
import { useFetch } from "../src/api/client";
import { currentSession } from "../src/session";
import { signInMessage } from "../src/state/session";

beforeEach(() => {
  signedOut();
  signInMessage.value = null;
});

test("a call carries the tab's key and names the key's project in the path", async () => {
  const key = signedIn();
  const calls = answer(() => ({ body: { id: "t1" }, headers: { ETag: '"3"' } }));
  const reply = await getTicket("OPS-1");
  assert.equal(calls[0].method, "GET");
  assert.equal(calls[0].path, "/v1/ce/projects/p1/tickets/OPS-1");
  assert.equal(calls[0].headers.get("Authorization"), `Bearer ${key}`);
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
  assert.equal(currentSession()?.projectId, "p1", "a 400 keeps the session");
});

test("an answer without an error body is named by its status", async () => {
  signedIn();
  useFetch(async () => new Response("gateway trouble", { status: 502 }));
  const error = await getTicket("OPS-1").catch((caught) => caught);
  assert.equal(error.message, "the server answered 502");
  assert.equal(error.code, "error");
});

test("a refused key ends the session and says why on the sign-in page", async () => {
  signedIn();
  answer(() => ({ status: 401, body: { error: { code: "unauthorized", message: "no", details: [] } } }));
  await assert.rejects(getTicket("OPS-1"), ApiError);
  assert.equal(currentSession(), null);
  assert.match(signInMessage.value ?? "", /not accepted/);
  assert.equal(location.pathname, "/ui");
});

test("a missing ticket keeps the session, but a missing project of the key's own does not", async () => {
  signedIn();
  answer(() => undefined);
  await assert.rejects(getTicket("OPS-404"), (error: ApiError) => error.status === 404);
  assert.notEqual(currentSession(), null);
  await assert.rejects(getProject(), (error: ApiError) => error.status === 404);
  assert.equal(currentSession(), null);
});

test("a network failure is said as such", async () => {
  signedIn();
  useFetch(async () => {
    throw new TypeError("Failed to fetch");
  });
  await assert.rejects(getTicket("OPS-1"), (error: ApiError) => error.status === 0 && /could not be reached/.test(error.message));
});

test("without a session nothing is sent", async () => {
  const calls = answer(() => ({ body: {} }));
  await assert.rejects(getTicket("OPS-1"), (error: ApiError) => error.code === "signed_out");
  assert.equal(calls.length, 0);
});
