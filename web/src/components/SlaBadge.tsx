import type { Ticket } from "../api/tickets";
import { headline } from "../sla";

/** A ticket's most pressing SLA target, coloured by urgency. */
export function SlaBadge({ ticket, now }: { ticket: Ticket; now: number }) {
  const shown = headline(ticket.sla, now);
  if (!shown) return <span class="muted">—</span>;
  return (
    <span class={`sla sla-${shown.urgency}`} title={shown.title}>
      <span class="sr-only">SLA: </span>
      {shown.text}
    </span>
  );
}
