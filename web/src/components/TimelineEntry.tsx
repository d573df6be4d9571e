import type { HistoryEntry } from "../api/comments";
import { ago, describeEntry, exact } from "../format";
import { nameOf } from "../state/project";
import { Markdown } from "./Markdown";

/** One entry of a ticket's activity: who did what and when, and a comment's text. */
export function TimelineEntry({ entry }: { entry: HistoryEntry }) {
  const who = entry.changed_by === "system" ? "Ticketry" : nameOf(entry.changed_by);
  return (
    <li id={`event-${entry.id}`} class={`entry ${entry.event === "COMMENT_ADDED" ? "comment" : "change"}`}>
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
