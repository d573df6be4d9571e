import { useState } from "preact/hooks";
import type { TicketPageState } from "../state/ticketPage";
import { Markdown } from "./Markdown";
import { MentionTextarea } from "./MentionTextarea";

/** The ticket's description, rendered, and edited in place. */
export function TicketDescription({ page }: { page: TicketPageState }) {
  const ticket = page.ticket.value!;
  const [editing, setEditing] = useState(false);
  const [draft, setDraft] = useState("");
  const problem = page.fieldProblem.value.description;

  const byEmail = ticket.source === "email";
  return (
    <section class={`description ${byEmail ? "email" : ""}`} aria-label="Description">
      {byEmail && !editing && (
        <p class="description-head">
          <span class="badge email">Email</span> Received by email{ticket.requester ? ` from ${ticket.requester}` : ""}
        </p>
      )}
      {editing ? (
        <form
          onSubmit={async (event) => {
            event.preventDefault();
            if (await page.change({ description: draft })) setEditing(false);
          }}
        >
          <label for="description">Description</label>
          <MentionTextarea id="description" rows={10} value={draft} onValue={setDraft} />
          {problem && <p class="field-error" role="alert">{problem}</p>}
          <div class="row">
            <button type="submit" class="primary">Save</button>
            <button type="button" onClick={() => setEditing(false)}>Cancel</button>
          </div>
        </form>
      ) : (
        <>
          {ticket.description ? <Markdown source={ticket.description} /> : <p class="muted">No description.</p>}
          <button type="button" class="ghost small" onClick={() => { setDraft(ticket.description); setEditing(true); }}>
            Edit description
          </button>
        </>
      )}
    </section>
  );
}
