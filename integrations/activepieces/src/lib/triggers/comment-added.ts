import { Property } from '@activepieces/pieces-framework';
import { createTicketTrigger } from '../common/webhook-trigger';
import { sampleEmailedTicket, sampleItem } from '../common/samples';

type CommentEvent = 'COMMENT_ADDED' | 'COMMENT_UPDATED' | 'COMMENT_DELETED';

export const commentAdded = createTicketTrigger<CommentEvent>({
  name: 'comment_added',
  displayName: 'Comment Added',
  description: 'Starts when someone comments on a ticket (and, if chosen, edits or deletes a comment); the comment is in '
    + '`comment`, with its `visibility` (`internal` for a note, `public` for a reply on the email thread) and `via` '
    + '(`email` when the requester wrote it by email), and `event_type` tells which happened',
  eventType: 'COMMENT_ADDED',
  moreEventTypes: (props) => [
    ...(props['include_edits'] === true ? (['COMMENT_UPDATED'] as const) : []),
    ...(props['include_deletions'] === true ? (['COMMENT_DELETED'] as const) : []),
  ],
  props: {
    include_edits: Property.Checkbox({
      displayName: 'Include edits',
      description: 'Also start when a comment is edited: `comment.body` is the new text, `changes.comment` the old and new',
      required: false,
      defaultValue: false,
    }),
    include_deletions: Property.Checkbox({
      displayName: 'Include deletions',
      description: 'Also start when a comment is deleted: `comment` then has no `body` (the text is gone), but who '
        + 'deleted it and when',
      required: false,
      defaultValue: false,
    }),
  },
  // The requester's answer by email: a public comment on the email thread.
  sampleData: sampleItem('COMMENT_ADDED', {
    ...sampleEmailedTicket,
    actor: 'contact:ana.lima@example.com',
    comment: {
      id: '9rzat0e6b6xkttht', body: 'It works again, thank you!', author: 'contact:ana.lima@example.com', created_at: '2026-11-27T08:01:00.000Z',
      mentions: [], visibility: 'public', via: 'email',
    },
  }),
});
