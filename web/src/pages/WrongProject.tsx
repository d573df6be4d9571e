import { firstProject } from "../session";
import { signOut } from "../state/session";

/** A project the signed-in account is not a member of (or no longer is). */
export function WrongProject({ projectId }: { projectId: string }) {
  const first = firstProject();
  return (
    <main class="signin" id="main">
      <div class="card">
        <h1>Not your project</h1>
        <p>
          Your account is not a member of project {projectId}, so it cannot be shown. A project admin can add you to it.
        </p>
        <div class="row">
          {first && (
            <a class="button primary" href={`projects/${encodeURIComponent(first)}`}>
              Go to your projects
            </a>
          )}
          <button type="button" class={first ? "" : "primary"} onClick={signOut}>
            Sign out
          </button>
        </div>
      </div>
    </main>
  );
}
