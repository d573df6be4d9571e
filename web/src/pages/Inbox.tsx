// The inbox: the tickets you watch with what happened since you last looked, newest first.
import { useEffect, useMemo, useRef } from "preact/hooks";
import type { InboxEntry } from "../api/inbox";
import { InboxRow } from "../components/InboxRow";
import { useShortcuts } from "../keys";
import { navigate } from "../router";
import { createInbox } from "../state/inbox";

export function Inbox({ params }: { params: URLSearchParams }) {
  const archived = params.get("archived") === "true";
  const inbox = useMemo(() => createInbox(archived), [archived]);
  const body = useRef<HTMLTableSectionElement | null>(null);
  const entries = inbox.entries.value;
  const position = inbox.position.value;

  useEffect(() => {
    document.title = `${archived ? "Archived" : "Inbox"} · Ticketry`;
    inbox.load();
  }, [archived]);

  function focusRow(index: number) {
    const row = inbox.moveTo(index);
    if (row === null) return;
    const element = body.current?.querySelectorAll("tr")[row] as HTMLElement | undefined;
    element?.focus();
    element?.scrollIntoView({ block: "nearest" });
  }

  async function open(entry: InboxEntry) {
    const target = entry.first_unread;
    if (entry.unread) await inbox.mark(entry, "read");
    navigate(`projects/${entry.project_id}/tickets/${entry.key}${target ? `#event-${target}` : ""}`);
  }

  useShortcuts({
    j: () => focusRow(position + 1),
    k: () => focusRow(position - 1),
    ArrowDown: () => focusRow(position + 1),
    ArrowUp: () => focusRow(position - 1),
    Enter: () => entries?.[position] && open(entries[position]),
    e: () => {
      const entry = entries?.[position];
      if (entry && !entry.archived) inbox.mark(entry, "archive").then(() => focusRow(position));
    },
  });

  return (
    <main id="main" class="page inbox">
      <div class="inbox-head">
        <h1>{archived ? "Archived" : "Inbox"}</h1>
        <nav class="tabs" aria-label="Inbox lists">
          <a href="inbox" aria-current={!archived ? "page" : undefined}>Inbox</a>
          <a href="inbox?archived=true" aria-current={archived ? "page" : undefined}>Archived</a>
        </nav>
        {!archived && (
          <button type="button" onClick={inbox.readAll} disabled={!entries?.some((entry) => entry.unread)}>
            Mark all read
          </button>
        )}
      </div>
      {inbox.error.value ? (
        <div class="empty" role="alert">
          <p>The inbox could not be loaded: {inbox.error.value.message}</p>
          <button type="button" onClick={inbox.load}>Try again</button>
        </div>
      ) : entries === null ? (
        <p class="loading" role="status">Loading…</p>
      ) : entries.length === 0 ? (
        <div class="empty">
          <p>{archived ? "Nothing archived." : "Nothing new. Tickets you watch show up here when something happens."}</p>
        </div>
      ) : (
        <>
          <table class="tickets inbox-table" aria-label={archived ? "Archived" : "Inbox"}>
            <thead>
              <tr>
                <th scope="col"><span class="sr-only">Read or unread</span></th>
                <th scope="col">Ticket</th>
                <th scope="col">Status</th>
                <th scope="col" class="wide-only">Last activity</th>
                <th scope="col"><span class="sr-only">Actions</span></th>
              </tr>
            </thead>
            <tbody ref={body}>
              {entries.map((entry, index) => (
                <InboxRow
                  key={entry.ticket_id}
                  entry={entry}
                  current={index === position}
                  onOpen={() => open(entry)}
                  onMark={(how) => inbox.mark(entry, how)}
                  onFocus={() => (inbox.position.value = index)}
                />
              ))}
            </tbody>
          </table>
          <div class="more">
            {inbox.cursor.value ? (
              <button type="button" onClick={inbox.loadMore}>Load more</button>
            ) : (
              <span class="muted small">{entries.length} {entries.length === 1 ? "ticket" : "tickets"}</span>
            )}
          </div>
        </>
      )}
    </main>
  );
}
