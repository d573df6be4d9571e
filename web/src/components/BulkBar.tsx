import { useMemo } from "preact/hooks";
import { SEVERITIES, type Severity, type Status, STATUSES } from "../api/enums";
import type { Ticket } from "../api/tickets";
import { severityLabel, statusLabel } from "../format";
import { createBulk } from "../state/bulk";
import { AssigneeOptions } from "./AssigneeOptions";

/** One change to every selected ticket, and how each fared. */
export function BulkBar({ selected, tickets, onDone, onClear }: {
  selected: Set<string>;
  tickets: Ticket[];
  onDone: () => void;
  onClear: () => void;
}) {
  const bulk = useMemo(createBulk, []);
  const results = bulk.results.value;

  function apply(event: Event) {
    event.preventDefault();
    bulk.apply(tickets.filter((t) => selected.has(t.id)), onDone);
  }

  return (
    <section class="bulk" aria-label="Change the selected tickets">
      <form onSubmit={apply} class="bulk-form">
        <strong>{selected.size} selected</strong>
        <span class="inline">
          <label for="f-set-status">Set status</label>
          <select id="f-set-status" value={bulk.status.value} onChange={(e) => (bulk.status.value = (e.target as HTMLSelectElement).value as Status)}>
            <option value="">—</option>
            {STATUSES.map((s) => (
              <option key={s} value={s}>
                {statusLabel(s)}
              </option>
            ))}
          </select>
        </span>
        <span class="inline">
          <label for="f-set-severity">Set severity</label>
          <select id="f-set-severity" value={bulk.severity.value} onChange={(e) => (bulk.severity.value = (e.target as HTMLSelectElement).value as Severity)}>
            <option value="">—</option>
            {SEVERITIES.map((s) => (
              <option key={s} value={s}>
                {severityLabel(s)}
              </option>
            ))}
          </select>
        </span>
        <span class="inline">
          <label for="f-set-assignee">Set assignee</label>
          <select id="f-set-assignee" value={bulk.assignee.value} onChange={(e) => (bulk.assignee.value = (e.target as HTMLSelectElement).value)}>
            <option value="">—</option>
            <option value="none">Unassigned</option>
            <AssigneeOptions />
          </select>
        </span>
        <span class="inline">
          <label for="f-add-tags">Add tags</label>
          <input id="f-add-tags" size={10} value={bulk.tags.value} onInput={(e) => (bulk.tags.value = (e.target as HTMLInputElement).value)} />
        </span>
        <button type="submit" class="primary" disabled={bulk.busy.value}>
          {bulk.busy.value ? "Applying…" : `Apply to ${selected.size}`}
        </button>
        <button type="button" class="ghost" onClick={() => { bulk.results.value = null; onClear(); }}>
          Clear selection
        </button>
      </form>
      {results && (
        <ul class="bulk-results" aria-label="Bulk change results">
          {results.map((result) => (
            <li key={result.ticket_id} class={result.status === 200 ? "ok" : "failed"}>
              <strong>{result.key ?? result.ticket_id}</strong>{" "}
              {result.status === 200 ? "changed" : `not changed (${result.status}): ${result.error?.message ?? ""}`}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
