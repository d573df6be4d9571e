// The project's members, for its admins: add people by email, follow their invitations, set roles.
import { useEffect, useMemo, useRef, useState } from "preact/hooks";
import type { Member, Role } from "../api/members";
import { ago, exact } from "../format";
import { session } from "../session";
import { project } from "../state/project";
import { createMembers, type MembersState, ROLES } from "../state/members";

export function Members() {
  const state = useMemo(createMembers, []);
  const confirm = useRef<HTMLDialogElement | null>(null);
  const [leaving, setLeaving] = useState<Member | null>(null);
  const members = state.members.value;

  useEffect(() => {
    document.title = "Members · Ticketry";
    state.load();
  }, []);

  function add(event: Event) {
    event.preventDefault();
    state.add();
  }

  function askToRemove(member: Member) {
    setLeaving(member);
    confirm.current?.showModal();
  }

  async function removeConfirmed(event: Event) {
    event.preventDefault();
    confirm.current?.close();
    if (leaving) await state.remove(leaving);
    setLeaving(null);
  }

  if (state.forbidden.value) {
    return (
      <main id="main" class="page">
        <h1>Members</h1>
        <p class="alert error" role="alert">Only the project's admins can see and change its members.</p>
      </main>
    );
  }
  return (
    <main id="main" class="page settings">
      <h1>Members</h1>
      <p class="muted">
        People in {project.value?.name ?? "this project"}. Someone without a Ticketry account gets an invitation by email and shows as invited until they first sign in.
      </p>
      <AddMember state={state} onSubmit={add} />
      {state.failure.value && (
        <div class="alert error" role="alert">
          The members could not be loaded: {state.failure.value}
          <button type="button" onClick={() => state.load()}>Try again</button>
        </div>
      )}
      {!members && !state.failure.value && <p class="loading" role="status">Loading the members…</p>}
      {members && (
        <div class="table-wrap">
          <table class="data-table members" aria-label="Members">
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Email</th>
                <th scope="col">Role</th>
                <th scope="col">State</th>
                <th scope="col"><span class="sr-only">Actions</span></th>
              </tr>
            </thead>
            <tbody>
              {members.map((member) => (
                <MemberRow key={member.user_id} member={member} state={state} onRemove={askToRemove} />
              ))}
            </tbody>
          </table>
        </div>
      )}
      <dialog ref={confirm} class="card" aria-labelledby="remove-title" onClose={() => setLeaving(null)}>
        <form method="dialog" onSubmit={removeConfirmed}>
          <h2 id="remove-title" class="dialog-title">Remove {leaving ? leaving.name || leaving.email : "member"}?</h2>
          <p>
            They lose access to {project.value?.name ?? "the project"} at once, and their API keys stop working. Their tickets, comments and history stay.
          </p>
          <div class="row">
            <button type="submit" class="danger">Remove</button>
            <button type="button" onClick={() => confirm.current?.close()} autofocus>Cancel</button>
          </div>
        </form>
      </dialog>
    </main>
  );
}

function AddMember({ state, onSubmit }: { state: MembersState; onSubmit: (event: Event) => void }) {
  const problems = state.problems.value;
  const field = (name: string) => ({
    "aria-invalid": problems[name] ? ("true" as const) : undefined,
    "aria-describedby": problems[name] ? `member-${name}-error` : undefined,
  });
  return (
    <form class="add-member" onSubmit={onSubmit} aria-labelledby="add-member-title" novalidate>
      <h2 id="add-member-title" class="section-title">Add a member</h2>
      <div class="add-member-fields">
        <div class="field">
          <label for="member-email">Email</label>
          <input id="member-email" type="email" autocomplete="off" spellcheck={false} value={state.email.value}
            onInput={(event) => (state.email.value = (event.target as HTMLInputElement).value)} required {...field("email")} />
          {problems.email && <p class="field-error" id="member-email-error" role="alert">{problems.email}</p>}
        </div>
        <div class="field">
          <label for="member-name">
            Name <span class="muted optional">(optional)</span>
          </label>
          <input id="member-name" autocomplete="off" maxLength={100} value={state.name.value}
            onInput={(event) => (state.name.value = (event.target as HTMLInputElement).value)} {...field("name")} />
          {problems.name && <p class="field-error" id="member-name-error" role="alert">{problems.name}</p>}
        </div>
        <div class="field">
          <label for="member-role">Role</label>
          <select id="member-role" value={state.role.value} onChange={(event) => (state.role.value = (event.target as HTMLSelectElement).value as Role)} {...field("role")}>
            {ROLES.map((role) => <option key={role.value} value={role.value}>{role.label}</option>)}
          </select>
          {problems.role && <p class="field-error" id="member-role-error" role="alert">{problems.role}</p>}
        </div>
        <button type="submit" class="primary" disabled={state.adding.value}>
          {state.adding.value ? "Adding…" : "Add member"}
        </button>
      </div>
      {problems.form && <p class="field-error" role="alert">{problems.form}</p>}
    </form>
  );
}

function MemberRow({ member, state, onRemove }: { member: Member; state: MembersState; onRemove: (member: Member) => void }) {
  const busy = state.busy.value.has(member.user_id);
  const who = member.name || member.email;
  const isMe = !!member.account_id && session.value?.principal.account_id === member.account_id;
  return (
    <tr aria-busy={busy ? "true" : "false"}>
      <td>
        {member.name || <span class="muted">No name yet</span>}
        {isMe && <span class="muted small"> (you)</span>}
      </td>
      <td>{member.email}</td>
      <td>
        <select
          aria-label={`Role of ${who}`}
          value={member.role}
          disabled={busy}
          onChange={(event) => state.setRole(member, (event.target as HTMLSelectElement).value as Role)}
        >
          {ROLES.map((role) => <option key={role.value} value={role.value}>{role.label}</option>)}
        </select>
      </td>
      <td>
        {member.state === "invited" ? (
          <span class="pill invited">Invited</span>
        ) : member.last_sign_in_at ? (
          <span>
            Signed in <time dateTime={member.last_sign_in_at} title={exact(member.last_sign_in_at)}>{ago(member.last_sign_in_at)}</time>
          </span>
        ) : (
          <span>Active</span>
        )}
      </td>
      <td>
        <div class="member-actions">
        {member.state === "invited" ? (
          <>
            <button type="button" disabled={busy} aria-label={`Resend invitation to ${member.email}`} onClick={() => state.resend(member)}>
              Resend invitation
            </button>
            <button type="button" disabled={busy} aria-label={`Withdraw invitation to ${member.email}`} onClick={() => state.withdraw(member)}>
              Withdraw
            </button>
          </>
        ) : (
          <button type="button" class="danger-text" disabled={busy} aria-label={`Remove ${who}`} onClick={() => onRemove(member)}>
            Remove
          </button>
        )}
        </div>
      </td>
    </tr>
  );
}
