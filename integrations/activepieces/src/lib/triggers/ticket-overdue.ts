import { FINAL_STATUSES, STATUSES } from '../common/contract';
import { createTicketTrigger } from '../common/webhook-trigger';
import { sampleItem } from '../common/samples';

export const ticketOverdue = createTicketTrigger({
  name: 'ticket_overdue',
  displayName: 'Ticket Overdue',
  description: 'Starts when an open ticket passes its due date (once per due date)',
  eventType: 'TICKET_OVERDUE',
  testQuery: () => ({ due_before: new Date().toISOString(), status: STATUSES.filter((status) => !FINAL_STATUSES.includes(status)) }),
  sampleData: sampleItem('TICKET_OVERDUE', { due_date: '2026-11-27T12:00:00.000Z', actor: 'system' }),
});
