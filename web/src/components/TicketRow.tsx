import { FINISHED } from "../api/enums";
import type { Ticket } from "../api/tickets";
import { ago, exact, severityLabel, statusLabel } from "../format";
import { headline } from "../sla";
import { nameOf } from "../state/project";
import { SlaBadge } from "./SlaBadge";

/** One ticket in the list. */
export function TicketRow({ ticket, projectId, current, selected, onSelect, onFocus, now }: {
  ticket: Ticket;
  now: number;
  projectId: string;
  current: boolean;
  selected: boolean;
  onSelect: (checked: boolean) => void;
  onFocus: () => void;
}) {
  const finished = FINISHED.includes(ticket.status);
  const overdue = !!ticket.due_date && !finished && new Date(ticket.due_date).getTime() < now;
  return (
    <tr
      class={`${current ? "current" : ""} ${selected ? "selected" : ""} sev-${ticket.severity} ${overdue ? "is-overdue" : ""}`}
      tabIndex={current ? 0 : -1}
      data-ticket={ticket.id}
      aria-selected={selected ? "true" : "false"}
      onFocus={onFocus}
    >
      <td class="select">
        <input type="checkbox" aria-label={`Select ${ticket.key}`} checked={selected} onChange={(e) => onSelect((e.target as HTMLInputElement).checked)} />
      </td>
      <td class="key wide-only">{ticket.key}</td>
      <td class="title">
        <a href={`projects/${projectId}/tickets/${ticket.key}`}>{ticket.title}</a>
        <span class="narrow-only muted small">
          <span class="key">{ticket.key}</span> · {ticket.assignee ? nameOf(ticket.assignee) : "Unassigned"}
          {ticket.due_date && (
            <>
              {" · "}
              <span class={overdue ? "overdue" : ""}>{overdue ? "overdue " : "due "}{ago(ticket.due_date, now)}</span>
            </>
          )}
          {headline(ticket.sla, now) && (
            <>
              {" · "}
              <SlaBadge ticket={ticket} now={now} />
            </>
          )}
          {ticket.tags.map((tag) => (
            <span class="tag" key={tag}> {tag}</span>
          ))}
        </span>
      </td>
      <td>
        <span class={`pill status-${ticket.status}`}>{statusLabel(ticket.status)}</span>
      </td>
      <td>
        <span class={`severity in-row sev-${ticket.severity}`}>
          <span class="dot" aria-hidden="true" />
          <span class="label">{severityLabel(ticket.severity)}</span>
        </span>
      </td>
      <td class="assignee wide-only">{ticket.assignee ? nameOf(ticket.assignee) : <span class="muted">Unassigned</span>}</td>
      <td class="tags wide-only">
        {ticket.tags.map((tag) => (
          <span class="tag" key={tag}>{tag}</span>
        ))}
      </td>
      <td class="age wide-only">
        <time dateTime={ticket.created_at} title={exact(ticket.created_at)}>
          {ago(ticket.created_at, now)}
        </time>
      </td>
      <td class="sla-cell wide-only">
        <SlaBadge ticket={ticket} now={now} />
      </td>
      <td class="due wide-only">
        {ticket.due_date ? (
          <time dateTime={ticket.due_date} title={exact(ticket.due_date)} class={overdue ? "overdue" : ""}>
            {overdue ? "Overdue " : ""}
            {ago(ticket.due_date, now)}
          </time>
        ) : (
          <span class="muted">—</span>
        )}
      </td>
    </tr>
  );
}
