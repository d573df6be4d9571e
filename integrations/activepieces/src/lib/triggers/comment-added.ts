import { Property } from '@activepieces/pieces-framework';
import { createTicketTrigger } from '../common/webhook-trigger';
import { sampleItem } from '../common/samples';

type CommentEvent = 'COMMENT_ADDED' | 'COMMENT_UPDATED' | 'COMMENT_DELETED';

export const commentAdded = createTicketTrigger<CommentEvent>({
  name: 'comment_added',
  displayName: 'Comment Added',
  description: 'Starts when someone comments on a ticket (and, if chosen, edits or deletes a comment); the comment is in '
    + '`comment`, and `event_type` tells which happened',
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
  sampleData: sampleItem('COMMENT_ADDED', {
    actor: 'w9ryzm1z6jk3q6tt',
    comment: { id: '9rzat0e6b6xkttht', body: 'Rotated the logs, 40% free now', author: 'w9ryzm1z6jk3q6tt', created_at: '2026-11-27T08:01:00.000Z', mentions: [],
      visibility: 'internal', via: null },
  }),
});
