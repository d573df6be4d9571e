import type { HistoryEntry } from "../api/comments";
import { wordDiff } from "../commentHistory";
import { ago, describeEntry, exact } from "../format";
import { nameOf } from "../state/project";

/** One change in a ticket's activity: who did what and when; an edit of a comment as a diff. */
export function TimelineEntry({ entry }: { entry: HistoryEntry }) {
  const who = entry.changed_by === "system" ? "Ticketry" : nameOf(entry.changed_by);
  const edit = entry.event === "COMMENT_UPDATED" ? (entry.changes as { comment?: { old: string; new: string } }).comment : undefined;
  return (
    <li class="entry change" id={`event-${entry.id}`}>
      <div class="entry-head">
        <span class="avatar" aria-hidden="true">
          {who.charAt(0).toUpperCase()}
        </span>
        <span>
          <strong>{who}</strong> {describeEntry(entry)}
          {entry.via === "email" && " by email"}
          {", "}
          <time dateTime={entry.timestamp} title={exact(entry.timestamp)}>
            {ago(entry.timestamp)}
          </time>
        </span>
      </div>
      {edit && (
        <p class="diff" aria-label="What the edit changed">
          {wordDiff(edit.old, edit.new).map((part, n) =>
            part.kind === "removed" ? <del key={n}><span class="sr-only">removed: </span>{part.text}</del>
              : part.kind === "added" ? <ins key={n}><span class="sr-only">added: </span>{part.text}</ins>
                : <span key={n}>{part.text}</span>,
          )}
        </p>
      )}
    </li>
  );
}
