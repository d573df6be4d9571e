import { createAction, Property } from '@activepieces/pieces-framework';
import { ticketryAuth } from '../auth';
import { assignee, projectId, severity, tags } from '../common/props';
import { createTicket, idempotencyKeyFor, newTicketBody } from '../common/tickets';

export const ticketFields = () => ({
  title: Property.ShortText({ displayName: 'Title', required: true }),
  description: Property.LongText({ displayName: 'Description', required: false }),
  severity: severity(false, 'Default: medium'),
  assignee: assignee({ description: 'A member or team; by default the reporter (the key\'s member)' }),
  tags: tags(),
  due_date: Property.DateTime({ displayName: 'Due date', required: false }),
  source: Property.ShortText({ displayName: 'Source', description: 'Where it came from (default: api), e.g. grafana or a form\'s name', required: false }),
  dedup_key: Property.ShortText({
    displayName: 'Dedup key',
    description: 'An alert\'s identity: while a ticket with this key is open, no new ticket is made and that ticket is returned (created: false)',
    required: false,
  }),
  retry_safe: Property.Checkbox({
    displayName: 'One ticket per run',
    description: 'Sends an Idempotency-Key derived from the flow run, the step and the fields, so that a retried step makes one ticket, not two',
    required: false,
    defaultValue: true,
  }),
  idempotency_key: Property.ShortText({
    displayName: 'Idempotency key',
    description: 'Your own key instead of the derived one (1–255 characters; repeats within 24 hours return the first ticket)',
    required: false,
  }),
});

export const createTicketAction = createAction({
  auth: ticketryAuth,
  name: 'create_ticket',
  displayName: 'Create Ticket',
  description: 'Creates a ticket (or, with a dedup key, adds to the open ticket that has it)',
  props: { project_id: projectId(), ...ticketFields() },
  async run(context) {
    const props = context.propsValue as Record<string, unknown>;
    const body = newTicketBody(props);
    const { ticket, created } = await createTicket(context.auth, String(props['project_id']), body, idempotencyKeyFor(context, props, body));
    return { ...ticket, created };
  },
});
