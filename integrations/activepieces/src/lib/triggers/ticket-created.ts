import { createTicketTrigger } from '../common/webhook-trigger';
import { sampleItem } from '../common/samples';

export const ticketCreated = createTicketTrigger({
  name: 'ticket_created',
  displayName: 'Ticket Created',
  description: 'Starts when a ticket is created in the project',
  eventType: 'TICKET_CREATED',
  sampleData: sampleItem('TICKET_CREATED', {
    changes: { title: { old: null, new: 'Disk full on db-1' }, status: { old: null, new: 'new' }, severity: { old: null, new: 'high' } },
  }),
});
