import { answer, sessionAnswer, signedIn } from "./browser";
import assert from "node:assert/strict";
import { beforeEach, test } from "node:test";
import { session } from "../src/session";
import { createMembers } from "../src/state/members";
import { notice } from "../src/state/notice";
import { createProfile, describeAgent } from "../src/state/profile";
import { signInMessage } from "../src/state/session";

beforeEach(() => {
  signedIn();
  notice.value = null;
});

const sessions = [
  { id: "s0", current: false, created_at: "2026-12-01T09:00:00Z", last_used_at: "2026-12-01T09:00:00Z", ip: "10.0.0.2", user_agent: "curl/8.5.0", device: null, method: "link" },
  { id: "s1", current: true, created_at: "2026-12-02T09:00:00Z", last_used_at: "2026-12-02T10:00:00Z", ip: "10.0.0.1", user_agent: null, device: "Firefox on Linux", method: "email_code" },
  { id: "s2", current: false, created_at: "2026-12-03T09:00:00Z", last_used_at: "2026-12-03T09:00:00Z", ip: null, user_agent: null, device: null, method: "oidc:corp" },
];

test("the profile lists this browser first, then the most recently used, and signs others out one by one", async () => {
  const calls = answer((call) => {
    if (call.path === "/v1/ce/account") return { body: { id: "a1", email: "ana@example.com", name: call.body?.name ?? "Ana", created_at: "2026-11-01T00:00:00Z", last_sign_in_at: null } };
    if (call.path === "/v1/ce/sessions") return { body: { sessions } };
    if (call.method === "DELETE") return { status: 204 };
    return undefined;
  });
  const profile = createProfile();
  await profile.load();
  assert.deepEqual(profile.sessions.value?.map((each) => each.id), ["s1", "s2", "s0"]);
  assert.equal(profile.name.value, "Ana");

  await profile.end(profile.sessions.value![2]);
  assert.equal(calls.at(-1)!.path, "/v1/ce/sessions/s0");
  assert.deepEqual(profile.sessions.value?.map((each) => each.id), ["s1", "s2"]);
  assert.equal(notice.value?.text, "Signed out curl");

  profile.name.value = "  ";
  assert.equal(await profile.saveName(), false);
  assert.equal(profile.nameProblem.value, "Enter your name");
  profile.name.value = " Ana María ";
  assert.equal(await profile.saveName(), true);
  assert.deepEqual(calls.at(-1)!.body, { name: "Ana María" });
  assert.equal(session.value?.principal.name, "Ana María", "the top bar shows the new name");
});

test("signing out everywhere ends the other sessions, then this one, and leaves for the sign-in page", async () => {
  const calls = answer((call) => (call.method === "DELETE" ? { status: 204 } : undefined));
  await createProfile().endEverywhere();
  assert.deepEqual(calls.map((call) => `${call.method} ${call.path}`), ["DELETE /v1/ce/sessions", "DELETE /v1/ce/session"]);
  assert.equal(session.value, null);
  assert.equal(location.pathname, "/sign-in");
  assert.match(signInMessage.value ?? "", /every device/);
});

test("a device is named from its browser's user agent when the API does not name it", () => {
  assert.equal(describeAgent("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36"), "Chrome on Linux");
  assert.equal(describeAgent("Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1"), "Safari on iOS");
  assert.equal(describeAgent("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0"), "Edge on Windows");
  assert.equal(describeAgent(null), "Unknown device");
});

const member = (fields: Record<string, unknown>) => ({
  user_id: "u9", email: "bea@example.com", name: "Bea", role: "member", account_id: "a9", state: "invited", last_sign_in_at: null, ...fields,
});

test("members: adding by email invites, withdrawing removes the invitation, a member twice is said at the email", async () => {
  let members = [member({ user_id: "u1", email: "ana@example.com", name: "Ana Ortiz", role: "admin", state: "active", last_sign_in_at: "2026-12-01T00:00:00Z" })];
  const calls = answer((call) => {
    if (call.path === "/v1/ce/projects/p1/members" && call.method === "GET") return { body: { data: members } };
    if (call.path === "/v1/ce/projects/p1/members" && call.method === "POST") {
      if (call.body.email === "ana@example.com") return { status: 409, body: { error: { code: "conflict", message: "already a member", details: [] } } };
      const added = member({ email: call.body.email, name: call.body.name ?? "", role: call.body.role });
      members = [...members, added];
      return { status: 201, body: added };
    }
    if (call.path === "/v1/ce/projects/p1/members/u9/invitation" && call.method === "DELETE") return { status: 204 };
    if (call.path === "/v1/ce/session") return { body: sessionAnswer() };
    return undefined;
  });
  const state = createMembers();
  await state.load();
  assert.equal(state.members.value?.length, 1);

  await state.add();
  assert.equal(state.problems.value.email, "Enter the person's email address");
  state.email.value = " bea@example.com ";
  state.role.value = "viewer";
  assert.equal(await state.add(), true);
  assert.deepEqual(calls.at(-1)!.body, { email: "bea@example.com", role: "viewer" }, "an empty name is left out");
  assert.deepEqual(state.members.value?.map((each) => each.email), ["ana@example.com", "bea@example.com"]);
  assert.equal(notice.value?.text, "Invitation sent to bea@example.com");
  assert.equal(state.email.value, "");
  assert.equal(state.role.value, "member");

  state.email.value = "ana@example.com";
  assert.equal(await state.add(), false);
  assert.equal(state.problems.value.email, "This person is a member already");

  await state.withdraw(state.members.value!.find((each) => each.user_id === "u9")!);
  assert.equal(calls.at(-1)!.path, "/v1/ce/projects/p1/members/u9/invitation");
  assert.deepEqual(state.members.value?.map((each) => each.user_id), ["u1"]);
});

test("members: a page for admins only", async () => {
  answer(() => ({ status: 403, body: { error: { code: "forbidden", message: "admins only", details: [] } } }));
  const state = createMembers();
  await state.load();
  assert.equal(state.forbidden.value, true);
});
