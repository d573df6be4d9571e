import { createAction, Property } from '@activepieces/pieces-framework';
import { ticketryAuth } from '../auth';
import { api } from '../common/client';
import { projectId, ticketId } from '../common/props';

export const addCommentAction = createAction({
  auth: ticketryAuth,
  name: 'add_comment',
  displayName: 'Add Comment',
  description: 'Adds an internal note to a ticket, never mailed to its requester (Reply to Requester does that); '
    + 'the answer is the history entry',
  props: {
    project_id: projectId(),
    ticket_id: ticketId(),
    comment: Property.LongText({ displayName: 'Comment', required: true }),
  },
  async run(context) {
    const { project_id, ticket_id, comment } = context.propsValue as Record<string, string>;
    return api.post(context.auth, '/v1/ce/projects/{project_id}/tickets/{ticket_id}/comments', {
      path: { project_id, ticket_id },
      // Said, not left to the API's default: this action never mails anyone outside the team.
      body: { comment, visibility: 'internal' },
    });
  },
});
