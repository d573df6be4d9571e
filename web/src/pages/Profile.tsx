// The signed-in person's own page: their name and address, and every browser signed in as them.
import { useEffect, useMemo } from "preact/hooks";
import { EmailSettings } from "../components/EmailSettings";
import { ago, exact } from "../format";
import { activeProject, session } from "../session";
import { createProfile, deviceOf, methodLabel } from "../state/profile";

export function Profile() {
  const state = useMemo(createProfile, []);
  const account = state.account.value;
  const sessions = state.sessions.value;

  useEffect(() => {
    document.title = "Your profile · Ticketry";
    state.load();
  }, []);

  function save(event: Event) {
    event.preventDefault();
    state.saveName();
  }

  if (state.failure.value) {
    return (
      <main id="main" class="page settings">
        <h1>Your profile</h1>
        <div class="alert error" role="alert">
          Your profile could not be loaded: {state.failure.value}
          <button type="button" onClick={() => state.load()}>Try again</button>
        </div>
      </main>
    );
  }
  if (!account || !sessions) return <p class="loading" role="status">Loading your profile…</p>;
  const changed = state.name.value.trim() !== account.name;
  const project = session.value?.projects.find((each) => each.id === activeProject());
  return (
    <main id="main" class="page settings profile">
      <h1>Your profile</h1>
      <form class="profile-form" onSubmit={save} novalidate>
        <div class="field">
          <label for="profile-name">Name</label>
          <input
            id="profile-name"
            value={state.name.value}
            maxLength={100}
            autocomplete="name"
            onInput={(event) => (state.name.value = (event.target as HTMLInputElement).value)}
            aria-invalid={state.nameProblem.value ? "true" : undefined}
            aria-describedby={state.nameProblem.value ? "profile-name-error" : undefined}
          />
          {state.nameProblem.value && <p class="field-error" id="profile-name-error" role="alert">{state.nameProblem.value}</p>}
        </div>
        <button type="submit" class="primary" disabled={!changed || state.saving.value}>
          {state.saving.value ? "Saving…" : "Save name"}
        </button>
      </form>
      <dl class="facts">
        <dt>Email</dt>
        <dd>{account.email}</dd>
        <dt>Account since</dt>
        <dd>{exact(account.created_at)}</dd>
      </dl>

      {project && <EmailSettings key={project.id} projectName={project.name} />}

      <section aria-labelledby="sessions-title">
        <h2 id="sessions-title" class="section-title">Your sessions</h2>
        <p class="muted">Every browser signed in as you. Sign out any you do not recognise or no longer use.</p>
        <div class="table-wrap">
          <table class="data-table sessions" aria-labelledby="sessions-title">
            <thead>
              <tr>
                <th scope="col">Device</th>
                <th scope="col">IP address</th>
                <th scope="col">Signed in</th>
                <th scope="col">Last used</th>
                <th scope="col"><span class="sr-only">Actions</span></th>
              </tr>
            </thead>
            <tbody>
              {sessions.map((entry) => (
                <tr key={entry.id} class={entry.current ? "current" : ""}>
                  <td>
                    <span class="device">{deviceOf(entry)}</span>
                    {entry.current && <span class="pill this-device">This device</span>}
                    <span class="muted small method">{methodLabel(entry.method)}</span>
                  </td>
                  <td class="mono">{entry.ip ?? "—"}</td>
                  <td><time dateTime={entry.created_at} title={exact(entry.created_at)}>{ago(entry.created_at)}</time></td>
                  <td><time dateTime={entry.last_used_at} title={exact(entry.last_used_at)}>{ago(entry.last_used_at)}</time></td>
                  <td>
                    {!entry.current && (
                      <button
                        type="button"
                        aria-label={`Sign out ${deviceOf(entry)}, signed in ${ago(entry.created_at)}`}
                        disabled={state.ending.value.has(entry.id)}
                        onClick={() => state.end(entry)}
                      >
                        Sign out
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        <div class="row">
          <button type="button" class="danger" onClick={() => state.endEverywhere()}>
            Sign out everywhere
          </button>
          <span class="muted small">Signs out every browser, this one too.</span>
        </div>
      </section>
    </main>
  );
}
