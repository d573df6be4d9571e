import { useMemo } from "preact/hooks";
import { createCommentDraft } from "../state/comment";
import { MentionTextarea } from "./MentionTextarea";

/** Writing a comment (`@` mentions someone); Ctrl+Enter sends it. */
export function CommentBox({ ticketId, onAdded }: { ticketId: string; onAdded: () => void }) {
  const draft = useMemo(() => createCommentDraft(ticketId, onAdded), [ticketId]);
  const problem = draft.problem.value;
  const text = draft.text.value;

  function send(event?: Event) {
    event?.preventDefault();
    draft.send();
  }

  return (
    <form class="comment-box" onSubmit={send}>
      <label for="comment">Comment</label>
      <MentionTextarea
        id="comment"
        rows={4}
        value={text}
        placeholder="Markdown works here; @ mentions someone. Ctrl+Enter sends."
        invalid={!!problem}
        describedBy={problem ? "comment-error" : undefined}
        onValue={(value) => (draft.text.value = value)}
        onKeyDown={(e) => {
          if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) {
            e.preventDefault();
            send();
          }
        }}
      />
      {problem && <p class="field-error" id="comment-error" role="alert">{problem}</p>}
      <button type="submit" class="primary" disabled={!text.trim() || draft.sending.value}>
        Add comment
      </button>
    </form>
  );
}
