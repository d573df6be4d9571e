import { useMemo } from "preact/hooks";
import { createCommentDraft } from "../state/comment";

/** Writing a comment; Ctrl+Enter sends it. */
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
      <textarea
        id="comment"
        rows={4}
        value={text}
        placeholder="Markdown works here. Ctrl+Enter sends."
        aria-invalid={problem ? "true" : undefined}
        aria-describedby={problem ? "comment-error" : undefined}
        onInput={(e) => (draft.text.value = (e.target as HTMLTextAreaElement).value)}
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
