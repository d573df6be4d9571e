// The project's members, for its admins: adding people by email (an invitation when they have no
// account yet), resending or withdrawing an invitation, changing roles, removing members.
import { signal } from "@preact/signals";
import { asApiError, messageOf } from "../api/client";
import { addMember, changeRole, listMembers, type Member, removeMember, resendInvitation, type Role, withdrawInvitation } from "../api/members";
import { loadSession } from "./session";
import { tell } from "./notice";

export const ROLES: { value: Role; label: string }[] = [
  { value: "admin", label: "Admin" },
  { value: "member", label: "Member" },
  { value: "viewer", label: "Viewer" },
];

export function createMembers() {
  const members = signal<Member[] | null>(null);
  const forbidden = signal(false);
  const failure = signal<string | null>(null);
  /** The members a change is on its way for, by user_id. */
  const busy = signal<Set<string>>(new Set());

  const email = signal("");
  const name = signal("");
  const role = signal<Role>("member");
  const problems = signal<Record<string, string>>({});
  const adding = signal(false);

  async function load(): Promise<void> {
    failure.value = null;
    try {
      members.value = sortMembers((await listMembers()).body.data);
    } catch (error) {
      if (asApiError(error).status === 403) forbidden.value = true;
      else failure.value = messageOf(error);
    }
  }

  function replace(next: Member): void {
    members.value = sortMembers([...(members.value ?? []).filter((each) => each.user_id !== next.user_id), next]);
  }

  function drop(userId: string): void {
    members.value = (members.value ?? []).filter((each) => each.user_id !== userId);
  }

  async function working(member: Member, work: () => Promise<void>): Promise<void> {
    busy.value = new Set([...busy.value, member.user_id]);
    try {
      await work();
    } catch (error) {
      tell(messageOf(error), "error");
      // Someone else may have changed the list meanwhile (409): show it as it is now.
      if (asApiError(error).status === 409 || asApiError(error).status === 404) await load();
    } finally {
      busy.value = new Set([...busy.value].filter((id) => id !== member.user_id));
    }
  }

  async function add(): Promise<boolean> {
    const typed = email.value.trim();
    const found: Record<string, string> = {};
    if (!typed) found.email = "Enter the person's email address";
    else if (!/^[^\s@]+@[^\s@]+$/.test(typed)) found.email = "That is not an email address";
    problems.value = found;
    if (found.email) return false;
    adding.value = true;
    try {
      const trimmedName = name.value.trim();
      const added = (await addMember({ email: typed, role: role.value, ...(trimmedName ? { name: trimmedName } : {}) })).body;
      replace(added);
      tell(added.state === "invited" ? `Invitation sent to ${added.email}` : `${added.name || added.email} added to the project`);
      email.value = "";
      name.value = "";
      role.value = "member";
      return true;
    } catch (caught) {
      const error = asApiError(caught);
      const byField: Record<string, string> = {};
      for (const field of ["email", "name", "role"]) {
        const message = error.forField(field);
        if (message) byField[field] = message;
      }
      if (error.status === 409) byField.email = "This person is a member already";
      if (Object.keys(byField).length === 0) byField.form = error.message;
      problems.value = byField;
      return false;
    } finally {
      adding.value = false;
    }
  }

  const resend = (member: Member) => working(member, async () => {
    await resendInvitation(member.user_id);
    tell(`Invitation sent again to ${member.email}`);
  });

  const withdraw = (member: Member) => working(member, async () => {
    await withdrawInvitation(member.user_id);
    drop(member.user_id);
    tell(`Invitation to ${member.email} withdrawn`);
  });

  const setRole = (member: Member, next: Role) => working(member, async () => {
    replace((await changeRole(member.user_id, next)).body);
    tell(`${member.name || member.email} is now ${ROLES.find((each) => each.value === next)?.label.toLowerCase() ?? next}`);
    // The signed-in person's own role may have changed: the top bar shows what it allows.
    await loadSession();
  });

  const remove = (member: Member) => working(member, async () => {
    await removeMember(member.user_id);
    drop(member.user_id);
    tell(`${member.name || member.email} removed from the project`);
    await loadSession();
  });

  return { members, forbidden, failure, busy, email, name, role, problems, adding, load, add, resend, withdraw, setRole, remove };
}

export type MembersState = ReturnType<typeof createMembers>;

/** By name, then address: the order people look names up in. */
function sortMembers(list: Member[]): Member[] {
  return [...list].sort((a, b) => (a.name || a.email).localeCompare(b.name || b.email) || a.email.localeCompare(b.email));
}
