import { answer, sessionAnswer, signedOut } from "./browser";
import assert from "node:assert/strict";
import { beforeEach, test } from "node:test";
import { navigate } from "../src/router";
import { currentSession, reaches } from "../src/session";
import { signIn, signInMessage, signOut, takeHandedOverKey } from "../src/state/session";

beforeEach(() => {
  signedOut();
  signInMessage.value = null;
  navigate("ui", { replace: true });
});

test("signing in asks the API who the key is and works in the project it reaches", async () => {
  const calls = answer((call) => (call.path === "/v1/ce/session" ? { body: sessionAnswer("proj9") } : undefined));
  // Nothing in the key names its project: the API's answer does.
  assert.equal(await signIn("  tkt_anything_at_all  "), null);
  assert.equal(calls.length, 1);
  assert.equal(calls[0].headers.get("Authorization"), "Bearer tkt_anything_at_all");
  const session = currentSession()!;
  assert.equal(session.key, "tkt_anything_at_all");
  assert.equal(session.projectId, "proj9");
  assert.equal(reaches(session, "proj9"), true);
  assert.equal(reaches(session, "p1"), false);
  assert.equal(location.pathname, "/projects/proj9");

  signOut();
  assert.equal(currentSession(), null);
  assert.equal(sessionStorage.getItem("ticketry.session"), null);
  assert.equal(location.pathname, "/ui");
});

test("a refused key is not kept, and a throttled one says when to try again", async () => {
  answer(() => ({ status: 401, body: { error: { code: "unauthorized", message: "no", details: [] } } }));
  assert.match((await signIn("tkt_wrong")) ?? "", /not accepted/);
  assert.equal(currentSession(), null);
  answer(() => ({ status: 429, body: { error: { code: "too_many_wrong_keys", message: "slow down", details: [] } }, headers: { "Retry-After": "17" } }));
  assert.match((await signIn("tkt_wrong")) ?? "", /try again in 17 seconds/);
  assert.equal(currentSession(), null);
});

test("text that is no key at all is refused without asking", async () => {
  const calls = answer(() => ({ body: sessionAnswer() }));
  assert.match((await signIn("hello")) ?? "", /keys start with tkt_/);
  assert.equal(calls.length, 0);
});

test("a sign-in link's key is kept once accepted and leaves the sign-in page for the project", async () => {
  answer(() => ({ body: sessionAnswer("p7") }));
  history.replaceState(null, "", "/ui#key=tkt_handed");
  await takeHandedOverKey();
  assert.equal(location.hash, "");
  assert.equal(currentSession()?.projectId, "p7");
  assert.equal(location.pathname, "/projects/p7");
});

test("a sign-in link with a refused key ends on the sign-in page saying so", async () => {
  answer(() => ({ status: 401, body: { error: { code: "unauthorized", message: "no", details: [] } } }));
  history.replaceState(null, "", "/projects/p1#key=tkt_revoked");
  await takeHandedOverKey();
  assert.equal(currentSession(), null);
  assert.equal(location.pathname, "/ui");
  assert.match(signInMessage.value ?? "", /not accepted/);
});
