import { createTicketTrigger, statusProp } from '../common/webhook-trigger';
import { statusOf } from '../common/contract';
import { given } from '../common/props';
import { sampleItem } from '../common/samples';

export const ticketUpdated = createTicketTrigger({
  name: 'ticket_updated',
  displayName: 'Ticket Updated',
  description: 'Starts when fields of a ticket change (optionally: only when its status changes to a given one)',
  eventType: 'TICKET_UPDATED',
  props: {
    status: statusProp('Status changed to', 'Only changes that move the ticket to this status; empty for any change'),
  },
  filters: (props) => (given(props['status']) ? { status_changed_to: statusOf(props['status']) } : {}),
  testQuery: (props) => ({ status: given(props['status']) ? String(props['status']) : undefined }),
  sampleData: sampleItem('TICKET_UPDATED', {
    status: 'acknowledged',
    version: 2,
    actor: 'w9ryzm1z6jk3q6tt',
    changes: { status: { old: 'new', new: 'acknowledged' } },
  }),
});
