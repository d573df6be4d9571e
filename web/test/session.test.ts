import { answer, sessionAnswer, signedIn, signedOut } from "./browser";
import assert from "node:assert/strict";
import { beforeEach, test } from "node:test";
import { ApiError } from "../src/api/client";
import { getProject } from "../src/api/people";
import { getTicket } from "../src/api/tickets";
import { appPath, navigate, route } from "../src/router";
import { activeProject, reaches, session } from "../src/session";
import { loadProject, project, projectReady } from "../src/state/project";
import { destination, enter, loadSession, signInMessage, signOut, toSignIn } from "../src/state/session";

const unauthorized = (code = "unauthorized") => ({ status: 401, body: { error: { code, message: "sign in", details: [] } } });

beforeEach(() => {
  signedOut();
  signInMessage.value = null;
  navigate("sign-in", { replace: true });
});

test("who is signed in is the API's answer for the cookie; no cookie is nobody, and stays on the page", async () => {
  const calls = answer(() => ({ body: sessionAnswer("proj9") }));
  await loadSession();
  assert.equal(calls[0].path, "/v1/ce/session");
  assert.equal(session.value?.principal.name, "Ana Ortiz");
  assert.equal(reaches("proj9"), true);
  assert.equal(reaches("elsewhere"), false);

  navigate("profile", { replace: true });
  answer(() => unauthorized());
  await loadSession();
  assert.equal(session.value, null);
  assert.equal(location.pathname, "/profile", "asking who is signed in sends nobody anywhere");
});

test("calls carry no key: the session cookie goes along, same origin only", async () => {
  signedIn();
  const calls = answer(() => ({ body: { id: "t1" } }));
  await getTicket("OPS-1");
  assert.equal(calls[0].headers.get("Authorization"), null);
  assert.equal(calls[0].credentials, "same-origin");
  assert.equal(calls[0].path, "/v1/ce/projects/p1/tickets/OPS-1");
});

test("the project of every call is the one in the address; pages outside a project use the last one shown", async () => {
  signedIn();
  navigate("projects/p2/reports");
  assert.equal(activeProject(), "p2");
  navigate("profile");
  assert.equal(activeProject(), "p2");
  navigate("projects/gone");
  navigate("profile");
  assert.equal(activeProject(), "p1", "a project the account is not in is never used outside its own address");
});

test("a 401 sends the person to sign in, to come back to the page they were on", async () => {
  signedIn();
  navigate("projects/p1/tickets/OPS-7?tab=history");
  answer(() => unauthorized());
  await assert.rejects(getTicket("OPS-7"), (error: ApiError) => error.status === 401);
  assert.equal(session.value, null);
  assert.equal(location.pathname, "/sign-in");
  assert.equal(new URLSearchParams(location.search).get("return_to"), "/projects/p1/tickets/OPS-7?tab=history");
  assert.match(signInMessage.value ?? "", /signed out/);

  // Signing in again lands there.
  answer(() => ({ body: sessionAnswer() }));
  await enter();
  assert.equal(location.pathname + location.search, "/projects/p1/tickets/OPS-7?tab=history");
  assert.equal(signInMessage.value, null);
});

test("an expired session says so", async () => {
  signedIn();
  answer(() => unauthorized("session_expired"));
  await assert.rejects(getTicket("OPS-1"));
  assert.match(signInMessage.value ?? "", /expired/);
  assert.equal(new URLSearchParams(location.search).get("return_to"), "/projects/p1");
});

test("return_to leads only to this app's own pages", () => {
  assert.equal(appPath("/projects/p1/tickets/OPS-1"), "projects/p1/tickets/OPS-1");
  assert.equal(appPath("/projects/p1?status=new&q=disk"), "projects/p1?status=new&q=disk");
  assert.equal(appPath("/profile"), "profile");
  for (const elsewhere of [
    "https://evil.example/projects/p1", "//evil.example/projects/p1", "/\\evil.example", "javascript:alert(1)",
    "projects/p1", "/sign-in?return_to=/profile", "/ui", "/v1/ce/session", "", null, undefined,
  ]) {
    assert.equal(appPath(elsewhere), null, String(elsewhere));
  }
});

test("after signing in: return_to when it is the app's, else the first project", async () => {
  answer(() => ({ body: sessionAnswer("p1") }));
  await loadSession();
  navigate("sign-in?return_to=" + encodeURIComponent("/projects/p2/reports"), { replace: true });
  assert.equal(destination(), "projects/p2/reports");
  navigate("sign-in?return_to=" + encodeURIComponent("https://evil.example/"), { replace: true });
  assert.equal(destination(), "projects/p1");
  navigate("sign-in?return_to=" + encodeURIComponent("//evil.example/x"), { replace: true });
  await enter();
  assert.equal(location.pathname, "/projects/p1");
  assert.equal(route.value.page, "list");
});

test("signing out ends the session at the API and leaves for the sign-in page", async () => {
  signedIn();
  const calls = answer((call) => (call.method === "DELETE" ? { status: 204 } : undefined));
  await signOut();
  assert.deepEqual(calls.map((call) => `${call.method} ${call.path}`), ["DELETE /v1/ce/session"]);
  assert.equal(session.value, null);
  assert.equal(location.pathname, "/sign-in");
  assert.equal(location.search, "");
});

test("a project the account left answers 404, and the session's list of projects is asked again", async () => {
  signedIn();
  const calls = answer((call) => (call.path === "/v1/ce/session" ? { body: { ...sessionAnswer(), projects: [sessionAnswer().projects[1]] } } : undefined));
  await assert.rejects(getProject(), (error: ApiError) => error.status === 404);
  for (let turn = 0; turn < 50 && reaches("p1"); turn += 1) await new Promise((resolve) => setImmediate(resolve));
  assert.ok(calls.some((call) => call.path === "/v1/ce/session"));
  assert.equal(reaches("p1"), false);
  assert.notEqual(session.value, null, "still signed in: only that project is gone");
});

test("a page opened signed out keeps the reason the sign-in page gives", async () => {
  navigate("projects/p1", { replace: true });
  answer(() => { throw new TypeError("offline"); });
  await loadSession();
  assert.match(signInMessage.value ?? "", /could not be reached/);
  toSignIn();
  assert.equal(location.pathname, "/sign-in");
  assert.match(signInMessage.value ?? "", /could not be reached/);
});

test("the addresses of signing in, the profile and the members page", () => {
  const pageAt = (address: string) => {
    navigate(address, { replace: true });
    return route.value;
  };
  assert.deepEqual(pageAt(""), { page: "home" });
  assert.deepEqual(pageAt("ui"), { page: "home" }, "the former sign-in address leads home");
  assert.equal(pageAt("sign-in?email=a%40b.example").page, "signin");
  assert.deepEqual(pageAt("profile"), { page: "profile" });
  assert.deepEqual(pageAt("projects/p%201/members"), { page: "members", projectId: "p 1" });
  assert.deepEqual(pageAt("projects/p1/members/extra"), { page: "missing" });
});

test("a project asking for single sign-on sends the person to sign in with it", async () => {
  signedIn();
  answer(() => ({ status: 403, body: { error: { code: "sso_required", message: "sign in with SSO", details: [] } } }));
  await assert.rejects(getTicket("OPS-1"), (error: ApiError) => error.code === "sso_required");
  assert.equal(location.pathname, "/sign-in");
  assert.equal(new URLSearchParams(location.search).get("return_to"), "/projects/p1");
  assert.match(signInMessage.value ?? "", /single sign-on/);
});

test("a project's load on its way is shared: the page's start and its frame send its calls once", async () => {
  signedIn();
  const calls = answer((call) => (call.path === "/v1/ce/projects/p1" ? { body: { id: "p1", name: "Operations" } } : { body: { members: [], teams: [] } }));
  await Promise.all([loadProject(), loadProject()]);
  assert.equal(calls.filter((call) => call.path === "/v1/ce/projects/p1").length, 1);
  assert.equal(project.value?.id, "p1");
  await loadProject();
  assert.equal(calls.filter((call) => call.path === "/v1/ce/projects/p1").length, 2, "a later load asks again");
});

test("the frame waits for the project's load on its way, and not at all once it has finished", async () => {
  signedIn();
  const calls = answer((call) => (call.path === "/v1/ce/projects/p1" ? { body: { id: "p1", name: "Operations" } } : { body: { members: [], teams: [] } }));
  const started = loadProject();
  await projectReady();
  await started;
  assert.equal(calls.filter((call) => call.path === "/v1/ce/projects/p1").length, 1);
  await projectReady();
  assert.equal(calls.filter((call) => call.path === "/v1/ce/projects/p1").length, 1, "finished: nothing is asked again");
});
