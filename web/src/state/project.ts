// What every page shares: the project, who is signed in, and who can be assigned.
import { computed, signal } from "@preact/signals";
import { inProject } from "../api/client";
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

/** Names of people who wrote in by email (actor `contact:<email>`), by address, as tickets told them. */
export const contactNames = signal<ReadonlyMap<string, string>>(new Map());

export const CONTACT_PREFIX = "contact:";

export function knowContact(email: string, name: string | null): void {
  const address = email.toLowerCase();
  if (!name || contactNames.value.get(address) === name) return;
  contactNames.value = new Map([...contactNames.value, [address, name]]);
}

export function nameOf(id: string | null | undefined): string {
  if (!id) return "Unassigned";
  if (id.startsWith("automation:")) return id.slice("automation:".length) + " (automation)";
  if (id.startsWith(CONTACT_PREFIX)) {
    const address = id.slice(CONTACT_PREFIX.length);
    return contactNames.value.get(address.toLowerCase()) ?? address;
  }
  return names.value.get(id) ?? (id.startsWith("team:") ? "Team " + id.slice(5) : id);
}

/** The load on its way, by project: the page's start and its frame share one. */
let loading: { projectId: string; done: Promise<void> } | null = null;
/** The project the last load that finished was for. */
let loadedFor: string | null = null;

/** Loads the project shown (inProject); a load of the same project already on its way is shared, not repeated. */
export function loadProject(): Promise<void> {
  const projectId = inProject().project_id;
  if (loading?.projectId !== projectId) {
    const done = load().finally(() => {
      if (loading?.done === done) loading = null;
    });
    loading = { projectId, done };
  }
  return loading.done;
}

/** The project shown, once loaded: at once when its last load has finished, else with the load on its way. */
export function projectReady(): Promise<void> {
  const projectId = inProject().project_id;
  if (loading?.projectId !== projectId && loadedFor === projectId) return Promise.resolve();
  return loadProject();
}

async function load(): Promise<void> {
  const projectId = inProject().project_id;
  const [projectReply, peopleReply, meReply] = await Promise.allSettled([getProject(), getPeople(), getMe()]);
  if (projectReply.status === "fulfilled") project.value = projectReply.value.body;
  if (peopleReply.status === "fulfilled") people.value = peopleReply.value.body;
  me.value = meReply.status === "fulfilled" ? meReply.value.body : null;
  loadedFor = projectId;
}
