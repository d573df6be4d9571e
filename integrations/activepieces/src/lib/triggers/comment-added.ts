import { createTicketTrigger } from '../common/webhook-trigger';
import { sampleItem } from '../common/samples';

export const commentAdded = createTicketTrigger({
  name: 'comment_added',
  displayName: 'Comment Added',
  description: 'Starts when someone comments on a ticket; the comment is in `comment`',
  eventType: 'COMMENT_ADDED',
  sampleData: sampleItem('COMMENT_ADDED', {
    actor: 'w9ryzm1z6jk3q6tt',
    comment: { id: '9rzat0e6b6xkttht', body: 'Rotated the logs, 40% free now', author: 'w9ryzm1z6jk3q6tt', created_at: '2026-11-27T08:01:00.000Z' },
  }),
});
