import { signOut } from "../state/session";

/** A project this tab's key does not belong to. */
export function WrongProject({ projectId }: { projectId: string }) {
  return (
    <main class="signin" id="main">
      <div class="card">
        <h1>Not your project</h1>
        <p>The API key of this tab belongs to another project, so project {projectId} cannot be shown.</p>
        <button type="button" class="primary" onClick={signOut}>
          Sign out
        </button>
      </div>
    </main>
  );
}
