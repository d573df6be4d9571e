import type { InboxEntry } from "../api/inbox";
import { ago, exact, statusLabel } from "../format";

/** One ticket of the inbox: unread in bold with the word "Unread" (not colour alone), its summary, and its marks. */
export function InboxRow({ entry, current, onOpen, onMark, onFocus }: {
  entry: InboxEntry;
  current: boolean;
  onOpen: () => void;
  onMark: (how: "read" | "unread" | "archive" | "unarchive") => void;
  onFocus: () => void;
}) {
  return (
    <tr class={`${entry.unread ? "unread" : ""} ${current ? "current" : ""}`} tabIndex={current ? 0 : -1} onFocus={onFocus}
      data-ticket={entry.ticket_id}>
      <td class="state">{entry.unread ? <span class="unread-dot">Unread</span> : <span class="sr-only">Read</span>}</td>
      <td>
        <a href={`projects/${entry.project_id}/tickets/${entry.key}`} onClick={(event) => {
          event.preventDefault();
          onOpen();
        }}>
          <span class="key">{entry.key}</span> {entry.title}
        </a>
        <div class="summary muted small">{entry.summary.text}</div>
      </td>
      <td>{entry.status === "deleted" ? "Deleted" : statusLabel(entry.status)}</td>
      <td class="wide-only">
        <time dateTime={entry.updated_at} title={exact(entry.updated_at)}>{ago(entry.updated_at)}</time>
      </td>
      <td class="marks">
        <button type="button" class="ghost small" onClick={() => onMark(entry.unread ? "read" : "unread")}>
          {entry.unread ? "Mark read" : "Mark unread"}
        </button>
        <button type="button" class="ghost small" onClick={() => onMark(entry.archived ? "unarchive" : "archive")} aria-keyshortcuts={entry.archived ? undefined : "e"}>
          {entry.archived ? "Move to inbox" : "Archive"}
        </button>
      </td>
    </tr>
  );
}
