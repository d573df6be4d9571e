// A new ticket: the API's own rules checked before sending, and its messages shown by the fields.
import { useEffect, useRef, useState } from "preact/hooks";
import { api, ApiError } from "./api";
import { fromLocalInput, severityLabel } from "./format";
import { useShortcuts } from "./keys";
import { AssigneeOptions } from "./list";
import { navigate } from "./router";
import { openedFrom, tell } from "./state";
import { SEVERITIES, type Ticket } from "./types";

// The same limits as the API's TicketCreate.
const MAX_TITLE = 256;
const MAX_DESCRIPTION = 65536;
const MAX_TAGS = 20;
const MAX_TAG_LENGTH = 64;

type Fields = "title" | "description" | "severity" | "assignee" | "tags" | "due_date";

function parseTags(text: string): string[] {
  return text.split(",").map((tag) => tag.trim().toLowerCase()).filter(Boolean);
}

export function checkTicket(values: { title: string; description: string; tags: string; due: string }): Partial<Record<Fields, string>> {
  const problems: Partial<Record<Fields, string>> = {};
  if (!values.title.trim()) problems.title = "A ticket needs a title";
  else if (values.title.length > MAX_TITLE) problems.title = `At most ${MAX_TITLE} characters (now ${values.title.length})`;
  if (values.description.length > MAX_DESCRIPTION) problems.description = `At most ${MAX_DESCRIPTION} characters`;
  const tags = parseTags(values.tags);
  if (tags.length > MAX_TAGS) problems.tags = `At most ${MAX_TAGS} tags`;
  else if (tags.some((tag) => tag.length > MAX_TAG_LENGTH)) problems.tags = `A tag has at most ${MAX_TAG_LENGTH} characters`;
  if (values.due && Number.isNaN(new Date(values.due).getTime())) problems.due_date = "Not a date and time";
  return problems;
}

export function NewTicket({ projectId }: { projectId: string }) {
  const [title, setTitle] = useState("");
  const [description, setDescription] = useState("");
  const [severity, setSeverity] = useState("medium");
  const [assignee, setAssignee] = useState("");
  const [tags, setTags] = useState("");
  const [due, setDue] = useState("");
  const [problems, setProblems] = useState<Partial<Record<Fields, string>>>({});
  const [general, setGeneral] = useState<string | null>(null);
  const [sending, setSending] = useState(false);
  const titleRef = useRef<HTMLInputElement | null>(null);
  const back = openedFrom.value?.listPath ?? `projects/${projectId}`;

  useEffect(() => {
    document.title = "New ticket · Ticketry";
    titleRef.current?.focus();
  }, []);
  useShortcuts({ Escape: () => navigate(back) });

  async function submit(event: Event) {
    event.preventDefault();
    const found = checkTicket({ title, description, tags, due });
    setProblems(found);
    setGeneral(null);
    if (Object.keys(found).length) {
      document.getElementById(`new-${Object.keys(found)[0]}`)?.focus();
      return;
    }
    setSending(true);
    try {
      const body: Record<string, unknown> = { title: title.trim(), description, severity, tags: parseTags(tags), source: "web" };
      if (assignee) body.assignee = assignee;
      if (due) body.due_date = fromLocalInput(due);
      const reply = await api.post<Ticket>("/tickets", body);
      tell(`${reply.body.key} created`);
      navigate(`projects/${projectId}/tickets/${reply.body.key}`);
    } catch (error) {
      if (error instanceof ApiError && error.details.length) {
        const byField: Partial<Record<Fields, string>> = {};
        for (const detail of error.details) {
          const field = detail.field.split(".")[0] as Fields;
          byField[field] = detail.message;
        }
        setProblems(byField);
        setGeneral(error.message);
      } else {
        setGeneral(error instanceof ApiError ? error.message : String(error));
      }
    } finally {
      setSending(false);
    }
  }

  const invalid = (field: Fields) => (problems[field] ? { "aria-invalid": "true" as const, "aria-describedby": `error-${field}` } : {});
  const problem = (field: Fields) =>
    problems[field] ? (
      <p class="field-error" id={`error-${field}`}>
        {problems[field]}
      </p>
    ) : null;

  return (
    <main id="main" class="page">
      <form class="card new-ticket" onSubmit={submit} novalidate aria-labelledby="new-ticket-heading">
        <h1 id="new-ticket-heading">New ticket</h1>
        {general && (
          <p class="alert error" role="alert">
            {general}
          </p>
        )}
        <label for="new-title">Title</label>
        <input id="new-title" ref={titleRef} value={title} maxLength={MAX_TITLE + 1} onInput={(e) => setTitle((e.target as HTMLInputElement).value)} {...invalid("title")} />
        {problem("title")}
        <label for="new-description">Description</label>
        <textarea id="new-description" rows={8} value={description} placeholder="Markdown works here." onInput={(e) => setDescription((e.target as HTMLTextAreaElement).value)} {...invalid("description")} />
        {problem("description")}
        <div class="grid-2">
          <div>
            <label for="new-severity">Severity</label>
            <select id="new-severity" value={severity} onChange={(e) => setSeverity((e.target as HTMLSelectElement).value)} {...invalid("severity")}>
              {SEVERITIES.map((value) => (
                <option key={value} value={value}>
                  {severityLabel(value)}
                </option>
              ))}
            </select>
            {problem("severity")}
          </div>
          <div>
            <label for="new-assignee">Assignee</label>
            <select id="new-assignee" value={assignee} onChange={(e) => setAssignee((e.target as HTMLSelectElement).value)} {...invalid("assignee")}>
              <option value="">Project default</option>
              <AssigneeOptions />
            </select>
            {problem("assignee")}
          </div>
          <div>
            <label for="new-tags">Tags</label>
            <input id="new-tags" value={tags} placeholder="db, network" onInput={(e) => setTags((e.target as HTMLInputElement).value)} {...invalid("tags")} />
            {problem("tags")}
          </div>
          <div>
            <label for="new-due_date">Due date</label>
            <input id="new-due_date" type="datetime-local" value={due} onInput={(e) => setDue((e.target as HTMLInputElement).value)} {...invalid("due_date")} />
            {problem("due_date")}
          </div>
        </div>
        <div class="row">
          <button type="submit" class="primary" disabled={sending}>
            {sending ? "Creating…" : "Create"}
          </button>
          <a class="button" href={back}>
            Cancel
          </a>
        </div>
      </form>
    </main>
  );
}
