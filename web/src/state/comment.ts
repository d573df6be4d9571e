// A comment being written on a ticket: an internal note (the default) or a reply mailed to the
// ticket's requester. Each mode keeps its own draft, so text written as a note is never sent as a
// reply by switching modes; what is sent is the mode shown when it is sent.
import { computed, signal } from "@preact/signals";
import { ApiError } from "../api/client";
import { addComment } from "../api/comments";
import type { Visibility } from "../api/mail";
import { tell } from "./notice";

export type CommentMode = Visibility;

/** `replyTo`: the requester's address, or null when the ticket has none (then only notes are possible). */
export function createCommentDraft(ticketId: string, replyTo: () => string | null, onAdded: () => void) {
  const chosen = signal<CommentMode>("internal");
  const drafts = signal<Record<CommentMode, string>>({ internal: "", public: "" });
  const problem = signal<string | null>(null);
  const sending = signal(false);
  /** The mode in effect: a reply only while the ticket has a requester. */
  const mode = computed<CommentMode>(() => (chosen.value === "public" && replyTo() ? "public" : "internal"));
  const text = computed(() => drafts.value[mode.value]);

  function write(value: string) {
    drafts.value = { ...drafts.value, [mode.value]: value };
  }

  function choose(next: CommentMode) {
    if (sending.value || (next === "public" && !replyTo())) return;
    chosen.value = next;
    problem.value = null;
  }

  async function send() {
    // Read once: the mode and the text are those on screen as the button is pressed.
    const visibility = mode.value;
    const body = drafts.value[visibility];
    const address = replyTo();
    if (!body.trim() || sending.value) return;
    sending.value = true;
    try {
      await addComment(ticketId, body, visibility);
      drafts.value = { ...drafts.value, [visibility]: "" };
      // Back to the default: the next thing written is a note unless Reply is chosen again.
      chosen.value = "internal";
      problem.value = null;
      if (visibility === "public") tell(`Reply to ${address} sent`);
      onAdded();
    } catch (error) {
      problem.value = error instanceof ApiError
        ? error.forField("comment") ?? error.forField("visibility") ?? error.message
        : String(error);
    } finally {
      sending.value = false;
    }
  }

  return { mode, text, drafts, problem, sending, write, choose, send };
}

export type CommentDraft = ReturnType<typeof createCommentDraft>;
