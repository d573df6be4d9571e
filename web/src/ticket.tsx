// One ticket: inline edits guarded by its ETag, the timeline, comments and attachments.
import { signal } from "@preact/signals";
import { useEffect, useRef, useState } from "preact/hooks";
import { api, ApiError } from "./api";
import { ago, bytes, describeEntry, exact, fromLocalInput, severityLabel, statusLabel, toLocalInput } from "./format";
import { Icon } from "./icons";
import { useShortcuts } from "./keys";
import { AssigneeOptions } from "./list";
import { navigate } from "./router";
import { SlaPanel } from "./sla";
import { useNow } from "./clock";
import { nameOf, names, openedFrom, project, tell } from "./state";
import { type Attachment, type HistoryEntry, type Page, SEVERITIES, type Status, type TicketDetail } from "./types";

// The everyday moves, offered as one click when the workflow allows them.
const QUICK_MOVES: [Status, string][] = [
  ["acknowledged", "Acknowledge"],
  ["in_progress", "Start"],
  ["resolved", "Resolve"],
  ["closed", "Close"],
];

// The Markdown renderer and sanitiser are most of the code's weight: the list never loads them.
const renderer = signal<((source: string) => string) | null>(null);
const loadRenderer = () => import("./markdown").then((module) => (renderer.value = module.renderMarkdown));

function Markdown({ source }: { source: string }) {
  if (!renderer.value) {
    loadRenderer();
    return <div class="markdown pending">{source}</div>;
  }
  return <div class="markdown" dangerouslySetInnerHTML={{ __html: renderer.value(source) }} />;
}

function Entry({ entry }: { entry: HistoryEntry }) {
  const who = entry.changed_by === "system" ? "Ticketry" : nameOf(entry.changed_by);
  return (
    <li class={`entry ${entry.event === "COMMENT_ADDED" ? "comment" : "change"}`}>
      <div class="entry-head">
        <span class="avatar" aria-hidden="true">
          {who.charAt(0).toUpperCase()}
        </span>
        <span>
          <strong>{who}</strong> {describeEntry(entry)}
          {", "}
          <time dateTime={entry.timestamp} title={exact(entry.timestamp)}>
            {ago(entry.timestamp)}
          </time>
        </span>
      </div>
      {entry.event === "COMMENT_ADDED" && entry.comment && <Markdown source={entry.comment} />}
    </li>
  );
}

interface Upload {
  name: string;
  sent: number;
  total: number;
}

function sendToStorage(url: string, fields: Record<string, string>, file: File, progress: (sent: number) => void) {
  return new Promise<void>((resolve, reject) => {
    const form = new FormData();
    for (const [name, value] of Object.entries(fields)) form.append(name, value);
    form.append("file", file);
    const request = new XMLHttpRequest();
    request.open("POST", url);
    request.upload.onprogress = (event) => progress(event.loaded);
    request.onload = () => (request.status < 300 ? resolve() : reject(new Error(`the storage refused the file (${request.status})`)));
    request.onerror = () => reject(new Error("the upload was interrupted"));
    request.send(form);
  });
}

function Attachments({ ticket, onChange }: { ticket: TicketDetail; onChange: () => void }) {
  const [uploads, setUploads] = useState<Upload[]>([]);
  const [dragging, setDragging] = useState(false);
  const limits = project.value?.limits;
  const input = useRef<HTMLInputElement | null>(null);

  async function upload(files: FileList | File[]) {
    for (const file of Array.from(files)) {
      if (limits && file.size > limits.attachment_bytes) {
        tell(`${file.name} is ${bytes(file.size)}; files can be at most ${bytes(limits.attachment_bytes)}`, "error");
        continue;
      }
      const entry: Upload = { name: file.name, sent: 0, total: file.size };
      setUploads((current) => [...current, entry]);
      const progress = (sent: number) => setUploads((current) => current.map((u) => (u === entry ? Object.assign(entry, { sent }) : u)));
      try {
        const started = await api.post<{ attachment: Attachment; upload: { url: string; fields: Record<string, string> } }>(
          `/tickets/${ticket.id}/attachments`,
          { file_name: file.name, content_type: file.type || "application/octet-stream", size: file.size },
        );
        await sendToStorage(started.body.upload.url, started.body.upload.fields, file, progress);
        await api.post(`/tickets/${ticket.id}/attachments/${started.body.attachment.id}/complete`, {});
        tell(`${file.name} attached`);
      } catch (error) {
        const message = error instanceof ApiError ? error.forField("content_type") ?? error.forField("size") ?? error.message : String((error as Error).message ?? error);
        tell(`${file.name} was not attached: ${message}`, "error");
      } finally {
        setUploads((current) => current.filter((u) => u !== entry));
        onChange();
      }
    }
  }

  async function download(event: MouseEvent, attachment: Attachment) {
    event.preventDefault();
    try {
      const reply = await api.get<Attachment>(`/tickets/${ticket.id}/attachments/${attachment.id}`);
      if (reply.body.download_url) location.assign(reply.body.download_url);
    } catch (error) {
      tell(error instanceof ApiError ? error.message : String(error), "error");
    }
  }

  async function remove(attachment: Attachment) {
    if (!confirm(`Remove ${attachment.file_name}?`)) return;
    try {
      await api.delete(`/tickets/${ticket.id}/attachments/${attachment.id}`);
      onChange();
    } catch (error) {
      tell(error instanceof ApiError ? error.message : String(error), "error");
    }
  }

  const available = ticket.attachments.filter((a) => a.status === "available");
  return (
    <section
      class={`attachments ${dragging ? "dragging" : ""}`}
      aria-labelledby="attachments-title"
      onDragOver={(event) => {
        event.preventDefault();
        setDragging(true);
      }}
      onDragLeave={() => setDragging(false)}
      onDrop={(event) => {
        event.preventDefault();
        setDragging(false);
        if (event.dataTransfer?.files.length) upload(event.dataTransfer.files);
      }}
    >
      <h2 id="attachments-title">Attachments</h2>
      {available.length > 0 ? (
        <ul class="files">
          {available.map((attachment) => (
            <li key={attachment.id}>
              {attachment.content_type.startsWith("image/") && attachment.download_url && (
                <img class="thumb" src={attachment.download_url} alt="" loading="lazy" />
              )}
              <a href={attachment.download_url ?? "#"} data-external onClick={(event) => download(event, attachment)}>
                <Icon name="download" /> {attachment.file_name}
              </a>
              <span class="muted small">
                {bytes(attachment.size)} · {attachment.content_type}
              </span>
              <button type="button" class="ghost tiny" aria-label={`Remove ${attachment.file_name}`} onClick={() => remove(attachment)}>
                <Icon name="trash" size={14} />
              </button>
            </li>
          ))}
        </ul>
      ) : (
        <p class="muted small">No files yet.</p>
      )}
      {uploads.map((u) => (
        <div class="upload" key={u.name}>
          <label>
            Uploading {u.name}
            <progress max={u.total || 1} value={u.sent} />
          </label>
        </div>
      ))}
      <div class="dropzone">
        <Icon name="clip" />
        <span>
          Drop files here or{" "}
          <button type="button" class="link" onClick={() => input.current?.click()}>
            choose files
          </button>
        </span>
        <label class="sr-only" for="attach">
          Attach files
        </label>
        <input id="attach" ref={input} class="sr-only" type="file" multiple onChange={(e) => {
          const files = (e.target as HTMLInputElement).files;
          if (files?.length) upload(Array.from(files));
          (e.target as HTMLInputElement).value = "";
        }} />
        {limits && (
          <span class="muted small">
            Up to {bytes(limits.attachment_bytes)} each, {limits.attachments_per_ticket} per ticket. Scripts and HTML are refused.
          </span>
        )}
      </div>
    </section>
  );
}

function CommentBox({ ticketId, onAdded }: { ticketId: string; onAdded: () => void }) {
  const [text, setText] = useState("");
  const [problem, setProblem] = useState<string | null>(null);
  const [sending, setSending] = useState(false);

  async function send(event?: Event) {
    event?.preventDefault();
    if (!text.trim() || sending) return;
    setSending(true);
    try {
      await api.post(`/tickets/${ticketId}/comments`, { comment: text });
      setText("");
      setProblem(null);
      onAdded();
    } catch (error) {
      setProblem(error instanceof ApiError ? error.forField("comment") ?? error.message : String(error));
    } finally {
      setSending(false);
    }
  }

  return (
    <form class="comment-box" onSubmit={send}>
      <label for="comment">Comment</label>
      <textarea
        id="comment"
        rows={4}
        value={text}
        placeholder="Markdown works here. Ctrl+Enter sends."
        aria-invalid={problem ? "true" : undefined}
        aria-describedby={problem ? "comment-error" : undefined}
        onInput={(e) => setText((e.target as HTMLTextAreaElement).value)}
        onKeyDown={(e) => {
          if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) {
            e.preventDefault();
            send();
          }
        }}
      />
      {problem && <p class="field-error" id="comment-error" role="alert">{problem}</p>}
      <button type="submit" class="primary" disabled={!text.trim() || sending}>
        Add comment
      </button>
    </form>
  );
}

export function TicketPage({ projectId, ticketId }: { projectId: string; ticketId: string }) {
  const [ticket, setTicket] = useState<TicketDetail | null>(null);
  const [etag, setEtag] = useState<string | null>(null);
  const [older, setOlder] = useState<HistoryEntry[]>([]);
  const [olderCursor, setOlderCursor] = useState<string | null>(null);
  const [failure, setFailure] = useState<ApiError | null>(null);
  const [conflict, setConflict] = useState(false);
  const [editingTitle, setEditingTitle] = useState(false);
  const [editingDescription, setEditingDescription] = useState(false);
  const [draftTitle, setDraftTitle] = useState("");
  const [draftDescription, setDraftDescription] = useState("");
  const [fieldProblem, setFieldProblem] = useState<Record<string, string>>({});
  const now = useNow(15_000);
  const status = useRef<HTMLSelectElement | null>(null);
  const severity = useRef<HTMLSelectElement | null>(null);
  const assignee = useRef<HTMLSelectElement | null>(null);

  async function load() {
    try {
      const reply = await api.get<TicketDetail>(`/tickets/${encodeURIComponent(ticketId)}`);
      setTicket(reply.body);
      setEtag(reply.etag);
      setOlder([]);
      setOlderCursor(reply.body.history_cursor);
      setConflict(false);
      setFailure(null);
    } catch (error) {
      setFailure(error instanceof ApiError ? error : new ApiError(0, "error", String(error)));
    }
  }

  useEffect(() => {
    load();
  }, [ticketId]);

  useEffect(() => {
    if (ticket) document.title = `${ticket.key} ${ticket.title} · Ticketry`;
  }, [ticket?.title]);

  async function change(fields: Record<string, unknown>): Promise<boolean> {
    if (!ticket) return false;
    try {
      await api.patch(`/tickets/${ticket.id}`, fields, etag ? { "If-Match": etag } : undefined);
      setFieldProblem({});
      await load();
      return true;
    } catch (error) {
      if (error instanceof ApiError && error.status === 412) {
        setConflict(true);
      } else if (error instanceof ApiError && error.details.length) {
        setFieldProblem(Object.fromEntries(error.details.map((d) => [d.field, d.message])));
        tell(error.message, "error");
      } else {
        tell(error instanceof ApiError ? error.message : String(error), "error");
      }
      return false;
    }
  }

  async function showOlder() {
    if (!olderCursor || !ticket) return;
    try {
      const reply = await api.get<Page<HistoryEntry>>(`/tickets/${ticket.id}/history`, { cursor: olderCursor });
      setOlder((current) => [...current, ...reply.body.data]);
      setOlderCursor(reply.body.cursor);
    } catch (error) {
      tell(error instanceof ApiError ? error.message : String(error), "error");
    }
  }

  const from = openedFrom.value;
  const listPath = from?.listPath ?? `projects/${projectId}`;
  const index = ticket && from ? from.keys.indexOf(ticket.key) : -1;
  const previous = index > 0 ? from!.keys[index - 1] : null;
  const next = index >= 0 && index < from!.keys.length - 1 ? from!.keys[index + 1] : null;

  useShortcuts({
    Escape: () => navigate(listPath),
    s: () => status.current?.focus(),
    a: () => assignee.current?.focus(),
    p: () => severity.current?.focus(),
  });

  if (failure) {
    return (
      <main id="main" class="page">
        <div class="empty" role="alert">
          <h1>{failure.status === 404 ? "Ticket not found" : "The ticket could not be loaded"}</h1>
          <p>{failure.status === 404 ? "It may have been deleted, or the link is mistyped." : failure.message}</p>
          <a class="button" href={listPath}>Back to the list</a>
        </div>
      </main>
    );
  }
  if (!ticket) {
    return (
      <main id="main" class="page">
        <p class="loading" role="status">Loading ticket…</p>
      </main>
    );
  }

  const timeline = [...ticket.history, ...older].slice().reverse();
  const moves = QUICK_MOVES.filter(([target]) => ticket.allowed_transitions.includes(target));
  const overdue = ticket.due_date && !["resolved", "closed", "canceled"].includes(ticket.status) && new Date(ticket.due_date) < new Date();
  return (
    <main id="main" class="page ticket">
      <nav class="crumbs" aria-label="Ticket navigation">
        <a href={listPath}>
          <Icon name="left" /> Tickets
        </a>
        <span class="key">{ticket.key}</span>
        <span class="spacer" />
        {previous && (
          <a class="button ghost" href={`projects/${projectId}/tickets/${previous}`} aria-label={`Previous ticket ${previous}`}>
            <Icon name="left" /> Previous
          </a>
        )}
        {next && (
          <a class="button ghost" href={`projects/${projectId}/tickets/${next}`} aria-label={`Next ticket ${next}`}>
            Next <Icon name="right" />
          </a>
        )}
      </nav>
      {conflict && (
        <div class="alert error" role="alert">
          Someone else changed this ticket after you opened it, so your change was not saved.{" "}
          <button type="button" onClick={load}>
            Reload the ticket
          </button>
        </div>
      )}
      <div class="ticket-grid">
        <article class="ticket-main">
          {editingTitle ? (
            <form
              class="title-edit"
              onSubmit={async (event) => {
                event.preventDefault();
                if (await change({ title: draftTitle.trim() })) setEditingTitle(false);
              }}
            >
              <label for="title">Title</label>
              <input id="title" value={draftTitle} maxLength={256} required onInput={(e) => setDraftTitle((e.target as HTMLInputElement).value)} />
              {fieldProblem.title && <p class="field-error" role="alert">{fieldProblem.title}</p>}
              <div class="row">
                <button type="submit" class="primary" disabled={!draftTitle.trim()}>Save</button>
                <button type="button" onClick={() => setEditingTitle(false)}>Cancel</button>
              </div>
            </form>
          ) : (
            <div class="title-row">
              <h1>{ticket.title}</h1>
              <button type="button" class="ghost small" onClick={() => { setDraftTitle(ticket.title); setEditingTitle(true); }}>
                Edit title
              </button>
            </div>
          )}
          <p class="meta">
            <span class={`pill status-${ticket.status}`}>{statusLabel(ticket.status)}</span>
            <span class={`severity sev-${ticket.severity}`}>
              <span class="dot" aria-hidden="true" /> {severityLabel(ticket.severity)}
            </span>
            <span class="muted">
              Opened by {nameOf(ticket.reporter)}{" "}
              <time dateTime={ticket.created_at} title={exact(ticket.created_at)}>{ago(ticket.created_at)}</time>
            </span>
          </p>
          {moves.length > 0 && (
            <div class="moves" role="group" aria-label="Common moves">
              {moves.map(([target, label]) => (
                <button type="button" key={target} onClick={() => change({ status: target })}>
                  {label}
                </button>
              ))}
            </div>
          )}
          <section class="description" aria-label="Description">
            {editingDescription ? (
              <form
                onSubmit={async (event) => {
                  event.preventDefault();
                  if (await change({ description: draftDescription })) setEditingDescription(false);
                }}
              >
                <label for="description">Description</label>
                <textarea id="description" rows={10} value={draftDescription} onInput={(e) => setDraftDescription((e.target as HTMLTextAreaElement).value)} />
                {fieldProblem.description && <p class="field-error" role="alert">{fieldProblem.description}</p>}
                <div class="row">
                  <button type="submit" class="primary">Save</button>
                  <button type="button" onClick={() => setEditingDescription(false)}>Cancel</button>
                </div>
              </form>
            ) : (
              <>
                {ticket.description ? <Markdown source={ticket.description} /> : <p class="muted">No description.</p>}
                <button type="button" class="ghost small" onClick={() => { setDraftDescription(ticket.description); setEditingDescription(true); }}>
                  Edit description
                </button>
              </>
            )}
          </section>
          <Attachments ticket={ticket} onChange={load} />
          <section class="timeline" aria-labelledby="activity-title">
            <h2 id="activity-title">Activity</h2>
            {olderCursor && (
              <button type="button" class="ghost small" onClick={showOlder}>
                Show older activity
              </button>
            )}
            <ol>
              {timeline.map((entry) => (
                <Entry key={entry.id} entry={entry} />
              ))}
            </ol>
            <CommentBox ticketId={ticket.id} onAdded={load} />
          </section>
        </article>
        <aside class="properties" aria-label="Properties">
          <SlaPanel sla={ticket.sla} now={now} />
          <label for="prop-status">Status</label>
          <select id="prop-status" ref={status} value={ticket.status} onChange={(e) => change({ status: (e.target as HTMLSelectElement).value })}>
            <option value={ticket.status}>{statusLabel(ticket.status)}</option>
            {ticket.allowed_transitions.map((target) => (
              <option key={target} value={target}>
                {statusLabel(target)}
              </option>
            ))}
          </select>
          <label for="prop-severity">Severity</label>
          <select id="prop-severity" ref={severity} value={ticket.severity} onChange={(e) => change({ severity: (e.target as HTMLSelectElement).value })}>
            {SEVERITIES.map((value) => (
              <option key={value} value={value}>
                {severityLabel(value)}
              </option>
            ))}
          </select>
          <label for="prop-assignee">Assignee</label>
          <select
            id="prop-assignee"
            ref={assignee}
            value={ticket.assignee ?? ""}
            onChange={(e) => change({ assignee: (e.target as HTMLSelectElement).value || null })}
          >
            <option value="">Unassigned</option>
            {ticket.assignee && !names.value.has(ticket.assignee) && <option value={ticket.assignee}>{nameOf(ticket.assignee)}</option>}
            <AssigneeOptions />
          </select>
          <label for="prop-tags">Tags</label>
          <input
            id="prop-tags"
            defaultValue={ticket.tags.join(", ")}
            key={ticket.tags.join(",")}
            aria-describedby="tags-hint"
            aria-invalid={fieldProblem.tags ? "true" : undefined}
            onChange={(e) => change({ tags: (e.target as HTMLInputElement).value.split(",").map((t) => t.trim()).filter(Boolean) })}
          />
          <span id="tags-hint" class="muted small">
            {fieldProblem.tags ?? "Comma-separated; saved when you leave the field."}
          </span>
          <label for="prop-due">Due date</label>
          <input
            id="prop-due"
            type="datetime-local"
            key={ticket.due_date ?? "none"}
            defaultValue={toLocalInput(ticket.due_date)}
            aria-invalid={fieldProblem.due_date ? "true" : undefined}
            onChange={(e) => change({ due_date: fromLocalInput((e.target as HTMLInputElement).value) })}
          />
          {overdue && <span class="overdue small">Overdue since {exact(ticket.due_date!)}</span>}
          <dl>
            <dt>Reporter</dt>
            <dd>{nameOf(ticket.reporter)}</dd>
            <dt>Source</dt>
            <dd>{ticket.source}</dd>
            <dt>Updated</dt>
            <dd>
              <time dateTime={ticket.updated_at} title={exact(ticket.updated_at)}>{ago(ticket.updated_at)}</time>
            </dd>
          </dl>
        </aside>
      </div>
    </main>
  );
}
