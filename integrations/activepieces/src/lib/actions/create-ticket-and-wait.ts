/* Human in the loop: create a ticket, pause the flow, go on when a person has finished it.

   The flow's waitpoint resume URL is subscribed, once, to this ticket reaching one of the chosen
   statuses. The ticket is read after the subscription exists, so a ticket finished before that
   moment is noticed then (no pause) and one finished after it sends the event: no wake-up is lost.
   A second one-shot subscription wakes the flow if the ticket is deleted instead. Whatever
   resumes the step, the ticket is read again and decides: finished, deleted, timed out, or (a
   stray call, or the ticket reopened meanwhile) wait again. */
import { createAction, Property, StoreScope } from '@activepieces/pieces-framework';
import { ExecutionType } from '@activepieces/shared';
import { ticketryAuth } from '../auth';
import { api, TicketryError } from '../common/client';
import { FINAL_STATUSES, Status, statusOf, TicketDetail, TicketEventName, WebhookFilters } from '../common/contract';
import { projectId, statuses, stringList } from '../common/props';
import { lastComment, lastMoveTo, withoutReadExtras } from '../common/shape';
import { createTicket, getTicket, idempotencyKeyFor, newTicketBody } from '../common/tickets';
import { ticketFields } from './create-ticket';

export const MAX_TIMEOUT_HOURS = 30 * 24;
// A delay waitpoint may fire a little early or late; within this it counts as the deadline.
const DEADLINE_SLACK_MS = 60_000;

export type WaitState = {
  project_id: string;
  ticket_id: string;
  statuses: Status[];
  deadline: string | null;
  subscription_ids: string[];
  waits: number;
};

type Context = {
  auth: unknown;
  store: { get<T>(key: string, scope?: StoreScope): Promise<T | null>; put<T>(key: string, value: T, scope?: StoreScope): Promise<T>; delete(key: string, scope?: StoreScope): Promise<void> };
  run: {
    id: string;
    createWaitpoint(params: { type: 'DELAY' | 'WEBHOOK'; version?: 'V0' | 'V1'; resumeDateTime?: string }): Promise<{ id: string; resumeUrl: string }>;
    waitForWaitpoint(id: string): void;
  };
  step: { name: string };
};

export const stateKey = (context: Pick<Context, 'run' | 'step'>) => `ticketry_wait_${context.run.id}_${context.step?.name ?? 'step'}`;

export function outcome(ticket: TicketDetail, state: Pick<WaitState, 'statuses'>, timedOut: boolean) {
  const finished = state.statuses.includes(ticket.status);
  const move = finished ? lastMoveTo(ticket.history, state.statuses) : null;
  return {
    ...withoutReadExtras(ticket),
    timed_out: timedOut,
    finished,
    deleted: false,
    resolved_by: move?.actor ?? null,
    finished_at: move?.at ?? null,
    last_comment: lastComment(ticket.history),
  };
}

function deletedOutcome(state: WaitState) {
  return { id: state.ticket_id, project_id: state.project_id, timed_out: false, finished: false, deleted: true,
    resolved_by: null, finished_at: null, last_comment: null };
}

/** The ticket, or null when it has been deleted. */
async function readTicket(context: Context, state: WaitState): Promise<TicketDetail | null> {
  try {
    return await getTicket(context.auth, state.project_id, state.ticket_id);
  } catch (error) {
    if (error instanceof TicketryError && error.status === 404) return null;
    throw error;
  }
}

async function unsubscribe(context: Context, state: WaitState): Promise<void> {
  for (const id of state.subscription_ids ?? []) {
    await api.deleteIfPresent(context.auth, '/v1/ce/projects/{project_id}/webhooks/{webhook_id}', {
      path: { project_id: state.project_id, webhook_id: id },
    });
  }
}

async function finish<T>(context: Context, state: WaitState, result: T): Promise<T> {
  await unsubscribe(context, state);
  await context.store.delete(stateKey(context));
  return result;
}

/** Subscribes a new waitpoint to the ticket finishing, then either pauses or, when the ticket is
 * already finished, answers at once. */
async function waitOrFinish(context: Context, state: WaitState) {
  const waitpoint = await context.run.createWaitpoint(
    // With a deadline the waitpoint is a delay that ends then; its resume URL ends it earlier.
    state.deadline ? { type: 'DELAY', version: 'V1', resumeDateTime: state.deadline } : { type: 'WEBHOOK', version: 'V1' },
  );
  const subscribe = (event_type: TicketEventName, filters: WebhookFilters) =>
    api.post(context.auth, '/v1/ce/projects/{project_id}/webhooks', {
      path: { project_id: state.project_id },
      body: {
        name: `Activepieces: wait for ${state.ticket_id}`.slice(0, 128),
        event_type,
        url: waitpoint.resumeUrl,
        once: true,
        filters: { ticket_id: state.ticket_id, ...filters },
      },
    });
  const waiting: WaitState = { ...state, subscription_ids: [], waits: state.waits + 1 };
  // Kept before each next call, so a failure after it leaves nothing unknown behind.
  waiting.subscription_ids.push((await subscribe('TICKET_UPDATED', { status_changed_to: state.statuses })).id);
  await context.store.put(stateKey(context), waiting);
  waiting.subscription_ids.push((await subscribe('TICKET_DELETED', {})).id);
  await context.store.put(stateKey(context), waiting);
  const ticket = await readTicket(context, waiting);
  if (ticket === null) return finish(context, waiting, deletedOutcome(waiting));
  if (waiting.statuses.includes(ticket.status)) return finish(context, waiting, outcome(ticket, waiting, false));
  context.run.waitForWaitpoint(waitpoint.id);
  return { ...withoutReadExtras(ticket), waiting: true };
}

async function onResume(context: Context) {
  const state = await context.store.get<WaitState>(stateKey(context));
  if (!state) throw new Error('The wait for the ticket lost its state (was the step resumed twice?)');
  const ticket = await readTicket(context, state);
  if (ticket === null) return finish(context, state, deletedOutcome(state));
  const finished = state.statuses.includes(ticket.status);
  const timedOut = !finished && state.deadline !== null && Date.now() >= Date.parse(state.deadline) - DEADLINE_SLACK_MS;
  if (finished || timedOut) return finish(context, state, outcome(ticket, state, timedOut));
  // Not finished and not due: a stray call of the resume URL, or the ticket was reopened before
  // the step resumed. The old subscription may be spent: start over with a new one.
  await unsubscribe(context, state);
  return waitOrFinish(context, state);
}

export const createTicketAndWaitAction = createAction({
  auth: ticketryAuth,
  name: 'create_ticket_and_wait',
  displayName: 'Create Ticket and Wait Until Resolved',
  description: 'Creates a ticket and pauses the flow until a person resolves it (or it reaches another chosen status); the step then gives the ticket as it is, who finished it and the last comment',
  props: {
    project_id: projectId(),
    ...ticketFields(),
    statuses: statuses('Continue when the status is', 'The flow goes on once the ticket has one of these statuses', true, FINAL_STATUSES),
    timeout_hours: Property.Number({
      displayName: 'Timeout (hours)',
      description: `Go on anyway after this long, with timed_out: true (empty: wait as long as Activepieces keeps paused runs; at most ${MAX_TIMEOUT_HOURS})`,
      required: false,
    }),
  },
  async run(context) {
    const ctx = context as unknown as Context;
    if (context.executionType === ExecutionType.RESUME) {
      return onResume(ctx);
    }
    const props = context.propsValue as Record<string, unknown>;
    const chosen = stringList(props['statuses']).map(statusOf);
    const hours = props['timeout_hours'] === undefined || props['timeout_hours'] === null || props['timeout_hours'] === ''
      ? null
      : Number(props['timeout_hours']);
    if (hours !== null && (!Number.isFinite(hours) || hours <= 0 || hours > MAX_TIMEOUT_HOURS)) {
      throw new Error(`Timeout (hours) must be more than 0 and at most ${MAX_TIMEOUT_HOURS}`);
    }
    const projectIdValue = String(props['project_id']);
    // A retried step (the engine ran it before and it failed after subscribing) leaves its
    // subscription behind: remove it before making a new one.
    const previous = await ctx.store.get<WaitState>(stateKey(ctx));
    if (previous) await unsubscribe(ctx, previous);
    const body = newTicketBody(props);
    const { ticket } = await createTicket(context.auth, projectIdValue, body, idempotencyKeyFor(context, props, body));
    return waitOrFinish(ctx, {
      project_id: projectIdValue,
      ticket_id: ticket.id,
      statuses: chosen.length ? chosen : FINAL_STATUSES,
      deadline: hours === null ? null : new Date(Date.now() + hours * 3_600_000).toISOString(),
      subscription_ids: [],
      waits: 0,
    });
  },
});
