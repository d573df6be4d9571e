import { createAction, Property } from '@activepieces/pieces-framework';
import { ticketryAuth } from '../auth';
import { api, TicketSearch } from '../common/client';
import { sortOf, Ticket, TicketSort } from '../common/contract';
import { assignee, given, projectId, severities, statuses, stringList, tags } from '../common/props';
import { isoDate } from '../common/tickets';

export const MAX_RESULTS_CAP = 1000;
const PAGE_SIZE_MAX = 100;

const dateParams = ['created_after', 'created_before', 'due_after', 'due_before'] as const;

/** The API's search parameters from the props, passed through as the query string. */
export function searchQuery(props: Record<string, unknown>): TicketSearch {
  const query: TicketSearch = {};
  if (given(props['q'])) query['q'] = String(props['q']);
  const statusList = stringList(props['status']);
  if (given(props['status_group'])) statusList.push(String(props['status_group']));
  if (statusList.length) query['status'] = statusList;
  const severityList = stringList(props['severity']);
  if (severityList.length) query['severity'] = severityList;
  const tagList = stringList(props['tags']).map((t) => t.toLowerCase());
  if (tagList.length) query['tags'] = tagList;
  if (given(props['assignee'])) query.assignee = String(props['assignee']);
  if (given(props['reporter'])) query.reporter = String(props['reporter']);
  if (given(props['sort'])) query.sort = sortOf(props['sort']);
  if (props['overdue'] === true) query['overdue'] = 'true';
  for (const field of dateParams) {
    if (given(props[field])) query[field] = isoDate(props[field], field);
  }
  return query;
}

export const searchTicketsAction = createAction({
  auth: ticketryAuth,
  name: 'search_tickets',
  displayName: 'Search Tickets',
  description: 'Finds tickets by text and filters; one page, or every page up to a cap',
  props: {
    project_id: projectId(),
    q: Property.ShortText({ displayName: 'Text', description: 'Full-text search in titles, descriptions and comments', required: false }),
    status: statuses('Statuses', 'Any of these statuses'),
    status_group: Property.StaticDropdown({
      displayName: 'Status group',
      description: '"Open" is every status but resolved, closed and canceled',
      required: false,
      options: { options: [{ label: 'Open', value: 'open' }] },
    }),
    severity: severities('Any of these severities'),
    tags: tags('Tickets with any of these tags'),
    assignee: assignee({ searchValues: true, description: 'A member or team, unassigned tickets, or the key\'s own' }),
    reporter: Property.ShortText({ displayName: 'Reporter', description: 'A member\'s user id', required: false }),
    created_after: Property.DateTime({ displayName: 'Created after', description: 'Inclusive', required: false }),
    created_before: Property.DateTime({ displayName: 'Created before', description: 'Exclusive', required: false }),
    due_after: Property.DateTime({ displayName: 'Due after', description: 'Inclusive', required: false }),
    due_before: Property.DateTime({ displayName: 'Due before', description: 'Exclusive', required: false }),
    overdue: Property.Checkbox({
      displayName: 'Overdue only',
      description: 'Open tickets whose due date has passed',
      required: false,
      defaultValue: false,
    }),
    sort: Property.StaticDropdown({
      displayName: 'Sort',
      description: 'Default: newest first',
      required: false,
      options: {
        options: [
          { label: 'Newest first', value: 'created' },
          { label: 'Oldest first', value: '-created' },
          { label: 'Recently updated first', value: 'updated' },
          { label: 'Soonest due first (tickets without a due date last)', value: 'due' },
          { label: 'Most severe first', value: 'severity' },
        ] satisfies { label: string; value: TicketSort }[],
      },
    }),
    limit: Property.Number({ displayName: 'Page size', description: '1–100, default 50', required: false, defaultValue: 50 }),
    all_pages: Property.Checkbox({
      displayName: 'All pages',
      description: `Follow the cursor until every match is read, up to "Max results" (at most ${MAX_RESULTS_CAP})`,
      required: false,
      defaultValue: false,
    }),
    max_results: Property.Number({
      displayName: 'Max results',
      description: `With "All pages": stop after this many tickets (default 500, at most ${MAX_RESULTS_CAP})`,
      required: false,
      defaultValue: 500,
    }),
    cursor: Property.ShortText({ displayName: 'Cursor', description: 'Continue from a previous answer\'s cursor', required: false }),
  },
  async run(context) {
    const props = context.propsValue as Record<string, unknown>;
    const query = searchQuery(props);
    const pageSize = Math.min(PAGE_SIZE_MAX, Math.max(1, Number(props['limit'] ?? 50) || 50));
    const cap = props['all_pages'] === true
      ? Math.min(MAX_RESULTS_CAP, Math.max(1, Number(props['max_results'] ?? 500) || 500))
      : pageSize;
    const path = { project_id: String(props['project_id']) };
    const tickets: Ticket[] = [];
    let cursor: string | null = given(props['cursor']) ? String(props['cursor']) : null;
    do {
      const page = await api.get(context.auth, '/v1/ce/projects/{project_id}/tickets', {
        path,
        query: { ...query, limit: Math.min(pageSize, cap - tickets.length), cursor: cursor ?? undefined },
      });
      tickets.push(...page.data);
      cursor = page.cursor;
    } while (props['all_pages'] === true && cursor && tickets.length < cap);
    return { tickets, count: tickets.length, cursor, more: cursor !== null };
  },
});
