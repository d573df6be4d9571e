import { answer, sessionAnswer, signedOut } from "./browser";
import assert from "node:assert/strict";
import { beforeEach, test } from "node:test";
import { navigate } from "../src/router";
import { currentSession, session } from "../src/session";
import { signInMessage } from "../src/state/session";
import { createSignIn, providerError, takeLinkToken, waitText } from "../src/state/signIn";

const error = (status: number, code: string, headers: Record<string, string> = {}) =>
  ({ status, body: { error: { code, message: code, details: [] } }, headers });

/** The API of a working sign-in: the email is accepted, the code 123456 is right, the link "tok" is good. */
function signInApi(overrides: (call: { method: string; path: string; body: any }) => ReturnType<Parameters<typeof answer>[0]> = () => undefined) {
  return answer((call) => {
    const override = overrides(call);
    if (override) return override;
    if (call.path === "/v1/ce/sign-in/email") return { status: 202, body: { expires_in: 900, code_length: 6 } };
    if (call.path === "/v1/ce/sign-in/code") return call.body.code === "123456" ? { body: sessionAnswer() } : error(400, "wrong_code");
    if (call.path === "/v1/ce/sign-in/link") return call.body.token === "tok" ? { body: sessionAnswer() } : error(400, "link_expired");
    if (call.path === "/v1/ce/sign-in/providers") return { body: { providers: [{ id: "corp", name: "Corp SSO", start_url: "/v1/ce/sign-in/oidc/corp/start" }] } };
    return undefined;
  });
}

function open(address: string) {
  navigate(address, { replace: true });
  if (address.includes("#")) history.replaceState(null, "", address);
  return createSignIn(new URLSearchParams(location.search), takeLinkToken());
}

beforeEach(() => {
  signedOut();
  signInMessage.value = null;
});

test("email, then the emailed code, then the page the person was headed for", async () => {
  const calls = signInApi();
  const form = open("sign-in?return_to=" + encodeURIComponent("/projects/p1/tickets/OPS-3"));
  assert.equal(form.step.value, "email");

  await form.sendEmail();
  assert.equal(form.emailProblem.value, "Enter your email address");
  form.email.value = "not an address";
  await form.sendEmail();
  assert.equal(form.emailProblem.value, "That is not an email address");
  assert.equal(calls.length, 0, "nothing is sent until the address looks like one");

  form.email.value = "  ana@example.com ";
  await form.sendEmail();
  assert.deepEqual(calls[0].body, { email: "ana@example.com", return_to: "/projects/p1/tickets/OPS-3" });
  assert.equal(form.step.value, "code");
  assert.equal(form.sentTo.value, "ana@example.com");
  assert.equal(form.emailProblem.value, null);

  form.code.value = "12345";
  await form.sendCode();
  assert.equal(form.codeProblem.value, "The code is 6 digits");
  assert.equal(calls.length, 1);

  form.code.value = "654321";
  await form.sendCode();
  assert.match(form.codeProblem.value ?? "", /not the one we sent/);
  assert.equal(form.step.value, "code");
  assert.equal(session.value, null);

  form.code.value = "123 456";
  await form.sendCode();
  assert.equal(form.codeProblem.value, null);
  assert.deepEqual(calls.filter((call) => call.path === "/v1/ce/sign-in/code").map((call) => call.body.code), ["654321", "123456"]);
  assert.equal(currentSession()?.principal.email, "ana@example.com");
  assert.equal(location.pathname, "/projects/p1/tickets/OPS-3");
  assert.equal(form.sending.value, false);
});

test("an expired code asks for a new one, and starting over keeps the address typed", async () => {
  signInApi((call) => (call.path === "/v1/ce/sign-in/code" ? error(400, "code_expired") : undefined));
  const form = open("sign-in");
  form.email.value = "ana@example.com";
  await form.sendEmail();
  form.code.value = "123456";
  await form.sendCode();
  assert.match(form.codeProblem.value ?? "", /expired or was used up. Ask for a new code/);
  form.startOver();
  assert.equal(form.step.value, "email");
  assert.equal(form.email.value, "ana@example.com");
  assert.equal(form.code.value, "");
});

test("too many attempts say how long to wait, next to the field", async () => {
  signInApi((call) => (call.path === "/v1/ce/sign-in/email" ? error(429, "rate_limited", { "Retry-After": "1200" }) : undefined));
  const form = open("sign-in");
  form.email.value = "ana@example.com";
  await form.sendEmail();
  assert.equal(form.emailProblem.value, "Too many sign-in attempts; try again in 20 minutes.");
  assert.equal(form.step.value, "email");
  assert.equal(waitText(1), "try again in 1 second");
  assert.equal(waitText(45), "try again in 45 seconds");
  assert.equal(waitText(null), "try again later");
});

test("an invitation's ?email= fills the field in", () => {
  signInApi();
  const form = open("sign-in?email=" + encodeURIComponent("bea@example.com"));
  assert.equal(form.email.value, "bea@example.com");
});

test("a one-time link: its token leaves the address first, then one button signs in", async () => {
  const calls = signInApi();
  const form = open("sign-in#link=tok");
  assert.equal(location.hash, "", "the token is not kept in the address or the history");
  assert.equal(form.step.value, "link");
  await form.useLink();
  assert.deepEqual(calls.map((call) => `${call.method} ${call.path}`), ["POST /v1/ce/sign-in/link"], "the answer says who signed in");
  assert.deepEqual(calls[0].body, { token: "tok" });
  assert.notEqual(session.value, null);
  assert.equal(location.pathname, "/projects/p1");
});

test("a used or expired link says so and offers the email code instead", async () => {
  signInApi();
  const form = open("sign-in#link=old");
  await form.useLink();
  assert.match(form.general.value ?? "", /expired or was used already/);
  assert.equal(form.step.value, "email");
  assert.equal(session.value, null);
  assert.equal(location.pathname, "/sign-in");
});

test("single sign-on: the providers' buttons carry return_to, and the callback's errors are said in words", async () => {
  signInApi();
  const form = open("sign-in?error=no_account&return_to=" + encodeURIComponent("/projects/p1"));
  assert.match(form.general.value ?? "", /No Ticketry account has the email address your provider gave/);
  await form.loadProviders();
  const [corp] = form.providers.value;
  assert.equal(corp.name, "Corp SSO");
  assert.equal(form.startUrl(corp), "/v1/ce/sign-in/oidc/corp/start?return_to=%2Fprojects%2Fp1");
  assert.match(providerError("something_new") ?? "", /did not work/);
  assert.equal(providerError(null), null);

  const elsewhere = open("sign-in?return_to=" + encodeURIComponent("https://evil.example/"));
  assert.equal(elsewhere.startUrl(corp), "/v1/ce/sign-in/oidc/corp/start", "a foreign return_to is not passed on");
});
