/* Ticket requests the actions share. */
import { createHash } from 'node:crypto';
import { api, call } from './client';
import { severityOf, Ticket, TicketCreate } from './contract';
import { given, stringList, UNASSIGNED } from './props';

type Props = Record<string, unknown>;

export function isoDate(value: unknown, field: string): string {
  const date = new Date(String(value));
  if (Number.isNaN(date.getTime())) throw new Error(`${field}: not a date (${String(value)})`);
  return date.toISOString();
}

export function newTicketBody(props: Props): TicketCreate {
  const body: TicketCreate = {
    title: String(props['title'] ?? '').trim(),
    description: given(props['description']) ? String(props['description']) : '',
    severity: given(props['severity']) ? severityOf(props['severity']) : 'medium',
  };
  if (given(props['assignee']) && props['assignee'] !== UNASSIGNED) body.assignee = String(props['assignee']);
  const tagList = stringList(props['tags']);
  if (tagList.length) body.tags = tagList;
  if (given(props['due_date'])) body.due_date = isoDate(props['due_date'], 'due_date');
  if (given(props['source'])) body.source = String(props['source']);
  if (given(props['dedup_key'])) body.dedup_key = String(props['dedup_key']);
  return body;
}

/** The same for a retried step of one run (so it makes one ticket), different for another run,
 * another step, or another ticket body (each loop iteration with its own content). */
export function runIdempotencyKey(runId: string, stepName: string, body: unknown): string {
  const digest = createHash('sha256').update(JSON.stringify(body)).digest('hex').slice(0, 24);
  return `ap:${runId}:${stepName}:${digest}`.slice(0, 255);
}

export type Created = { ticket: Ticket; created: boolean };

export async function createTicket(auth: unknown, projectId: string, body: TicketCreate, idempotencyKey: string | null): Promise<Created> {
  const answer = await call(auth, 'post', '/v1/ce/projects/{project_id}/tickets', {
    path: { project_id: projectId },
    body,
    headers: idempotencyKey ? { 'Idempotency-Key': idempotencyKey } : undefined,
  });
  // 200 (not 201) when an open ticket with the same dedup_key absorbed it.
  return { ticket: answer.body, created: answer.status === 201 };
}

export function idempotencyKeyFor(context: { run: { id: string }; step: { name: string } }, props: Props, body: unknown): string | null {
  if (given(props['idempotency_key'])) return String(props['idempotency_key']).slice(0, 255);
  if (props['retry_safe'] === false) return null;
  return runIdempotencyKey(String(context.run.id), String(context.step?.name ?? 'step'), body);
}

export const getTicket = (auth: unknown, projectId: string, ticketId: string) =>
  api.get(auth, '/v1/ce/projects/{project_id}/tickets/{ticket_id}', { path: { project_id: projectId, ticket_id: ticketId } });
