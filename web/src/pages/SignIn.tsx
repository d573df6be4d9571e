import { useEffect, useState } from "preact/hooks";
import { leaveSignInWhenSignedIn, signIn, signInMessage } from "../state/session";

export function SignIn() {
  const [key, setKey] = useState("");
  const [problem, setProblem] = useState<string | null>(null);
  const [checking, setChecking] = useState(false);

  useEffect(() => {
    document.title = "Sign in · Ticketry";
    leaveSignInWhenSignedIn();
  }, []);

  async function submit(event: Event) {
    event.preventDefault();
    setChecking(true);
    setProblem(null);
    try {
      setProblem(await signIn(key));
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
