/* What flows see: one flat item per event, the ticket's fields at the top level. */
import { HistoryEntry, Ticket, TicketWithHistory, WebhookEvent } from './types';

export type FlowItem = Ticket & {
  event_type: string;
  event_id: string | null;
  event_timestamp: string | null;
  changes: Record<string, { old?: unknown; new?: unknown }>;
  actor: string | null;
  comment: { id: string; body: string; author: string; created_at: string } | null;
};

export function eventItem(event: WebhookEvent, eventId: string | null): FlowItem {
  const data = event.data;
  return {
    ...data.ticket,
    event_type: event.type,
    event_id: eventId,
    event_timestamp: event.timestamp ?? null,
    changes: data.changes ?? {},
    actor: data.actor ?? null,
    comment: data.comment ?? null,
  };
}

/** A ticket read from the API, shaped like an event of `eventType` (for trigger tests). */
export function ticketItem(ticket: Ticket, eventType: string): FlowItem {
  return {
    ...withoutReadExtras(ticket),
    event_type: eventType,
    event_id: null,
    event_timestamp: (ticket.updated_at as string) ?? null,
    changes: {},
    actor: null,
    comment: null,
  };
}

/** The ticket without what only a single read carries (recent history, its cursor). */
export function withoutReadExtras<T extends TicketWithHistory>(ticket: T): Ticket {
  const { history: _history, history_cursor: _cursor, ...rest } = ticket;
  return rest as unknown as Ticket;
}

export function lastComment(history: HistoryEntry[] | undefined) {
  const entry = (history ?? []).find((h) => h.event === 'COMMENT_ADDED' && h.comment !== null);
  return entry ? { id: entry.id, body: entry.comment as string, author: entry.changed_by, created_at: entry.timestamp } : null;
}

/** Who last moved the ticket to one of `statuses`, and when (history is newest first). */
export function lastMoveTo(history: HistoryEntry[] | undefined, statuses: string[]) {
  const entry = (history ?? []).find((h) => {
    const change = h.changes?.['status'];
    return change !== undefined && statuses.includes(String(change.new));
  });
  return entry ? { actor: entry.changed_by, at: entry.timestamp } : null;
}
