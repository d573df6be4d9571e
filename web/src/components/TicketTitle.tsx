import { useState } from "preact/hooks";
import type { TicketPageState } from "../state/ticketPage";

/** The ticket's title, edited in place. */
export function TicketTitle({ page }: { page: TicketPageState }) {
  const ticket = page.ticket.value!;
  const [editing, setEditing] = useState(false);
  const [draft, setDraft] = useState("");
  const problem = page.fieldProblem.value.title;

  if (!editing) {
    return (
      <div class="title-row">
        <h1>{ticket.title}</h1>
        <button type="button" class="ghost small" onClick={() => { setDraft(ticket.title); setEditing(true); }}>
          Edit title
        </button>
      </div>
    );
  }
  return (
    <form
      class="title-edit"
      onSubmit={async (event) => {
        event.preventDefault();
        if (await page.change({ title: draft.trim() })) setEditing(false);
      }}
    >
      <label for="title">Title</label>
      <input id="title" value={draft} maxLength={256} required onInput={(e) => setDraft((e.target as HTMLInputElement).value)} />
      {problem && <p class="field-error" role="alert">{problem}</p>}
      <div class="row">
        <button type="submit" class="primary" disabled={!draft.trim()}>Save</button>
        <button type="button" onClick={() => setEditing(false)}>Cancel</button>
      </div>
    </form>
  );
}
