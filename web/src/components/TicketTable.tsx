import type { Ticket } from "../api/tickets";
import type { TicketList } from "../state/ticketList";
import { TicketRow } from "./TicketRow";

/** The loaded tickets as a table, the keyboard's row marked, and "Load more" or the count below. */
export function TicketTable({ list, tickets, projectId, label, now, tableRef, onLoadMore }: {
  list: TicketList;
  tickets: Ticket[];
  projectId: string;
  label: string;
  now: number;
  tableRef: { current: HTMLTableSectionElement | null };
  onLoadMore: () => void;
}) {
  const loading = list.loading.value;
  return (
    <>
      <table class={`tickets ${loading ? "busy" : ""}`} aria-label={label} aria-busy={loading ? "true" : "false"}>
        <thead>
          <tr>
            <th scope="col" class="select">
              <input
                type="checkbox"
                aria-label="Select all"
                checked={list.allSelected.value}
                onChange={(e) => list.selectAll((e.target as HTMLInputElement).checked)}
              />
            </th>
            <th scope="col" class="wide-only">Key</th>
            <th scope="col">Title</th>
            <th scope="col">Status</th>
            <th scope="col">Severity</th>
            <th scope="col" class="wide-only">Assignee</th>
            <th scope="col" class="wide-only">Tags</th>
            <th scope="col" class="wide-only">Created</th>
            <th scope="col" class="wide-only">SLA</th>
            <th scope="col" class="wide-only">Due</th>
          </tr>
        </thead>
        <tbody ref={tableRef}>
          {tickets.map((ticket, index) => (
            <TicketRow
              key={ticket.id}
              ticket={ticket}
              projectId={projectId}
              current={index === list.position.value}
              selected={list.selected.value.has(ticket.id)}
              onSelect={(checked) => list.toggle(ticket, checked)}
              onFocus={() => (list.position.value = index)}
              now={now}
            />
          ))}
        </tbody>
      </table>
      <div class="more">
        {list.cursor.value ? (
          <button type="button" onClick={onLoadMore} disabled={list.loadingMore.value}>
            {list.loadingMore.value ? "Loading…" : "Load more"}
          </button>
        ) : (
          <span class="muted small">{tickets.length} {tickets.length === 1 ? "ticket" : "tickets"}</span>
        )}
      </div>
    </>
  );
}
