// The sign-in form: an email address, then the code emailed to it; or, opened from a link, one button.
import { signal } from "@preact/signals";
import { ApiError, asApiError } from "../api/client";
import { emailCode, listProviders, type Provider, signInWithCode, signInWithLink } from "../api/signIn";
import { appPath } from "../router";
import { enter } from "./session";

export type Step = "email" | "code" | "link";

const CODE = /^\d{6}$/;

/** What the OIDC callback's `?error=` means, said to a person. */
const PROVIDER_ERRORS: Record<string, string> = {
  oidc_failed: "Signing in with your provider did not work. Try again, or sign in with a code sent by email.",
  email_not_verified: "Your provider has not verified your email address, so Ticketry cannot sign you in with it.",
  no_account: "No Ticketry account has the email address your provider gave. Ask a project admin to invite you.",
};

export function providerError(code: string | null): string | null {
  if (!code) return null;
  return PROVIDER_ERRORS[code] ?? "Signing in did not work. Try again, or sign in with a code sent by email.";
}

export function waitText(seconds: number | null): string {
  if (seconds === null) return "try again later";
  if (seconds < 90) return `try again in ${seconds} second${seconds === 1 ? "" : "s"}`;
  const minutes = Math.ceil(seconds / 60);
  return `try again in ${minutes} minute${minutes === 1 ? "" : "s"}`;
}

/** The token of a one-time link (#link=…), taken off the address so it is not kept in the history. */
export function takeLinkToken(): string | null {
  const token = new URLSearchParams(location.hash.slice(1)).get("link");
  if (token) history.replaceState(null, "", location.pathname + location.search);
  return token;
}

function unreachable(error: unknown): string | null {
  return asApiError(error).status === 0 ? asApiError(error).message : null;
}

export function createSignIn(params: URLSearchParams, linkToken: string | null) {
  const step = signal<Step>(linkToken ? "link" : "email");
  const email = signal(params.get("email") ?? "");
  const code = signal("");
  /** Where the code went, as the person typed it. */
  const sentTo = signal<string | null>(null);
  const emailProblem = signal<string | null>(null);
  const codeProblem = signal<string | null>(null);
  /** What concerns the whole form rather than one field. */
  const general = signal<string | null>(providerError(params.get("error")));
  const sending = signal(false);
  const providers = signal<Provider[]>([]);
  // Passed on (to the email, to a provider) only when it is this app's own address.
  const asked = params.get("return_to");
  const returnTo = appPath(asked) !== null ? asked : null;

  async function busy(work: () => Promise<void>): Promise<void> {
    sending.value = true;
    try {
      await work();
    } finally {
      sending.value = false;
    }
  }

  function tooMany(error: ApiError): string {
    return `Too many sign-in attempts; ${waitText(error.retryAfter)}.`;
  }

  async function sendEmail(): Promise<void> {
    const typed = email.value.trim();
    emailProblem.value = !typed ? "Enter your email address" : !/^[^\s@]+@[^\s@]+$/.test(typed) ? "That is not an email address" : null;
    general.value = null;
    if (emailProblem.value) return;
    await busy(async () => {
      try {
        await emailCode(typed, returnTo);
      } catch (caught) {
        const error = asApiError(caught);
        emailProblem.value = error.status === 429 ? tooMany(error) : unreachable(error) ?? error.forField("email") ?? error.message;
        return;
      }
      sentTo.value = typed;
      code.value = "";
      codeProblem.value = null;
      step.value = "code";
    });
  }

  async function sendCode(): Promise<void> {
    const typed = code.value.replace(/[\s-]/g, "");
    codeProblem.value = !typed ? "Enter the code from the email" : !CODE.test(typed) ? "The code is 6 digits" : null;
    general.value = null;
    if (codeProblem.value) return;
    await busy(async () => {
      let answer;
      try {
        answer = (await signInWithCode(typed)).body;
      } catch (caught) {
        const error = asApiError(caught);
        codeProblem.value =
          error.code === "wrong_code" ? "That code is not the one we sent. Check the email and try again."
          : error.code === "code_expired" ? "This code has expired or was used up. Ask for a new code."
          : error.status === 429 ? tooMany(error)
          : unreachable(error) ?? error.message;
        return;
      }
      await enter(answer);
    });
  }

  async function useLink(): Promise<void> {
    if (!linkToken) return;
    general.value = null;
    await busy(async () => {
      let answer;
      try {
        answer = (await signInWithLink(linkToken)).body;
      } catch (caught) {
        const error = asApiError(caught);
        if (error.status === 0) {
          general.value = error.message;
          return;
        }
        general.value = error.code === "link_expired"
          ? "This sign-in link has expired or was used already. Ask for a new code below."
          : error.status === 429 ? tooMany(error) : error.message;
        step.value = "email";
        return;
      }
      await enter(answer);
    });
  }

  /** Back to the email field, to ask again or use another address. */
  function startOver(): void {
    step.value = "email";
    code.value = "";
    codeProblem.value = null;
  }

  async function loadProviders(): Promise<void> {
    try {
      providers.value = (await listProviders()).body.providers;
    } catch {
      // Without the list the email code still works.
    }
  }

  /** A provider's start address, bringing the person back where they were headed. */
  function startUrl(provider: Provider): string {
    if (!returnTo) return provider.start_url;
    return `${provider.start_url}${provider.start_url.includes("?") ? "&" : "?"}return_to=${encodeURIComponent(returnTo)}`;
  }

  return { step, email, code, sentTo, emailProblem, codeProblem, general, sending, providers, sendEmail, sendCode, useLink, startOver, loadProviders, startUrl };
}

export type SignInForm = ReturnType<typeof createSignIn>;

/** Bumped when a one-time link is opened in a tab already showing the UI, to show its button. */
export const linkArrivals = signal(0);
