/* Sample data for the flow builder, shaped like real deliveries. */
import { EventTicket, TicketEventName } from './contract';
import { FlowItem } from './shape';

export const sampleTicket: EventTicket = {
  id: '94nn26rdpjzcytk1',
  number: 42,
  key: 'OPS-42',
  project_id: 'j0xc61tjh485kyvj',
  title: 'Disk full on db-1',
  description: '95% on /var',
  status: 'new',
  severity: 'high',
  created_at: '2026-11-27T07:17:51.761Z',
  updated_at: '2026-11-27T07:17:51.761Z',
  resolved_at: null,
  due_date: null,
  reporter: 'w9ryzm1z6jk3q6tt',
  assignee: 'w9ryzm1z6jk3q6tt',
  source: 'api',
  tags: ['db', 'prod'],
  dedup_key: null,
  version: 1,
  requester: null,
};

export function sampleItem<E extends TicketEventName>(eventType: E, overrides: Partial<FlowItem<E>> = {}): FlowItem<E> {
  return {
    ...sampleTicket,
    event_type: eventType,
    event_id: 'msg_3f9a1c0e5b7d2a4c6e8f0a1b',
    event_timestamp: '2026-11-27T07:17:52.009Z',
    changes: {},
    actor: 'automation:alerts',
    comment: null,
    ...overrides,
  };
}
