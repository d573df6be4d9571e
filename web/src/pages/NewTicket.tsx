// A new ticket: the API's own rules checked before sending, and its messages shown by the fields.
import { useEffect, useMemo, useRef } from "preact/hooks";
import { SEVERITIES, type Severity } from "../api/enums";
import { AssigneeOptions } from "../components/AssigneeOptions";
import { MentionTextarea } from "../components/MentionTextarea";
import { severityLabel } from "../format";
import { useShortcuts } from "../keys";
import { navigate } from "../router";
import { createNewTicket, type Field, MAX_TITLE } from "../state/newTicket";
import { tell } from "../state/notice";
import { openedFrom } from "../state/trail";

const value = (event: Event) => (event.target as HTMLInputElement).value;

export function NewTicket({ projectId }: { projectId: string }) {
  const form = useMemo(createNewTicket, []);
  const titleRef = useRef<HTMLInputElement | null>(null);
  const back = openedFrom.value?.listPath ?? `projects/${projectId}`;
  const problems = form.problems.value;

  useEffect(() => {
    document.title = "New ticket · Ticketry";
    titleRef.current?.focus();
  }, []);
  useShortcuts({ Escape: () => navigate(back) });

  async function submit(event: Event) {
    event.preventDefault();
    const created = await form.submit();
    if (created) {
      tell(`${created.key} created`);
      navigate(`projects/${projectId}/tickets/${created.key}`);
      return;
    }
    const first = Object.keys(form.problems.value)[0];
    if (first && !form.general.value) document.getElementById(`new-${first}`)?.focus();
  }

  const invalid = (field: Field) => (problems[field] ? { "aria-invalid": "true" as const, "aria-describedby": `error-${field}` } : {});
  const problem = (field: Field) =>
    problems[field] ? (
      <p class="field-error" id={`error-${field}`}>
        {problems[field]}
      </p>
    ) : null;

  return (
    <main id="main" class="page">
      <form class="card new-ticket" onSubmit={submit} novalidate aria-labelledby="new-ticket-heading">
        <h1 id="new-ticket-heading">New ticket</h1>
        {form.general.value && (
          <p class="alert error" role="alert">
            {form.general.value}
          </p>
        )}
        <label for="new-title">Title</label>
        <input id="new-title" ref={titleRef} value={form.title.value} maxLength={MAX_TITLE + 1} onInput={(e) => (form.title.value = value(e))} {...invalid("title")} />
        {problem("title")}
        <label for="new-description">Description</label>
        <MentionTextarea id="new-description" rows={8} value={form.description.value}
          placeholder="Markdown works here; @ mentions someone." onValue={(text) => (form.description.value = text)}
          invalid={!!problems.description} describedBy={problems.description ? "error-description" : undefined} />
        {problem("description")}
        <div class="grid-2">
          <div>
            <label for="new-severity">Severity</label>
            <select id="new-severity" value={form.severity.value} onChange={(e) => (form.severity.value = value(e) as Severity)} {...invalid("severity")}>
              {SEVERITIES.map((severity) => (
                <option key={severity} value={severity}>
                  {severityLabel(severity)}
                </option>
              ))}
            </select>
            {problem("severity")}
          </div>
          <div>
            <label for="new-assignee">Assignee</label>
            <select id="new-assignee" value={form.assignee.value} onChange={(e) => (form.assignee.value = value(e))} {...invalid("assignee")}>
              <option value="">Project default</option>
              <AssigneeOptions />
            </select>
            {problem("assignee")}
          </div>
          <div>
            <label for="new-tags">Tags</label>
            <input id="new-tags" value={form.tags.value} placeholder="db, network" onInput={(e) => (form.tags.value = value(e))} {...invalid("tags")} />
            {problem("tags")}
          </div>
          <div>
            <label for="new-due_date">Due date</label>
            <input id="new-due_date" type="datetime-local" value={form.due.value} onInput={(e) => (form.due.value = value(e))} {...invalid("due_date")} />
            {problem("due_date")}
          </div>
        </div>
        <div class="row">
          <button type="submit" class="primary" disabled={form.sending.value}>
            {form.sending.value ? "Creating…" : "Create"}
          </button>
          <a class="button" href={back}>
            Cancel
          </a>
        </div>
      </form>
    </main>
  );
}
