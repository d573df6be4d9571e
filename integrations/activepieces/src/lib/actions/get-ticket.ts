import { createAction } from '@activepieces/pieces-framework';
import { ticketryAuth } from '../auth';
import { projectId, ticketId } from '../common/props';
import { getTicket } from '../common/tickets';

export const getTicketAction = createAction({
  auth: ticketryAuth,
  name: 'get_ticket',
  displayName: 'Get Ticket',
  description: 'Reads a ticket with its recent history, attachments and allowed status moves',
  props: { project_id: projectId(), ticket_id: ticketId() },
  async run(context) {
    const { project_id, ticket_id } = context.propsValue as Record<string, string>;
    return getTicket(context.auth, project_id, ticket_id);
  },
});
