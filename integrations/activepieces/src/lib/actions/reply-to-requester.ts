import { createAction, Property } from '@activepieces/pieces-framework';
import { ticketryAuth } from '../auth';
import { api, TicketryError } from '../common/client';
import { projectId, ticketId } from '../common/props';

/** The API's refusal of a public comment on a ticket that has nobody to mail it to. */
export function explainNoRequester(error: unknown, ticket: string): unknown {
  if (!(error instanceof TicketryError) || error.code !== 'no_requester') return error;
  return new TicketryError(
    `Ticket ${ticket} has no requester to reply to: only a ticket that came in by email has one. `
      + `Use Add Comment for an internal note instead. (${error.message})`,
    error.status,
    error.code,
    error.body,
  );
}

export const replyToRequesterAction = createAction({
  auth: ticketryAuth,
  name: 'reply_to_requester',
  displayName: 'Reply to Requester',
  description: 'Replies on the ticket\'s email thread: a public comment that Ticketry mails to the ticket\'s requester '
    + '(and the thread\'s CC). Only tickets that came in by email have a requester; the answer is the history entry',
  props: {
    project_id: projectId(),
    ticket_id: ticketId(),
    text: Property.LongText({
      displayName: 'Reply',
      description: 'What the requester reads in the email',
      required: true,
    }),
  },
  async run(context) {
    const { project_id, ticket_id, text } = context.propsValue as Record<string, string>;
    try {
      return await api.post(context.auth, '/v1/ce/projects/{project_id}/tickets/{ticket_id}/comments', {
        path: { project_id, ticket_id },
        body: { comment: text, visibility: 'public' },
      });
    } catch (error) {
      throw explainNoRequester(error, String(ticket_id).trim());
    }
  },
});
