// One comment of the timeline being edited, deleted or having its revisions shown.
import { signal } from "@preact/signals";
import { ApiError, messageOf } from "../api/client";
import { commentRevisions, deleteComment, editComment, getComment, type Revision } from "../api/comments";

export function createCommentEdit(ticketId: string, commentId: string, onChanged: () => void) {
  /** The text being written; null when not editing. */
  const draft = signal<string | null>(null);
  const etag = signal<string | null>(null);
  const problem = signal<string | null>(null);
  /** The comment's text as someone else's edit (or the author's, elsewhere) left it, after a 412. */
  const changedMeanwhile = signal<string | null>(null);
  const confirmingDelete = signal(false);
  const revisions = signal<Revision[] | null>(null);
  const busy = signal(false);

  async function run(work: () => Promise<void>) {
    if (busy.value) return;
    busy.value = true;
    try {
      await work();
    } finally {
      busy.value = false;
    }
  }

  /** Starts from the comment as it is now, and the ETag the edit is made against. */
  const startEdit = () =>
    run(async () => {
      try {
        const reply = await getComment(ticketId, commentId);
        draft.value = reply.body.body;
        etag.value = reply.etag;
        problem.value = null;
        changedMeanwhile.value = null;
      } catch (error) {
        problem.value = messageOf(error);
      }
    });

  const save = () =>
    run(async () => {
      if (draft.value === null || !draft.value.trim() || etag.value === null) return;
      try {
        await editComment(ticketId, commentId, draft.value, etag.value);
        draft.value = null;
        problem.value = null;
        changedMeanwhile.value = null;
        revisions.value = null;
        onChanged();
      } catch (error) {
        if (error instanceof ApiError && error.status === 412) {
          // The draft stays; saving again is made against the version now shown.
          const latest = await getComment(ticketId, commentId).catch(() => null);
          changedMeanwhile.value = latest?.body.body ?? "";
          etag.value = latest?.etag ?? etag.value;
          problem.value = null;
        } else {
          problem.value = error instanceof ApiError ? error.forField("comment") ?? error.message : String(error);
        }
      }
    });

  function cancel() {
    draft.value = null;
    problem.value = null;
    changedMeanwhile.value = null;
  }

  const remove = () =>
    run(async () => {
      try {
        await deleteComment(ticketId, commentId);
        confirmingDelete.value = false;
        revisions.value = null; // gone with the text
        problem.value = null;
        onChanged();
      } catch (error) {
        problem.value = messageOf(error);
      }
    });

  /** Shows the earlier texts, or hides them when shown. */
  const toggleRevisions = () =>
    run(async () => {
      if (revisions.value !== null) {
        revisions.value = null;
        return;
      }
      try {
        revisions.value = (await commentRevisions(ticketId, commentId)).body.data;
      } catch (error) {
        problem.value = messageOf(error);
      }
    });

  return { draft, etag, problem, changedMeanwhile, confirmingDelete, revisions, busy, startEdit, save, cancel, remove,
    toggleRevisions };
}
