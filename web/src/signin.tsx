import { useEffect, useState } from "preact/hooks";
import { navigate } from "./router";
import { currentSession, endSession, projectOfKey, startSession } from "./session";
import { signInMessage } from "./state";

/** Takes a key handed over in the address's fragment (never sent to the server) off the address. */
export function keyFromFragment(): string | null {
  const fragment = new URLSearchParams(location.hash.slice(1));
  const key = fragment.get("key");
  if (key) history.replaceState(null, "", location.pathname + location.search);
  return key;
}

export function SignIn() {
  const [key, setKey] = useState("");
  const [problem, setProblem] = useState<string | null>(null);
  const [checking, setChecking] = useState(false);

  useEffect(() => {
    document.title = "Sign in · Ticketry";
    const session = currentSession();
    if (session && !signInMessage.value) navigate(`projects/${session.projectId}`, { replace: true });
  }, []);

  async function submit(event: Event) {
    event.preventDefault();
    const projectId = projectOfKey(key);
    if (!projectId) {
      setProblem("That is not a Ticketry API key: keys start with tkt_.");
      return;
    }
    setChecking(true);
    setProblem(null);
    try {
      const response = await fetch(`v1/ce/projects/${projectId}`, { headers: { Authorization: `Bearer ${key.trim()}` } });
      const code = response.ok ? null : (await response.json().catch(() => null))?.error?.code;
      if (code === "too_many_wrong_keys") {
        // Only wrong keys are ever refused this way: too many of them came from here this minute.
        setProblem(`Too many wrong API keys were sent from here; try again in ${response.headers.get("Retry-After") ?? 60} seconds.`);
        return;
      }
      if (!response.ok) {
        setProblem("That API key was not accepted: it may be mistyped or revoked.");
        return;
      }
      startSession(key);
      signInMessage.value = null;
      navigate(`projects/${projectId}`, { replace: true });
    } catch {
      setProblem("Ticketry could not be reached; check your connection and try again.");
    } finally {
      setChecking(false);
    }
  }

  const message = problem ?? signInMessage.value;
  return (
    <main class="signin" id="main">
      <form class="card" onSubmit={submit} aria-labelledby="signin-title" novalidate>
        <h1 id="signin-title">Sign in to Ticketry</h1>
        <p class="muted">Paste an API key of your project. It stays in this browser tab only and is forgotten when you sign out or close the tab.</p>
        {message && (
          <p class="alert error" role="alert">
            {message}
          </p>
        )}
        <label for="api-key">API key</label>
        <input
          id="api-key"
          type="password"
          autocomplete="off"
          spellcheck={false}
          value={key}
          onInput={(event) => setKey((event.target as HTMLInputElement).value)}
          aria-invalid={problem ? "true" : undefined}
          required
        />
        <button class="primary" type="submit" disabled={checking || !key.trim()}>
          {checking ? "Checking…" : "Sign in"}
        </button>
      </form>
    </main>
  );
}

export function signOut(): void {
  endSession();
  signInMessage.value = null;
  navigate("ui", { replace: true });
}
