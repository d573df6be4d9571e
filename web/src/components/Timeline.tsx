import { useEffect } from "preact/hooks";
import { commentStates } from "../commentHistory";
import type { TicketPageState } from "../state/ticketPage";
import { CommentBox } from "./CommentBox";
import { CommentEntry } from "./CommentEntry";
import { TimelineEntry } from "./TimelineEntry";

/** A ticket's activity, newest first, older pages on request, and the comment box. */
export function Timeline({ page }: { page: TicketPageState }) {
  const ticket = page.ticket.value!;
  const timeline = [...ticket.history, ...page.older.value].slice().reverse();

  // Opened from the inbox (#event-<id>): the first unread event, once it is on the page.
  useEffect(() => {
    const wanted = location.hash.startsWith("#event-") ? document.getElementById(decodeURIComponent(location.hash.slice(1))) : null;
    if (wanted && !wanted.classList.contains("arrived")) {
      wanted.classList.add("arrived");
      wanted.scrollIntoView({ block: "center" });
    }
  }, [timeline.length]);
  const comments = commentStates(timeline);
  return (
    <section class="timeline" aria-labelledby="activity-title">
      <h2 id="activity-title">Activity</h2>
      {page.olderCursor.value && (
        <button type="button" class="ghost small" onClick={page.showOlder}>
          Show older activity
        </button>
      )}
      <ol>
        {timeline.map((entry) => {
          const comment = entry.event === "COMMENT_ADDED" ? comments.get(entry.id) : undefined;
          return comment ? (
            <CommentEntry key={entry.id} entry={entry} state={comment} ticketId={ticket.id} onChanged={page.load} />
          ) : (
            <TimelineEntry key={entry.id} entry={entry} />
          );
        })}
      </ol>
      <CommentBox page={page} onAdded={page.load} />
    </section>
  );
}
