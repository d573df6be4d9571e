import { createTicketTrigger } from '../common/webhook-trigger';
import { sampleItem } from '../common/samples';

export const ticketAssigned = createTicketTrigger({
  name: 'ticket_assigned',
  displayName: 'Ticket Assigned',
  description: 'Starts when a ticket is given to a member or team (the Assignee filter picks whom)',
  eventType: 'TICKET_UPDATED',
  // The API has no filter for "the assignee changed": updates of other fields are dropped here.
  accept: (item) => {
    const change = item.changes.assignee;
    return change !== undefined && change.new !== null && change.new !== undefined;
  },
  sampleData: sampleItem('TICKET_UPDATED', {
    assignee: 'team:k2f8d0q1m3x7w9zz',
    version: 3,
    changes: { assignee: { old: 'w9ryzm1z6jk3q6tt', new: 'team:k2f8d0q1m3x7w9zz' } },
  }),
});
