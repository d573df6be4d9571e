import { useEffect } from "preact/hooks";
import { session } from "../session";
import { signOut } from "../state/session";

/** An account no project has (yet, or any more). */
export function NoProjects() {
  useEffect(() => {
    document.title = "No projects · Ticketry";
  }, []);
  const email = session.value?.principal.email;
  return (
    <main class="signin" id="main">
      <div class="card">
        <h1>No projects yet</h1>
        <p>
          You are signed in{email ? ` as ${email}` : ""}, but no project has you as a member. Ask a project admin to add you.
        </p>
        <div class="row">
          <a class="button" href="profile">
            Your profile
          </a>
          <button type="button" onClick={signOut}>
            Sign out
          </button>
        </div>
      </div>
    </main>
  );
}

