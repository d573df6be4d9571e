// Who is signed in, as the API answered GET /v1/ce/session for this browser's session cookie. The
// cookie itself is out of the UI's reach (HttpOnly), so this answer is all the UI knows of it.
import { signal } from "@preact/signals";
import type { SessionAnswer } from "./api/session";
import { route } from "./router";

/** null: not signed in (or not asked yet). */
export const session = signal<SessionAnswer | null>(null);

/** The project last shown, for the pages outside any project (the profile). */
let lastProject: string | null = null;
route.subscribe((current) => {
  if ("projectId" in current) lastProject = current.projectId;
});

export function currentSession(): SessionAnswer | null {
  return session.value;
}

/** Whether the signed-in account is a member of a project. */
export function reaches(projectId: string): boolean {
  return session.value?.projects.some((project) => project.id === projectId) ?? false;
}

export function firstProject(): string | null {
  return session.value?.projects[0]?.id ?? null;
}

/** The project the page works in: the one in the address, else the last one shown, else the first. */
export function activeProject(): string | null {
  const current = route.value;
  if ("projectId" in current) return current.projectId;
  return lastProject && reaches(lastProject) ? lastProject : firstProject();
}
