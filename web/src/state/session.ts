// Signing in and out. The session lives in a cookie the page cannot read (HttpOnly); the UI keeps only
// the API's answer to who it is (GET /v1/ce/session), asked at start and after every sign-in.
import { signal } from "@preact/signals";
import { asApiError, onSessionTrouble } from "../api/client";
import { endThisSession, getSession, type SessionAnswer } from "../api/session";
import { appPath, currentAddress, navigate, route } from "../router";
import { firstProject, session } from "../session";

/** What the sign-in page says first: why the person is there. */
export const signInMessage = signal<string | null>(null);

/** Asks the API who this browser's cookie is; no cookie, or an ended session, is nobody. */
export async function loadSession(): Promise<void> {
  try {
    session.value = (await getSession()).body;
  } catch (error) {
    session.value = null;
    if (asApiError(error).status === 0) signInMessage.value = asApiError(error).message;
  }
}

/** To the sign-in page, to come back here afterwards; without a message, what it says already stays. */
export function toSignIn(message?: string | null): void {
  session.value = null;
  if (message !== undefined) signInMessage.value = message;
  if (route.value.page === "signin") return;
  const here = currentAddress();
  navigate(appPath(here) ? `sign-in?return_to=${encodeURIComponent(here)}` : "sign-in", { replace: true });
}

/** Where signing in leads: the page the person came from when it is this app's, else their first project. */
export function destination(): string {
  const current = route.value;
  const back = current.page === "signin" ? appPath(current.params.get("return_to")) : null;
  if (back) return back;
  const first = firstProject();
  return first ? `projects/${encodeURIComponent(first)}` : "";
}

/**
 * After the API set the session cookie, with its answer (who signed in, the same as GET /v1/ce/session):
 * on to where the person was headed.
 */
export async function enter(answer?: SessionAnswer): Promise<void> {
  if (answer) session.value = answer;
  else await loadSession();
  if (!session.value) return;
  signInMessage.value = null;
  navigate(destination(), { replace: true });
}

export async function signOut(): Promise<void> {
  try {
    await endThisSession();
  } catch {
    // Signed out already, or unreachable: this page forgets the session either way.
  }
  session.value = null;
  signInMessage.value = null;
  navigate("sign-in", { replace: true });
}

onSessionTrouble({
  signedOut: (code) => {
    const had = session.value !== null;
    toSignIn(code === "session_expired"
      ? "Your session has expired; sign in again to carry on."
      : had ? "You were signed out; sign in again to carry on." : null);
  },
  // The account left the project (or never was in it): the session's project list says which.
  leftProject: () => void loadSession(),
  ssoRequired: () => toSignIn("This project asks its members to sign in with single sign-on."),
});
