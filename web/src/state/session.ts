// Signing in and out: a key is kept only once the API has said who it is (GET /v1/ce/session); a key it
// later refuses is dropped.
import { signal } from "@preact/signals";
import { onSessionTrouble } from "../api/client";
import { checkKey } from "../api/session";
import { navigate, route } from "../router";
import { currentSession, endSession, startSession } from "../session";

export const signInMessage = signal<string | null>(null);

const REFUSED = "Your API key was not accepted: it may be wrong or revoked. Sign in with a valid key.";

function refused(): void {
  endSession();
  signInMessage.value = REFUSED;
  navigate("ui", { replace: true });
}

onSessionTrouble({ signedOut: () => navigate("ui", { replace: true }), refused });

/** Asks the API who a key is and keeps it; answers what to tell the person when it was not kept. */
export async function signIn(key: string): Promise<string | null> {
  const typed = key.trim();
  if (!typed.startsWith("tkt_")) return "That is not a Ticketry API key: keys start with tkt_.";
  let session;
  try {
    const check = await checkKey(typed);
    if (check.code === "too_many_wrong_keys") {
      // Only wrong keys are ever refused this way: too many of them came from here this minute.
      return `Too many wrong API keys were sent from here; try again in ${check.retryAfter ?? 60} seconds.`;
    }
    session = check.answer && startSession(typed, check.answer);
  } catch {
    return "Ticketry could not be reached; check your connection and try again.";
  }
  if (!session) return "That API key was not accepted: it may be mistyped or revoked.";
  signInMessage.value = null;
  navigate(`projects/${session.projectId}`, { replace: true });
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

/**
 * A sign-in link (ui#key=…) signs the tab in with its key once the API has said who it is; a tab
 * already showing the UI may be handed one too, and then only the fragment changes.
 */
export async function takeHandedOverKey(): Promise<void> {
  const handedOver = keyFromFragment();
  if (!handedOver) return;
  let session;
  try {
    const check = await checkKey(handedOver.trim());
    session = check.answer && startSession(handedOver, check.answer);
  } catch {
    signInMessage.value = "Ticketry could not be reached; check your connection and try again.";
    return;
  }
  if (!session) {
    refused();
    return;
  }
  signInMessage.value = null;
  if (route.value.page === "signin") navigate(`projects/${session.projectId}`, { replace: true });
}
