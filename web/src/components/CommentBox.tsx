import { useMemo } from "preact/hooks";
import { exact } from "../format";
import { type CommentMode, createCommentDraft } from "../state/comment";
import type { TicketPageState } from "../state/ticketPage";
import { MentionTextarea } from "./MentionTextarea";

const MODES: [CommentMode, string][] = [
  ["public", "Reply"],
  ["internal", "Internal note"],
];

/**
 * Writing on a ticket: an internal note (the default), or, when the ticket has a requester, a reply
 * emailed to them. The two look different, and the button says which one it sends; Ctrl+Enter sends
 * what is shown. `@` mentions someone in either.
 */
export function CommentBox({ page, onAdded }: { page: TicketPageState; onAdded: () => void }) {
  const ticket = page.ticket.value!;
  const requester = ticket.requester ?? null;
  const draft = useMemo(() => createCommentDraft(ticket.id, () => page.ticket.value?.requester ?? null, onAdded), [ticket.id]);
  const problem = draft.problem.value;
  const text = draft.text.value;
  const mode = draft.mode.value;
  const thread = page.thread.value;
  const replying = mode === "public";
  const cc = replying ? thread?.cc ?? [] : [];
  const bouncedAt = replying ? thread?.requester?.bounced_at : null;
  const audience = replying && (cc.length > 0 || bouncedAt);
  const described = [audience ? "comment-audience" : null, problem ? "comment-error" : null].filter(Boolean).join(" ");

  function send(event?: Event) {
    event?.preventDefault();
    draft.send();
  }

  return (
    <form class={`comment-box ${replying ? "reply" : "note"}`} onSubmit={send} aria-label="Add to the ticket">
      {requester && (
        <fieldset class="comment-modes">
          <legend class="sr-only">Write</legend>
          {MODES.map(([value, label]) => (
            <label key={value} class={`mode ${mode === value ? "chosen" : ""}`}>
              <input type="radio" name="comment-mode" value={value} checked={mode === value} disabled={draft.sending.value}
                onChange={() => draft.choose(value)} />
              {label}
            </label>
          ))}
        </fieldset>
      )}
      <label for="comment" class="comment-label">
        {replying ? <>Reply to {requester}</> : <>Internal note <span class="quiet">— only your team sees this</span></>}
      </label>
      {audience && (
        <p class="comment-audience small" id="comment-audience">
          {cc.length > 0 && <>Cc: {cc.join(", ")}</>}
          {bouncedAt && <span class="bounced"> Mail to {requester} bounced {exact(bouncedAt)}: the reply may not reach them.</span>}
        </p>
      )}
      <MentionTextarea
        id="comment"
        rows={4}
        value={text}
        placeholder={replying ? "Markdown works here. Ctrl+Enter sends the reply." : "Markdown works here; @ mentions someone. Ctrl+Enter adds the note."}
        invalid={!!problem}
        describedBy={described || undefined}
        onValue={draft.write}
        onKeyDown={(e) => {
          if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) {
            e.preventDefault();
            send();
          }
        }}
      />
      {problem && <p class="field-error" id="comment-error" role="alert">{problem}</p>}
      <button type="submit" class={replying ? "primary" : "note-button"} disabled={!text.trim() || draft.sending.value}>
        {replying ? "Send reply" : "Add internal note"}
      </button>
    </form>
  );
}
