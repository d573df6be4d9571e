/* The piece's triggers are all one shape: subscribe to a ticket event with filters on enable,
   verify and flatten each delivery on run, unsubscribe on disable. */
import { createTrigger, Property, TriggerStrategy } from '@activepieces/pieces-framework';
import { ticketryAuth } from '../auth';
import { api, projectPath } from './client';
import { assignee, given, projectId, severities, statusOptions, stringList, tags } from './props';
import { rawBodyOf, verifySignature } from './signature';
import { eventItem, FlowItem, ticketItem } from './shape';
import { Page, Ticket, WebhookEvent, WebhookFilters, WebhookSubscription } from './types';

export const STORE_KEY = 'ticketry_subscription';

export type StoredSubscription = { id: string; secret: string; project_id: string };

type Props = Record<string, unknown>;

export type TicketTriggerSpec = {
  name: string;
  displayName: string;
  description: string;
  eventType: string;
  /** Props beyond project and the common filters. */
  props?: Record<string, any>;
  /** Extra subscription filters from the props. */
  filters?: (props: Props) => WebhookFilters;
  /** Events the API filters cannot tell apart are dropped here. */
  accept?: (item: FlowItem, props: Props) => boolean;
  /** Search parameters for `test`, so it shows matching tickets. */
  testQuery?: (props: Props) => Record<string, string | string[] | undefined>;
  sampleData: FlowItem;
};

function commonFilters(props: Props): WebhookFilters {
  const filters: WebhookFilters = {};
  const severity = stringList(props['severity']);
  if (severity.length) filters.severity = severity as WebhookFilters['severity'];
  const tagList = stringList(props['tags']).map((t) => t.toLowerCase());
  if (tagList.length) filters.tags = tagList;
  if (given(props['assignee'])) filters.assignee = String(props['assignee']);
  return filters;
}

export function subscriptionFilters(spec: TicketTriggerSpec, props: Props): WebhookFilters {
  return { ...commonFilters(props), ...(spec.filters ? spec.filters(props) : {}) };
}

export function createTicketTrigger(spec: TicketTriggerSpec) {
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
        await api.deleteIfPresent(context.auth, projectPath(previous.project_id, `/webhooks/${previous.id}`));
      }
      const subscription = await api.post<WebhookSubscription>(context.auth, projectPath(project, '/webhooks'), {
        name: `Activepieces: ${spec.displayName}`.slice(0, 128),
        event_type: spec.eventType,
        url: context.webhookUrl,
        filters: subscriptionFilters(spec, props),
      });
      await context.store.put<StoredSubscription>(STORE_KEY, {
        id: subscription.id,
        secret: subscription.secret as string,
        project_id: project,
      });
    },
    async onDisable(context) {
      const stored = await context.store.get<StoredSubscription>(STORE_KEY);
      if (stored) {
        await api.deleteIfPresent(context.auth, projectPath(stored.project_id, `/webhooks/${stored.id}`));
        await context.store.delete(STORE_KEY);
      }
    },
    async run(context) {
      const stored = await context.store.get<StoredSubscription>(STORE_KEY);
      const payload = context.payload as { headers?: Record<string, string>; body?: unknown; rawBody?: unknown };
      const raw = rawBodyOf(payload);
      if (!stored || raw === null) return [];
      const message = verifySignature(stored.secret, payload.headers, raw);
      if (!message) return []; // forged, altered or replayed late
      let event: WebhookEvent;
      try {
        event = JSON.parse(raw) as WebhookEvent;
      } catch {
        return [];
      }
      if (event.type !== spec.eventType || !event.data?.ticket) return []; // e.g. a PING
      const item = eventItem(event, message.id);
      if (spec.accept && !spec.accept(item, context.propsValue as Props)) return [];
      return [item];
    },
    async test(context) {
      const props = context.propsValue as Props;
      const filters = commonFilters(props);
      const page = await api.get<Page<Ticket>>(context.auth, projectPath(String(props['project_id']), '/tickets'), {
        limit: '5',
        severity: filters.severity,
        tags: filters.tags,
        assignee: filters.assignee,
        ...(spec.testQuery ? spec.testQuery(props) : {}),
      });
      return page.data.map((ticket) => ticketItem(ticket, spec.eventType));
    },
  });
}

export function statusProp(displayName: string, description: string) {
  return Property.StaticDropdown<string, false>({ displayName, description, required: false, options: { options: statusOptions } });
}
