import { Property } from '@activepieces/pieces-framework';
import { given } from '../common/props';
import { createTicketTrigger } from '../common/webhook-trigger';
import { sampleEmailedTicket, sampleItem } from '../common/samples';

/** The source a trigger keeps, or null for any. */
export function wantedSource(props: Record<string, unknown>): string | null {
  return given(props['source']) ? String(props['source']).trim() : null;
}

export const ticketCreated = createTicketTrigger({
  name: 'ticket_created',
  displayName: 'Ticket Created',
  description: 'Starts when a ticket is created in the project (optionally: only tickets from one source, such as email)',
  eventType: 'TICKET_CREATED',
  props: {
    source: Property.ShortText({
      displayName: 'Source',
      description: 'Only tickets whose `source` is exactly this: `email` for tickets that came in by email (their '
        + '`requester` is the sender), `web` for the app, `api` by default for the API, or what a flow or tool set '
        + '(such as `grafana`). Empty for any source',
      required: false,
    }),
  },
  // The webhooks' filters and the search do not select by source: other sources are dropped here.
  ticketFilter: (props) => {
    const source = wantedSource(props);
    return source === null ? null : (ticket) => ticket.source === source;
  },
  sampleData: sampleItem('TICKET_CREATED', {
    ...sampleEmailedTicket,
    actor: 'contact:ana.lima@example.com',
    changes: {
      title: { old: null, new: sampleEmailedTicket.title }, status: { old: null, new: 'new' }, severity: { old: null, new: 'medium' },
    },
  }),
});
