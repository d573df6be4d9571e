import { navigate, route } from "../router";
import { session } from "../session";

/** The pages that exist in every project: switching keeps the person on the same one. */
const SAME_PAGE: Record<string, string> = { reports: "/reports", sla: "/sla", members: "/members", new: "/new" };

/** The projects the account is a member of; the one shown lives in the address. */
export function ProjectSwitcher({ projectId }: { projectId: string | null }) {
  const projects = session.value?.projects ?? [];
  if (projects.length === 0) return null;

  function change(event: Event) {
    const next = (event.target as HTMLSelectElement).value;
    navigate(`projects/${encodeURIComponent(next)}${SAME_PAGE[route.value.page] ?? ""}`);
  }

  return (
    <div class="project-switch">
      <label for="project-switch" class="sr-only">
        Project
      </label>
      <select id="project-switch" value={projectId ?? ""} onChange={change}>
        {!projectId && <option value="">Choose a project</option>}
        {projects.map((each) => (
          <option key={each.id} value={each.id}>
            {each.name}
          </option>
        ))}
      </select>
    </div>
  );
}
