/* What flows see: one flat item per event, the ticket's fields at the top level. */
import { AnyEventComment, EventChanges, EventComment, EventPayload, EventTicket, HistoryEntry, Ticket, TicketDetail, TicketEventName } from './contract';

/** A trigger's output for an event of type E, typed by the event's schema in the API's document. */
export type FlowItem<E extends TicketEventName = TicketEventName> = EventTicket & {
  event_type: E;
  event_id: string | null;
  event_timestamp: string | null;
  /** The event's changes; empty for a ticket shown by a trigger's test. */
  changes: Partial<EventChanges<E>>;
  actor: string | null;
  comment: AnyEventComment | null;
};

export function eventItem<E extends TicketEventName>(event: EventPayload<E>, eventId: string | null): FlowItem<E> {
  const data: EventPayload<TicketEventName>['data'] = event.data;
  const item: FlowItem = {
    ...data.ticket,
    event_type: event.type,
    event_id: eventId,
    event_timestamp: event.timestamp ?? null,
    changes: ('changes' in data ? data.changes : undefined) ?? {},
    actor: data.actor ?? null,
    comment: ('comment' in data ? data.comment : undefined) ?? null,
  };
  // The item is made of the event of type E itself (event.type is E).
  return item as FlowItem<E>;
}

/** A ticket read from the API, shaped like an event of `eventType` (for trigger tests). */
export function ticketItem<E extends TicketEventName>(ticket: Ticket, eventType: E): FlowItem<E> {
  return {
    ...withoutReadExtras(ticket),
    event_type: eventType,
    event_id: null,
    event_timestamp: ticket.updated_at ?? null,
    changes: {},
    actor: null,
    comment: null,
  };
}

/** The ticket without what only a single read carries (recent history, its cursor). */
export function withoutReadExtras<T extends Ticket | TicketDetail>(ticket: T): Omit<T, 'history' | 'history_cursor'> {
  const { history: _history, history_cursor: _cursor, ...rest } = ticket as T & Partial<Pick<TicketDetail, 'history' | 'history_cursor'>>;
  return rest;
}

/** The new value of a history entry's change of `field`, if it changed it. */
function changedTo(entry: HistoryEntry, field: string): unknown {
  const change = entry.changes?.[field];
  return change !== null && typeof change === 'object' && 'new' in change ? change.new : undefined;
}

/** The newest comment in `history`, as far as an entry tells of it (whom it mentions is not there). */
export function lastComment(history: HistoryEntry[] | undefined): Omit<EventComment, 'mentions'> | null {
  const entry = (history ?? []).find((h): h is HistoryEntry & { comment: string } => h.event === 'COMMENT_ADDED' && typeof h.comment === 'string');
  return entry ? {
    id: entry.id, body: entry.comment, author: entry.changed_by, created_at: entry.timestamp,
    visibility: entry.visibility ?? 'internal', via: entry.via ?? null,
  } : null;
}

/** Who last moved the ticket to one of `statuses`, and when (history is newest first). */
export function lastMoveTo(history: HistoryEntry[] | undefined, statuses: readonly string[]) {
  const entry = (history ?? []).find((h) => {
    const status = changedTo(h, 'status');
    return status !== undefined && statuses.includes(String(status));
  });
  return entry ? { actor: entry.changed_by, at: entry.timestamp } : null;
}
