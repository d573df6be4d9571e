// What every page shares: the project, who is signed in, who can be assigned, and passing notices.
import { computed, signal } from "@preact/signals";
import type { Member, People, Project } from "./types";

export const signInMessage = signal<string | null>(null);
export const project = signal<Project | null>(null);
export const me = signal<Member | null>(null);
export const people = signal<People>({ members: [], teams: [] });
export const notice = signal<{ text: string; tone: "info" | "error" } | null>(null);

/** The list a ticket was opened from, for previous/next on the ticket page. */
export const openedFrom = signal<{ listPath: string; keys: string[] } | null>(null);

export const names = computed(() => {
  const byId = new Map<string, string>();
  for (const member of people.value.members) byId.set(member.user_id, member.name);
  for (const team of people.value.teams) byId.set(`team:${team.id}`, team.name);
  return byId;
});

export function nameOf(id: string | null | undefined): string {
  if (!id) return "Unassigned";
  if (id.startsWith("automation:")) return id.slice("automation:".length) + " (automation)";
  return names.value.get(id) ?? (id.startsWith("team:") ? "Team " + id.slice(5) : id);
}

let noticeTimer: number | undefined;
export function tell(text: string, tone: "info" | "error" = "info"): void {
  notice.value = { text, tone };
  clearTimeout(noticeTimer);
  noticeTimer = window.setTimeout(() => (notice.value = null), tone === "error" ? 8000 : 4000);
}
