// What every page shares: the project, who is signed in, and who can be assigned.
import { computed, signal } from "@preact/signals";
import { getMe, getPeople, getProject, type Member, type People, type Project } from "../api/people";

export const project = signal<Project | null>(null);
export const me = signal<Member | null>(null);
export const people = signal<People>({ members: [], teams: [] });

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

export async function loadProject(): Promise<void> {
  const [projectReply, peopleReply, meReply] = await Promise.allSettled([getProject(), getPeople(), getMe()]);
  if (projectReply.status === "fulfilled") project.value = projectReply.value.body;
  if (peopleReply.status === "fulfilled") people.value = peopleReply.value.body;
  // Automation keys belong to no member.
  me.value = meReply.status === "fulfilled" ? meReply.value.body : null;
}
