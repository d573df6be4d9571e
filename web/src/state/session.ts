// Signing in and out: a key is kept only once the API accepts it; a key it later refuses is dropped.
import { signal } from "@preact/signals";
import { onSessionTrouble } from "../api/client";
import { checkKey } from "../api/session";
import { navigate } from "../router";
import { currentSession, endSession, projectOfKey, startSession } from "../session";

export const signInMessage = signal<string | null>(null);

onSessionTrouble({
  signedOut: () => navigate("ui", { replace: true }),
  refused: () => {
    endSession();
    signInMessage.value = "Your API key was not accepted: it may be wrong or revoked. Sign in with a valid key.";
    navigate("ui", { replace: true });
  },
});

/** Checks a key with the API and keeps it; answers what to tell the person when it was not kept. */
export async function signIn(key: string): Promise<string | null> {
  const projectId = projectOfKey(key);
  if (!projectId) return "That is not a Ticketry API key: keys start with tkt_.";
  try {
    const check = await checkKey(key.trim(), projectId);
    if (check.code === "too_many_wrong_keys") {
      // Only wrong keys are ever refused this way: too many of them came from here this minute.
      return `Too many wrong API keys were sent from here; try again in ${check.retryAfter ?? 60} seconds.`;
    }
    if (!check.accepted) return "That API key was not accepted: it may be mistyped or revoked.";
  } catch {
    return "Ticketry could not be reached; check your connection and try again.";
  }
  startSession(key);
  signInMessage.value = null;
  navigate(`projects/${projectId}`, { replace: true });
  return null;
}

export function signOut(): void {
  endSession();
  signInMessage.value = null;
  navigate("ui", { replace: true });
}

/** A signed-in tab opening the sign-in page goes to its project instead. */
export function leaveSignInWhenSignedIn(): void {
  const session = currentSession();
  if (session && !signInMessage.value) navigate(`projects/${session.projectId}`, { replace: true });
}

/** Takes a key handed over in the address's fragment (never sent to the server) off the address. */
export function keyFromFragment(): string | null {
  const fragment = new URLSearchParams(location.hash.slice(1));
  const key = fragment.get("key");
  if (key) history.replaceState(null, "", location.pathname + location.search);
  return key;
}

// A sign-in link may also be opened in a tab already showing the UI: then only the fragment changes.
export function takeHandedOverKey(onSignInPage: boolean): void {
  const handedOver = keyFromFragment();
  if (!handedOver) return;
  const session = startSession(handedOver);
  if (session && onSignInPage) navigate(`projects/${session.projectId}`, { replace: true });
}
