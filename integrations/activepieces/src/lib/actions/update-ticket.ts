import { createAction, Property } from '@activepieces/pieces-framework';
import { ticketryAuth } from '../auth';
import { api } from '../common/client';
import { severityOf, statusOf, TicketPatch } from '../common/contract';
import { assignee, given, projectId, severity, stringList, tags, ticketId, UNASSIGNED, workflowStatus } from '../common/props';
import { isoDate } from '../common/tickets';

export function ticketChange(props: Record<string, unknown>): TicketPatch {
  const change: TicketPatch = {};
  if (given(props['title'])) change.title = String(props['title']);
  if (given(props['description'])) change.description = String(props['description']);
  if (given(props['status'])) change.status = statusOf(props['status']);
  if (given(props['severity'])) change.severity = severityOf(props['severity']);
  if (given(props['assignee'])) change.assignee = props['assignee'] === UNASSIGNED ? null : String(props['assignee']);
  if (given(props['tags'])) change.tags = stringList(props['tags']);
  if (props['clear_due_date'] === true) change.due_date = null;
  else if (given(props['due_date'])) change.due_date = isoDate(props['due_date'], 'due_date');
  return change;
}

export const updateTicketAction = createAction({
  auth: ticketryAuth,
  name: 'update_ticket',
  displayName: 'Update Ticket',
  description: 'Changes any fields of a ticket; fields left empty stay as they are',
  props: {
    project_id: projectId(),
    ticket_id: ticketId(),
    status: workflowStatus(),
    title: Property.ShortText({ displayName: 'Title', required: false }),
    description: Property.LongText({ displayName: 'Description', required: false }),
    severity: severity(),
    assignee: assignee({ unassign: true }),
    tags: tags('Replaces the ticket\'s tags'),
    due_date: Property.DateTime({ displayName: 'Due date', required: false }),
    clear_due_date: Property.Checkbox({ displayName: 'Clear the due date', required: false, defaultValue: false }),
    expected_version: Property.Number({
      displayName: 'Expected version',
      description: 'Only change the ticket if it is still at this version (its `version` field); otherwise the step fails',
      required: false,
    }),
  },
  async run(context) {
    const props = context.propsValue as Record<string, unknown>;
    const change = ticketChange(props);
    if (!Object.keys(change).length) throw new Error('Nothing to change: fill in at least one field');
    const path = { project_id: String(props['project_id']), ticket_id: String(props['ticket_id']) };
    const headers = given(props['expected_version']) ? { 'If-Match': `"${Number(props['expected_version'])}"` } : undefined;
    return api.patch(context.auth, '/v1/ce/projects/{project_id}/tickets/{ticket_id}', { path, body: change, headers });
  },
});
