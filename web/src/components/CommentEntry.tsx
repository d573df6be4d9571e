import { useEffect, useMemo, useRef } from "preact/hooks";
import type { HistoryEntry } from "../api/comments";
import { type CommentState, commentMarks } from "../commentHistory";
import { ago, exact } from "../format";
import { createCommentEdit } from "../state/commentEdit";
import { me, nameOf } from "../state/project";
import { Markdown } from "./Markdown";
import { MentionTextarea } from "./MentionTextarea";

/**
 * A comment in the timeline as it is now: whether it is an internal note or part of the email thread,
 * its text (or who deleted it), when it was last edited (a button that shows its earlier texts), and
 * Edit (its author) and Delete (its author or an admin).
 */
export function CommentEntry({ entry, state, ticketId, onChanged }: {
  entry: HistoryEntry;
  state: CommentState;
  ticketId: string;
  onChanged: () => void;
}) {
  const edit = useMemo(() => createCommentEdit(ticketId, entry.id, onChanged), [ticketId, entry.id]);
  const who = nameOf(entry.changed_by);
  const mine = me.value?.user_id === entry.changed_by;
  const deleted = state.deletedAt !== null;
  const mayDelete = !deleted && (mine || me.value?.role === "admin");
  const draft = edit.draft.value;
  const revisions = edit.revisions.value;
  const editorId = `edit-${entry.id}`;
  // Keyboard users land in the text when editing starts, and back on Edit when it ends.
  const editButton = useRef<HTMLButtonElement>(null);
  const wasEditing = useRef(false);
  useEffect(() => {
    if (draft === null && wasEditing.current) editButton.current?.focus();
    wasEditing.current = draft !== null;
  }, [draft === null]);
  const revisionsId = `revisions-${entry.id}`;
  const marks = commentMarks(state);

  return (
    <li class={`entry comment ${marks.kind}`} id={`event-${entry.id}`}>
      <div class="entry-head">
        <span class="avatar" aria-hidden="true">
          {who.charAt(0).toUpperCase()}
        </span>
        <span id={`said-${entry.id}`}>
          <strong>{who}</strong> {marks.verb}{", "}
          <time dateTime={entry.timestamp} title={exact(entry.timestamp)}>
            {ago(entry.timestamp)}
          </time>
          {marks.badges.map(([kind, label]) => (
            <span key={kind} class={`badge ${kind}`}>{label}</span>
          ))}
          {state.editedAt && !deleted && (
            <>
              {" · "}
              <button type="button" class="link small" aria-expanded={revisions !== null} aria-controls={revisionsId}
                title={`Edited ${exact(state.editedAt)}: show earlier versions`} onClick={edit.toggleRevisions}>
                edited {ago(state.editedAt)}
              </button>
            </>
          )}
        </span>
        {!deleted && draft === null && (
          <span class="comment-actions">
            {mine && (
              <button type="button" class="ghost small" onClick={edit.startEdit} aria-describedby={`said-${entry.id}`}
                ref={editButton}>
                Edit
              </button>
            )}
            {mayDelete && (
              <button type="button" class="ghost small" onClick={() => (edit.confirmingDelete.value = true)}
                aria-describedby={`said-${entry.id}`}>
                Delete
              </button>
            )}
          </span>
        )}
      </div>
      {deleted ? (
        <p class="comment-deleted">comment deleted by {nameOf(state.deletedBy)}</p>
      ) : draft !== null ? (
        <form class="comment-edit" onSubmit={(e) => { e.preventDefault(); edit.save(); }}>
          <label for={editorId}>Edit comment</label>
          {state.visibility === "public" && <p class="muted small">The email already sent stays as it was; the edit shows here.</p>}
          {edit.changedMeanwhile.value !== null && (
            <div class="changed-meanwhile" role="alert">
              <p>This comment changed meanwhile. Its latest text:</p>
              <Markdown source={edit.changedMeanwhile.value} />
              <p>Save again to replace it with yours, or cancel.</p>
            </div>
          )}
          <MentionTextarea id={editorId} rows={4} value={draft} focusOnMount
            invalid={!!edit.problem.value}
            onValue={(value) => (edit.draft.value = value)}
            onKeyDown={(e) => {
              if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) {
                e.preventDefault();
                edit.save();
              } else if (e.key === "Escape") {
                edit.cancel();
              }
            }}
          />
          <div class="row">
            <button type="submit" class="primary small" disabled={!draft.trim() || edit.busy.value}>Save</button>
            <button type="button" class="ghost small" onClick={edit.cancel}>Cancel</button>
          </div>
        </form>
      ) : (
        <Markdown source={state.body} />
      )}
      {edit.confirmingDelete.value && !deleted && (
        <div class="confirm" role="alertdialog" aria-labelledby={`confirm-${entry.id}`}>
          <p id={`confirm-${entry.id}`}>Delete this comment? Its text and earlier versions are removed for everyone.</p>
          <button type="button" class="danger small" onClick={edit.remove} disabled={edit.busy.value}
            ref={(button) => button?.focus()}>
            Delete comment
          </button>
          <button type="button" class="ghost small" onClick={() => (edit.confirmingDelete.value = false)}>Keep it</button>
        </div>
      )}
      {edit.problem.value && <p class="field-error" role="alert">{edit.problem.value}</p>}
      {revisions !== null && !deleted && (
        <section class="revisions" id={revisionsId} aria-label="Earlier versions">
          <h3>Earlier versions</h3>
          {revisions.length === 0 ? <p>No earlier versions.</p> : (
            <ol>
              {revisions.map((revision, n) => (
                <li key={n}>
                  <p class="revision-head">
                    {n === 0 ? "Written" : "Edited"} by {nameOf(revision.edited_by)}{", "}
                    <time dateTime={revision.edited_at} title={exact(revision.edited_at)}>{exact(revision.edited_at)}</time>
                  </p>
                  <Markdown source={revision.body} />
                </li>
              ))}
            </ol>
          )}
        </section>
      )}
    </li>
  );
}
