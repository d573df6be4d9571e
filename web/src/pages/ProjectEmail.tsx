// The project's email channel, for admins: its addresses, what a reply to a finished ticket does, the
// acknowledgement of a new request, and the mail log (messages that became no ticket) with release
// and delete, each confirmed.
import { useEffect, useMemo, useRef, useState } from "preact/hooks";
import type { MailLogEntry, MailStatus } from "../api/mail";
import { Icon } from "../components/Icon";
import { ago, exact } from "../format";
import { activeProject, session } from "../session";
import { project } from "../state/project";
import {
  acknowledgementFor, createMailLog, createProjectEmail, MAIL_STATUSES, type MailLogState, MAX_ALIASES,
  type ProjectEmailState, REPLY_TO_CLOSED,
} from "../state/projectEmail";

export function ProjectEmail() {
  const settings = useMemo(createProjectEmail, []);
  const log = useMemo(createMailLog, []);
  const admin = session.value?.projects.find((each) => each.id === activeProject())?.role === "admin";

  useEffect(() => {
    document.title = "Email · Ticketry";
    if (!admin) return;
    settings.load();
    log.load();
  }, []);

  if (!admin || log.forbidden.value) {
    return (
      <main id="main" class="page">
        <h1>Email</h1>
        <p class="alert error" role="alert">Only the project's admins can see and change its email settings.</p>
      </main>
    );
  }
  return (
    <main id="main" class="page settings project-email">
      <h1>Email</h1>
      <p class="muted">
        Mail sent to {project.value?.name ?? "the project"}'s addresses becomes a ticket, and an answer to a ticket's email
        is added to it. Replies written on a ticket go to its requester from the project's address.
      </p>
      {settings.failure.value && (
        <div class="alert error" role="alert">
          The email settings could not be loaded: {settings.failure.value}
          <button type="button" onClick={() => settings.load()}>Try again</button>
        </div>
      )}
      {!settings.saved.value && !settings.failure.value && <p class="loading" role="status">Loading the email settings…</p>}
      {settings.saved.value && <SettingsForm state={settings} />}
      <MailLog log={log} />
    </main>
  );
}

function SettingsForm({ state }: { state: ProjectEmailState }) {
  const saved = state.saved.value!;
  const problems = state.problems.value;
  const key = project.value?.key ?? "OPS";
  const error = (name: string) => problems[name] && <p class="field-error" id={`email-${name}-error`} role="alert">{problems[name]}</p>;

  function save(event: Event) {
    event.preventDefault();
    state.save();
  }

  return (
    <form class="email-form" onSubmit={save} novalidate aria-busy={state.saving.value ? "true" : "false"}>
      <h2 class="section-title">Addresses</h2>
      <dl class="facts">
        <dt>Project address</dt>
        <dd>
          {saved.address ? <span class="mono">{saved.address}</span> : (
            <span class="muted">None yet: saving these settings claims the address made of this project's key, unless another project holds it (mail then comes in through the aliases).</span>
          )}
        </dd>
      </dl>
      <div class="field aliases">
        <span class="label" id="aliases-title">Aliases</span>
        <p class="muted small" id="aliases-hint">
          Other addresses whose mail comes here too (forward them to the project address), at most {MAX_ALIASES}.
        </p>
        {state.aliases.value.length === 0 ? (
          <p class="muted">No aliases.</p>
        ) : (
          <ul class="alias-list" aria-labelledby="aliases-title">
            {state.aliases.value.map((address) => (
              <li key={address}>
                <span class="mono">{address}</span>
                <button type="button" class="ghost small" aria-label={`Remove alias ${address}`} onClick={() => state.removeAlias(address)}>
                  <Icon name="x" size={12} /> Remove
                </button>
              </li>
            ))}
          </ul>
        )}
        {error("aliases")}
        <div class="alias-add">
          <label for="email-alias" class="sr-only">Alias to add</label>
          <input id="email-alias" type="email" autocomplete="off" spellcheck={false} placeholder="support@example.com"
            value={state.aliasInput.value} aria-describedby={problems.alias ? "email-alias-error" : "aliases-hint"}
            aria-invalid={problems.alias ? "true" : undefined}
            disabled={state.aliases.value.length >= MAX_ALIASES}
            onInput={(event) => (state.aliasInput.value = (event.target as HTMLInputElement).value)}
            onKeyDown={(event) => {
              if (event.key === "Enter") {
                event.preventDefault();
                state.addAlias();
              }
            }} />
          <button type="button" onClick={() => state.addAlias()} disabled={state.aliases.value.length >= MAX_ALIASES}>
            <Icon name="plus" /> Add alias
          </button>
        </div>
        {error("alias")}
      </div>

      <fieldset class="group">
        <legend>A reply to a closed or canceled ticket</legend>
        {REPLY_TO_CLOSED.map(([value, label, hint]) => (
          <label key={value} class="check choice">
            <input type="radio" name="reply-to-closed" value={value} checked={state.replyToClosed.value === value}
              onChange={() => (state.replyToClosed.value = value)} />
            <span>
              {label}
              <span class="muted small hint">{hint}</span>
            </span>
          </label>
        ))}
        <p class="muted small">A reply to a resolved ticket always reopens it.</p>
        {error("reply_to_closed")}
      </fieldset>

      <fieldset class="group">
        <legend>Acknowledgement</legend>
        <label class="check">
          <input type="checkbox" checked={state.acknowledge.value}
            onChange={(event) => (state.acknowledge.value = (event.target as HTMLInputElement).checked)} />
          Answer each new request by email with an acknowledgement
        </label>
        <label for="email-acknowledgement">Acknowledgement text</label>
        <textarea id="email-acknowledgement" rows={3} value={state.acknowledgement.value} disabled={!state.acknowledge.value}
          aria-describedby={problems.acknowledgement ? "email-acknowledgement-error" : "acknowledgement-hint"}
          aria-invalid={problems.acknowledgement ? "true" : undefined}
          onInput={(event) => (state.acknowledgement.value = (event.target as HTMLTextAreaElement).value)} />
        {error("acknowledgement")}
        <p class="muted small" id="acknowledgement-hint">
          <code>{"{key}"}</code> and <code>{"{title}"}</code> become the new ticket's key and title. Not sent to
          automatic mail, nor more than once an hour to the same sender.
        </p>
        {state.acknowledge.value && (
          <p class="preview small">
            <span class="muted">As a requester reads it: </span>
            {acknowledgementFor(state.acknowledgement.value, `${key}-42`, "Printer on fire")}
          </p>
        )}
      </fieldset>
      {error("form")}
      <div class="row">
        <button type="submit" class="primary" disabled={state.saving.value || !state.changed.value}>
          {state.saving.value ? "Saving…" : "Save email settings"}
        </button>
      </div>
    </form>
  );
}

type Pending = { action: "release" | "delete"; entry: MailLogEntry };

function MailLog({ log }: { log: MailLogState }) {
  const dialog = useRef<HTMLDialogElement | null>(null);
  const [pending, setPending] = useState<Pending | null>(null);
  const entries = log.entries.value;

  function ask(action: Pending["action"], entry: MailLogEntry) {
    setPending({ action, entry });
    dialog.current?.showModal();
  }

  async function confirmed(event: Event) {
    event.preventDefault();
    dialog.current?.close();
    if (!pending) return;
    if (pending.action === "release") await log.release(pending.entry);
    else await log.remove(pending.entry);
    setPending(null);
  }

  return (
    <section class="mail-log" aria-labelledby="mail-log-title">
      <h2 class="section-title" id="mail-log-title">Mail log</h2>
      <p class="muted">
        Mail that became no ticket: <strong>quarantined</strong> failed the spam, virus or sender checks,{" "}
        <strong>failed</strong> could not be read, <strong>ignored</strong> was automatic mail, a bounce or a loop.
        Releasing a message tickets it anyway.
      </p>
      <div class="row">
        <label for="mail-status" class="inline">Show</label>
        <select id="mail-status" value={log.status.value ?? ""}
          onChange={(event) => log.load(((event.target as HTMLSelectElement).value || null) as MailStatus | null)}>
          <option value="">All messages</option>
          {MAIL_STATUSES.map(([value, label]) => <option key={value} value={value}>{label}</option>)}
        </select>
      </div>
      {log.failure.value && (
        <div class="alert error" role="alert">
          The mail log could not be loaded: {log.failure.value}
          <button type="button" onClick={() => log.load()}>Try again</button>
        </div>
      )}
      {entries === null && !log.failure.value && <p class="loading" role="status">Loading the mail log…</p>}
      {entries?.length === 0 && <p class="muted" role="status">No messages{log.status.value ? " with this status" : ""}.</p>}
      {entries && entries.length > 0 && (
        <div class="table-wrap">
          <table class="data-table mail-log-table" aria-labelledby="mail-log-title">
            <thead>
              <tr>
                <th scope="col">Received</th>
                <th scope="col">From</th>
                <th scope="col">Subject</th>
                <th scope="col">Status</th>
                <th scope="col"><span class="sr-only">Actions</span></th>
              </tr>
            </thead>
            <tbody>
              {entries.map((entry) => (
                <MailRow key={entry.id} entry={entry} busy={log.busy.value.has(entry.id)} onAsk={ask} />
              ))}
            </tbody>
          </table>
          {log.cursor.value && (
            <div class="more">
              <button type="button" onClick={log.loadMore}>Load more</button>
            </div>
          )}
        </div>
      )}
      <dialog ref={dialog} class="card" aria-labelledby="mail-confirm-title" onClose={() => setPending(null)}>
        <form method="dialog" onSubmit={confirmed}>
          <h2 id="mail-confirm-title" class="dialog-title">
            {pending?.action === "release" ? "Release this message?" : "Delete this message?"}
          </h2>
          {pending && (
            <p>
              “{pending.entry.subject || "(no subject)"}” from {pending.entry.sender}{" "}
              {pending.action === "release"
                ? "becomes a ticket (or a comment on the ticket it answers), although it was held back."
                : "is deleted for good, with its entry in the log."}
            </p>
          )}
          <div class="row">
            <button type="submit" class={pending?.action === "delete" ? "danger" : "primary"}>
              {pending?.action === "release" ? "Release" : "Delete"}
            </button>
            <button type="button" onClick={() => dialog.current?.close()} autofocus>Cancel</button>
          </div>
        </form>
      </dialog>
    </section>
  );
}

function MailRow({ entry, busy, onAsk }: { entry: MailLogEntry; busy: boolean; onAsk: (action: Pending["action"], entry: MailLogEntry) => void }) {
  const label = MAIL_STATUSES.find(([value]) => value === entry.status)?.[1] ?? entry.status;
  const about = `${entry.subject || "(no subject)"} from ${entry.sender}`;
  return (
    <tr aria-busy={busy ? "true" : "false"}>
      <td>
        <time dateTime={entry.received_at} title={exact(entry.received_at)}>{ago(entry.received_at)}</time>
      </td>
      <td class="sender">{entry.sender || <span class="muted">unknown</span>}</td>
      <td class="subject">{entry.subject || <span class="muted">(no subject)</span>}</td>
      <td class="status">
        <span class={`pill mail-${entry.status}`}>{label}</span>
        {entry.reasons.length > 0 && <span class="reasons muted small">{entry.reasons.join(", ")}</span>}
        {entry.ticket_id && project.value && (
          <a class="small reasons" href={`projects/${project.value.id}/tickets/${entry.ticket_id}`}>Open its ticket</a>
        )}
      </td>
      <td>
        <div class="member-actions">
          {entry.status === "quarantined" && (
            <button type="button" disabled={busy} aria-label={`Release ${about}`} onClick={() => onAsk("release", entry)}>
              Release
            </button>
          )}
          <button type="button" class="danger-text" disabled={busy} aria-label={`Delete ${about}`} onClick={() => onAsk("delete", entry)}>
            Delete
          </button>
        </div>
      </td>
    </tr>
  );
}
