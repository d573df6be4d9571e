// One ticket: inline edits guarded by its ETag, the timeline, comments and attachments.
import { useEffect, useMemo, useRef } from "preact/hooks";
import type { Status } from "../api/enums";
import { useNow } from "../clock";
import { Attachments } from "../components/Attachments";
import { EmailThread } from "../components/EmailThread";
import { TicketCrumbs } from "../components/TicketCrumbs";
import { TicketDescription } from "../components/TicketDescription";
import { TicketProperties } from "../components/TicketProperties";
import { TicketTitle } from "../components/TicketTitle";
import { Timeline } from "../components/Timeline";
import { ago, exact, severityLabel, statusLabel } from "../format";
import { useShortcuts } from "../keys";
import { navigate } from "../router";
import { nameOf } from "../state/project";
import { createTicketPage } from "../state/ticketPage";
import { openedFrom } from "../state/trail";

// The everyday moves, offered as one click when the workflow allows them.
const QUICK_MOVES: [Status, string][] = [
  ["acknowledged", "Acknowledge"],
  ["in_progress", "Start"],
  ["resolved", "Resolve"],
  ["closed", "Close"],
];

export function TicketPage({ projectId, ticketId }: { projectId: string; ticketId: string }) {
  const page = useMemo(() => createTicketPage(ticketId), [ticketId]);
  const ticket = page.ticket.value;
  const failure = page.failure.value;
  const now = useNow(15_000);
  const status = useRef<HTMLSelectElement | null>(null);
  const severity = useRef<HTMLSelectElement | null>(null);
  const assignee = useRef<HTMLSelectElement | null>(null);

  useEffect(() => {
    page.load();
  }, [ticketId]);

  useEffect(() => {
    if (ticket) document.title = `${ticket.key} ${ticket.title} · Ticketry`;
  }, [ticket?.title]);

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

  const moves = QUICK_MOVES.filter(([target]) => ticket.allowed_transitions.includes(target));
  return (
    <main id="main" class="page ticket">
      <TicketCrumbs projectId={projectId} ticketKey={ticket.key} listPath={listPath} previous={previous} next={next} />
      {page.conflict.value && (
        <div class="alert error" role="alert">
          Someone else changed this ticket after you opened it, so your change was not saved.{" "}
          <button type="button" onClick={page.load}>
            Reload the ticket
          </button>
        </div>
      )}
      <div class="ticket-grid">
        <article class="ticket-main">
          <TicketTitle page={page} />
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
                <button type="button" key={target} onClick={() => page.change({ status: target })}>
                  {label}
                </button>
              ))}
            </div>
          )}
          <EmailThread page={page} projectId={projectId} />
          <TicketDescription page={page} />
          <Attachments ticket={ticket} onChange={page.load} />
          <Timeline page={page} />
        </article>
        <TicketProperties page={page} now={now} status={status} severity={severity} assignee={assignee} />
      </div>
    </main>
  );
}
