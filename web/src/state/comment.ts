// A comment being written on a ticket.
import { signal } from "@preact/signals";
import { ApiError } from "../api/client";
import { addComment } from "../api/comments";

export function createCommentDraft(ticketId: string, onAdded: () => void) {
  const text = signal("");
  const problem = signal<string | null>(null);
  const sending = signal(false);

  async function send() {
    if (!text.value.trim() || sending.value) return;
    sending.value = true;
    try {
      await addComment(ticketId, text.value);
      text.value = "";
      problem.value = null;
      onAdded();
    } catch (error) {
      problem.value = error instanceof ApiError ? error.forField("comment") ?? error.message : String(error);
    } finally {
      sending.value = false;
    }
  }

  return { text, problem, sending, send };
}
