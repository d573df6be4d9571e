// The sign-in page: an email address, then the code emailed to it; a one-time link's single button;
// and the single sign-on providers the deployment offers.
import { useEffect, useMemo, useRef } from "preact/hooks";
import { navigate } from "../router";
import { session } from "../session";
import { destination, signInMessage } from "../state/session";
import { createSignIn, takeLinkToken } from "../state/signIn";

export function SignIn({ params }: { params: URLSearchParams }) {
  const form = useMemo(() => createSignIn(params, takeLinkToken()), []);
  const codeField = useRef<HTMLInputElement>(null);
  const step = form.step.value;

  useEffect(() => {
    document.title = "Sign in · Ticketry";
    // Signed in already, and no link to use: straight on to where the person was going.
    if (session.value && step !== "link") navigate(destination(), { replace: true });
    else form.loadProviders();
  }, []);

  useEffect(() => {
    if (step === "code") codeField.current?.focus();
  }, [step]);

  function submit(event: Event) {
    event.preventDefault();
    if (step === "email") form.sendEmail();
    else if (step === "code") form.sendCode();
    else form.useLink();
  }

  const message = form.general.value ?? signInMessage.value;
  const sending = form.sending.value;
  return (
    <main class="signin" id="main">
      <div class="card">
        <div class="brand signin-brand" aria-hidden="true">
          <span class="logo">T</span>
          <span>Ticketry</span>
        </div>
        <h1 id="signin-title">Sign in</h1>
        {message && (
          <p class="alert error" role="alert">
            {message}
          </p>
        )}
        <form class="signin-form" onSubmit={submit} aria-labelledby="signin-title" novalidate>
          {step === "email" && (
            <>
              <p class="muted">Enter your email address and we will send you a code to sign in with.</p>
              <label for="signin-email">Email</label>
              <input
                id="signin-email"
                type="email"
                autocomplete="email"
                spellcheck={false}
                value={form.email.value}
                onInput={(event) => (form.email.value = (event.target as HTMLInputElement).value)}
                aria-invalid={form.emailProblem.value ? "true" : undefined}
                aria-describedby={form.emailProblem.value ? "signin-email-error" : undefined}
                required
              />
              {form.emailProblem.value && (
                <p class="field-error" id="signin-email-error" role="alert">
                  {form.emailProblem.value}
                </p>
              )}
              <button class="primary" type="submit" disabled={sending}>
                {sending ? "Sending…" : "Email me a code"}
              </button>
            </>
          )}
          {step === "code" && (
            <>
              <p class="muted" role="status">
                We sent a 6-digit code to <strong>{form.sentTo.value}</strong>. It works for 15 minutes; the email also has a link that signs you in.
              </p>
              <label for="signin-code">Code</label>
              <input
                id="signin-code"
                ref={codeField}
                class="code"
                type="text"
                inputmode="numeric"
                autocomplete="one-time-code"
                pattern="[0-9]*"
                maxLength={7}
                spellcheck={false}
                value={form.code.value}
                onInput={(event) => (form.code.value = (event.target as HTMLInputElement).value)}
                aria-invalid={form.codeProblem.value ? "true" : undefined}
                aria-describedby={form.codeProblem.value ? "signin-code-error" : undefined}
                required
              />
              {form.codeProblem.value && (
                <p class="field-error" id="signin-code-error" role="alert">
                  {form.codeProblem.value}
                </p>
              )}
              <button class="primary" type="submit" disabled={sending}>
                {sending ? "Signing in…" : "Sign in"}
              </button>
              <button type="button" class="link" onClick={form.startOver}>
                Use another address, or get a new code
              </button>
            </>
          )}
          {step === "link" && (
            <>
              <p class="muted">This one-time link signs you in to Ticketry in this browser.</p>
              <button class="primary" type="submit" disabled={sending}>
                {sending ? "Signing in…" : "Sign in"}
              </button>
            </>
          )}
        </form>
        {step === "email" && form.providers.value.length > 0 && (
          <div class="providers">
            <p class="or" aria-hidden="true">or</p>
            {form.providers.value.map((provider) => (
              <a key={provider.id} class="button" href={form.startUrl(provider)} data-external>
                Sign in with {provider.name}
              </a>
            ))}
          </div>
        )}
      </div>
    </main>
  );
}
