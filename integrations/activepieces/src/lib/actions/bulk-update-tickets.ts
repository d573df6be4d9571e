import { createAction, Property } from '@activepieces/pieces-framework';
import { ticketryAuth } from '../auth';
import { api } from '../common/client';
import { BulkChange, severityOf, statusOf, TicketBulk } from '../common/contract';
import { assignee, given, projectId, severity, statusOptions, stringList, UNASSIGNED } from '../common/props';
import { isoDate } from '../common/tickets';

export const BULK_LIMIT = 100;

export function bulkBody(props: Record<string, unknown>): TicketBulk {
  const ticketIds = stringList(props['ticket_ids']);
  if (!ticketIds.length) throw new Error('Name at least one ticket (ids or keys such as OPS-42)');
  if (ticketIds.length > BULK_LIMIT) throw new Error(`At most ${BULK_LIMIT} tickets at a time (got ${ticketIds.length})`);
  const change: BulkChange = {};
  if (given(props['status'])) change.status = statusOf(props['status']);
  if (given(props['severity'])) change.severity = severityOf(props['severity']);
  if (given(props['assignee'])) change.assignee = props['assignee'] === UNASSIGNED ? null : String(props['assignee']);
  const addTags = stringList(props['add_tags']);
  if (addTags.length) change.add_tags = addTags;
  const removeTags = stringList(props['remove_tags']);
  if (removeTags.length) change.remove_tags = removeTags;
  if (props['clear_due_date'] === true) change.due_date = null;
  else if (given(props['due_date'])) change.due_date = isoDate(props['due_date'], 'due_date');
  const body: TicketBulk = { ticket_ids: ticketIds, change };
  if (given(props['comment'])) body.comment = String(props['comment']);
  if (!Object.keys(change).length && body.comment === undefined) {
    throw new Error('Nothing to do: choose a change or write a comment');
  }
  return body;
}

export const bulkUpdateTicketsAction = createAction({
  auth: ticketryAuth,
  name: 'bulk_update_tickets',
  displayName: 'Bulk Update Tickets',
  description: `Applies one change (and an optional comment) to up to ${BULK_LIMIT} tickets; the answer says how each went`,
  props: {
    project_id: projectId(),
    ticket_ids: Property.Array({ displayName: 'Tickets', description: 'Ticket ids or keys (OPS-42)', required: true }),
    status: Property.StaticDropdown({
      displayName: 'Status',
      required: false,
      options: { options: statusOptions },
    }),
    severity: severity(),
    assignee: assignee({ unassign: true }),
    add_tags: Property.Array({ displayName: 'Add tags', required: false }),
    remove_tags: Property.Array({ displayName: 'Remove tags', required: false }),
    due_date: Property.DateTime({ displayName: 'Due date', required: false }),
    clear_due_date: Property.Checkbox({ displayName: 'Clear the due date', required: false, defaultValue: false }),
    comment: Property.LongText({ displayName: 'Comment', description: 'Added to every ticket', required: false }),
  },
  async run(context) {
    const props = context.propsValue as Record<string, unknown>;
    return api.post(context.auth, '/v1/ce/projects/{project_id}/tickets/bulk', {
      path: { project_id: String(props['project_id']) },
      body: bulkBody(props),
    });
  },
});
