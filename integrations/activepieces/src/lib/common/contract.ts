/* The API's shapes and values the piece uses, by name. Every one comes from api.ts, which
   `make contract` generates from the API's OpenAPI document: a field or value the API renames or
   drops breaks the piece's build, not its flows. */
import type { components, operations, webhooks } from './api';
import {
  eventTicketSeverityValues,
  eventTicketStatusValues,
  pathsV1CeProjectsProject_idTicketsGetParametersQuerySortValues,
  slaEventDetailTargetValues,
} from './api';

type Schemas = components['schemas'];

export type Ticket = Schemas['TicketOut'];
export type TicketDetail = Schemas['TicketDetailOut'];
export type HistoryEntry = Schemas['HistoryOut'];
export type Status = Ticket['status'];
export type Severity = Ticket['severity'];
export type TicketCreate = Schemas['TicketCreate'];
export type TicketPatch = Schemas['TicketPatch'];
export type TicketBulk = Schemas['TicketBulk'];
export type BulkChange = Schemas['BulkChange'];
export type WebhookFilters = Schemas['WebhookFilters'];
export type Session = Schemas['SessionOut'];

export const STATUSES: readonly Status[] = eventTicketStatusValues;
export const SEVERITIES: readonly Severity[] = eventTicketSeverityValues;
export type SlaTarget = Schemas['SlaEventDetail']['target'];
export const SLA_TARGETS: readonly SlaTarget[] = slaEventDetailTargetValues;
export type TicketSort = NonNullable<NonNullable<operations['search_tickets']['parameters']['query']>['sort']>;
export const TICKET_SORTS: readonly TicketSort[] = pathsV1CeProjectsProject_idTicketsGetParametersQuerySortValues;
/** The statuses a ticket is finished in, the default for "wait until resolved". */
export const FINAL_STATUSES: Status[] = ['resolved', 'closed', 'canceled'];

/** The webhook events, by the names the API sends them under (`type`), PING included. */
export type EventName = keyof webhooks;
export type TicketEventName = Exclude<EventName, 'PING'>;
/** The JSON body of an event, as the `webhooks` section of the document describes it. */
export type EventPayload<E extends EventName> = webhooks[E]['post']['requestBody']['content']['application/json'];
export type EventTicket = Schemas['EventTicket'];
export type EventComment = Schemas['EventComment'];
/** A comment as an event tells of it: added, edited (with `edited_at`) or deleted (no `body`). */
export type AnyEventComment = EventComment | Schemas['EditedComment'] | Schemas['DeletedComment'];
/** The `changes` an event carries (`{}` for those that carry none). */
export type EventChanges<E extends TicketEventName> = E extends TicketEventName
  ? EventPayload<E>['data'] extends { changes: infer C } ? C : Record<string, never>
  : never;

function oneOf<T extends string>(values: readonly T[], what: string) {
  return (value: unknown): T => {
    const found = values.find((known) => known === value);
    if (found === undefined) throw new Error(`${what}: not one of ${values.join(', ')} (got ${String(value)})`);
    return found;
  };
}

export const statusOf = oneOf(STATUSES, 'status');
export const severityOf = oneOf(SEVERITIES, 'severity');
export const sortOf = oneOf(TICKET_SORTS, 'sort');
