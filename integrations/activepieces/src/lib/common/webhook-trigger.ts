/* The piece's triggers are all one shape: subscribe to a ticket event with filters on enable,
   verify and flatten each delivery on run, unsubscribe on disable. */
import { createTrigger, Property, TriggerStrategy } from '@activepieces/pieces-framework';
import { ticketryAuth } from '../auth';
import { api, TicketSearch } from './client';
import { EventPayload, EventTicket, severityOf, TicketEventName, WebhookFilters } from './contract';
import { assignee, given, projectId, severities, statusOptions, stringList, tags } from './props';
import { rawBodyOf, verifySignature } from './signature';
import { eventItem, FlowItem, ticketItem } from './shape';

export const STORE_KEY = 'ticketry_subscription';

export type StoredSubscription = { id: string; secret: string; project_id: string };

type Props = Record<string, unknown>;

const WEBHOOKS = '/v1/ce/projects/{project_id}/webhooks';
const WEBHOOK = '/v1/ce/projects/{project_id}/webhooks/{webhook_id}';

export type TicketTriggerSpec<E extends TicketEventName> = {
  name: string;
  displayName: string;
  description: string;
  eventType: E;
  /** Further event types the props ask for (a comment's edits, say): the subscription then takes
      every event type, and the run keeps these and `eventType`. */
  moreEventTypes?: (props: Props) => readonly E[];
  /** Props beyond project and the common filters. */
  props?: Record<string, any>;
  /** Extra subscription filters from the props. */
  filters?: (props: Props) => WebhookFilters;
  /** Events the API filters cannot tell apart are dropped here. */
  accept?: (item: FlowItem<E>, props: Props) => boolean;
  /** From the props, a test of tickets that neither the webhooks' filters nor the search can select
      (by a field they do not filter on), or null when the props ask for none: deliveries of other
      tickets are dropped, and `test` shows only tickets that pass. */
  ticketFilter?: (props: Props) => ((ticket: EventTicket) => boolean) | null;
  /** Search parameters for `test`, so it shows matching tickets. */
  testQuery?: (props: Props) => TicketSearch;
  sampleData: FlowItem<E>;
};

function commonFilters(props: Props): WebhookFilters {
  const filters: WebhookFilters = {};
  const severity = stringList(props['severity']);
  if (severity.length) filters.severity = severity.map(severityOf);
  const tagList = stringList(props['tags']).map((t) => t.toLowerCase());
  if (tagList.length) filters.tags = tagList;
  if (given(props['assignee'])) filters.assignee = String(props['assignee']);
  return filters;
}

/** How many tickets `test` shows, and how many it reads when it must pick them itself. */
const TEST_SHOWN = 5;
const TEST_READ_FOR_FILTER = 100;

export function subscriptionFilters<E extends TicketEventName>(spec: TicketTriggerSpec<E>, props: Props): WebhookFilters {
  return { ...commonFilters(props), ...(spec.filters ? spec.filters(props) : {}) };
}

export function createTicketTrigger<E extends TicketEventName>(spec: TicketTriggerSpec<E>) {
  return createTrigger({
    auth: ticketryAuth,
    name: spec.name,
    displayName: spec.displayName,
    description: spec.description,
    type: TriggerStrategy.WEBHOOK,
    props: {
      project_id: projectId(),
      ...(spec.props ?? {}),
      severity: severities(),
      tags: tags('Only tickets with any of these tags'),
      assignee: assignee({ description: 'Only tickets assigned to this member or team' }),
    },
    sampleData: spec.sampleData,
    async onEnable(context) {
      const props = context.propsValue as Props;
      const project = String(props['project_id']);
      const previous = await context.store.get<StoredSubscription>(STORE_KEY);
      if (previous) {
        await api.deleteIfPresent(context.auth, WEBHOOK, { path: { project_id: previous.project_id, webhook_id: previous.id } });
      }
      const subscription = await api.post(context.auth, WEBHOOKS, {
        path: { project_id: project },
        body: {
          name: `Activepieces: ${spec.displayName}`.slice(0, 128),
          event_type: eventTypesOf(spec, props).length > 1 ? '*' : spec.eventType,
          url: context.webhookUrl,
          filters: subscriptionFilters(spec, props),
        },
      });
      await context.store.put<StoredSubscription>(STORE_KEY, {
        id: subscription.id,
        secret: subscription.secret,
        project_id: project,
      });
    },
    async onDisable(context) {
      const stored = await context.store.get<StoredSubscription>(STORE_KEY);
      if (stored) {
        await api.deleteIfPresent(context.auth, WEBHOOK, { path: { project_id: stored.project_id, webhook_id: stored.id } });
        await context.store.delete(STORE_KEY);
      }
    },
    async run(context): Promise<FlowItem<E>[]> {
      const stored = await context.store.get<StoredSubscription>(STORE_KEY);
      const payload = context.payload as { headers?: Record<string, string>; body?: unknown; rawBody?: unknown };
      const raw = rawBodyOf(payload);
      if (!stored || raw === null) return [];
      const message = verifySignature(stored.secret, payload.headers, raw);
      if (!message) return []; // forged, altered or replayed late
      let event: EventPayload<E> | { type?: unknown; data?: { ticket?: unknown } };
      try {
        // Signed by the API: a body of the type it names, as the document describes it.
        event = JSON.parse(raw) as EventPayload<E>;
      } catch {
        return [];
      }
      if (!isEventOf(eventTypesOf(spec, context.propsValue as Props), event)) return []; // e.g. a PING
      const item = eventItem(event, message.id);
      const wanted = spec.ticketFilter?.(context.propsValue as Props);
      if (wanted && !wanted(item)) return [];
      if (spec.accept && !spec.accept(item, context.propsValue as Props)) return [];
      return [item];
    },
    async test(context): Promise<FlowItem<E>[]> {
      const props = context.propsValue as Props;
      const filters = commonFilters(props);
      const wanted = spec.ticketFilter?.(props);
      const page = await api.get(context.auth, '/v1/ce/projects/{project_id}/tickets', {
        path: { project_id: String(props['project_id']) },
        query: {
          limit: wanted ? TEST_READ_FOR_FILTER : TEST_SHOWN,
          severity: filters.severity ?? undefined,
          tags: filters.tags ?? undefined,
          assignee: filters.assignee ?? undefined,
          ...(spec.testQuery ? spec.testQuery(props) : {}),
        },
      });
      const tickets = wanted ? page.data.filter(wanted) : page.data;
      return tickets.slice(0, TEST_SHOWN).map((ticket) => ticketItem(ticket, spec.eventType));
    },
  });
}

export function eventTypesOf<E extends TicketEventName>(spec: TicketTriggerSpec<E>, props: Props): readonly E[] {
  return [spec.eventType, ...(spec.moreEventTypes ? spec.moreEventTypes(props) : [])];
}

function isEventOf<E extends TicketEventName>(types: readonly E[], event: { type?: unknown; data?: { ticket?: unknown } } | null): event is EventPayload<E> {
  return event !== null && typeof event === 'object' && types.some((type) => event.type === type) && !!event.data?.ticket;
}

export function statusProp(displayName: string, description: string) {
  return Property.StaticDropdown<string, false>({ displayName, description, required: false, options: { options: statusOptions } });
}
