import { statusOf, STATUSES } from '../common/contract';
import { statuses, stringList } from '../common/props';
import { createTicketTrigger } from '../common/webhook-trigger';
import { sampleItem } from '../common/samples';

export const ticketStatusChanged = createTicketTrigger({
  name: 'ticket_status_changed',
  displayName: 'Ticket Status Changed',
  description: 'Starts when a ticket moves to another status (optionally: only to some statuses)',
  eventType: 'TICKET_UPDATED',
  props: {
    statuses: statuses('To statuses', 'Only moves to one of these; empty for any status change'),
  },
  // Naming every status keeps only the updates that change the status.
  filters: (props) => {
    const chosen = stringList(props['statuses']).map(statusOf);
    return { status_changed_to: chosen.length ? chosen : [...STATUSES] };
  },
  accept: (item) => item.changes.status !== undefined,
  testQuery: (props) => ({ status: stringList(props['statuses']) }),
  sampleData: sampleItem('TICKET_UPDATED', {
    status: 'resolved',
    resolved_at: '2026-11-27T09:02:11.120Z',
    version: 4,
    actor: 'w9ryzm1z6jk3q6tt',
    changes: {
      status: { old: 'in_progress', new: 'resolved' },
      resolved_at: { old: null, new: '2026-11-27T09:02:11.120Z' },
    },
  }),
});
