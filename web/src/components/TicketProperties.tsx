import { SEVERITIES, type Severity, type Status } from "../api/enums";
import { ago, exact, fromLocalInput, severityLabel, statusLabel, toLocalInput } from "../format";
import { names, nameOf } from "../state/project";
import type { TicketPageState } from "../state/ticketPage";
import { AssigneeOptions } from "./AssigneeOptions";
import { SlaPanel } from "./SlaPanel";
import { Watchers } from "./Watchers";

type Field = { current: HTMLSelectElement | null };

/** The ticket's properties beside it, each saved as soon as it changes. */
export function TicketProperties({ page, now, status, severity, assignee }: {
  page: TicketPageState;
  now: number;
  status: Field;
  severity: Field;
  assignee: Field;
}) {
  const ticket = page.ticket.value!;
  const problems = page.fieldProblem.value;
  const change = page.change;
  const overdue = ticket.due_date && !["resolved", "closed", "canceled"].includes(ticket.status) && new Date(ticket.due_date) < new Date();
  return (
    <aside class="properties" aria-label="Properties">
      <SlaPanel sla={ticket.sla} now={now} />
      <label for="prop-status">Status</label>
      <select id="prop-status" ref={status} value={ticket.status} onChange={(e) => change({ status: (e.target as HTMLSelectElement).value as Status })}>
        <option value={ticket.status}>{statusLabel(ticket.status)}</option>
        {ticket.allowed_transitions.map((target) => (
          <option key={target} value={target}>
            {statusLabel(target)}
          </option>
        ))}
      </select>
      <label for="prop-severity">Severity</label>
      <select id="prop-severity" ref={severity} value={ticket.severity} onChange={(e) => change({ severity: (e.target as HTMLSelectElement).value as Severity })}>
        {SEVERITIES.map((value) => (
          <option key={value} value={value}>
            {severityLabel(value)}
          </option>
        ))}
      </select>
      <label for="prop-assignee">Assignee</label>
      <select
        id="prop-assignee"
        ref={assignee}
        value={ticket.assignee ?? ""}
        onChange={(e) => change({ assignee: (e.target as HTMLSelectElement).value || null })}
      >
        <option value="">Unassigned</option>
        {ticket.assignee && !names.value.has(ticket.assignee) && <option value={ticket.assignee}>{nameOf(ticket.assignee)}</option>}
        <AssigneeOptions />
      </select>
      <label for="prop-tags">Tags</label>
      <input
        id="prop-tags"
        defaultValue={ticket.tags.join(", ")}
        key={ticket.tags.join(",")}
        aria-describedby="tags-hint"
        aria-invalid={problems.tags ? "true" : undefined}
        onChange={(e) => change({ tags: (e.target as HTMLInputElement).value.split(",").map((t) => t.trim()).filter(Boolean) })}
      />
      <span id="tags-hint" class="muted small">
        {problems.tags ?? "Comma-separated; saved when you leave the field."}
      </span>
      <label for="prop-due">Due date</label>
      <input
        id="prop-due"
        type="datetime-local"
        key={ticket.due_date ?? "none"}
        defaultValue={toLocalInput(ticket.due_date)}
        aria-invalid={problems.due_date ? "true" : undefined}
        onChange={(e) => change({ due_date: fromLocalInput((e.target as HTMLInputElement).value) })}
      />
      {overdue && <span class="overdue small">Overdue since {exact(ticket.due_date!)}</span>}
      <dl>
        <dt>Reporter</dt>
        <dd>{nameOf(ticket.reporter)}</dd>
        <dt>Source</dt>
        <dd>{ticket.source}</dd>
        <dt>Updated</dt>
        <dd>
          <time dateTime={ticket.updated_at} title={exact(ticket.updated_at)}>{ago(ticket.updated_at)}</time>
        </dd>
      </dl>
      <Watchers ticketId={ticket.id} version={ticket.history[0]?.id ?? ""} />
    </aside>
  );
}
