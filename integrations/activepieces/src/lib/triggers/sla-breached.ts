import { Property } from '@activepieces/pieces-framework';
import { createTicketTrigger } from '../common/webhook-trigger';
import { sampleItem } from '../common/samples';

const TARGETS = [
  { label: 'Acknowledge (time to leave new)', value: 'acknowledge' },
  { label: 'Resolve (time to resolved or closed)', value: 'resolve' },
];

/** The SLA target an SLA event is about (`changes.sla.new.target`). */
export function slaTargetOf(changes: Record<string, { old?: unknown; new?: unknown }>): string | undefined {
  const sla = changes['sla']?.new as { target?: unknown } | undefined;
  return typeof sla?.target === 'string' ? sla.target : undefined;
}

export const slaBreached = createTicketTrigger({
  name: 'sla_breached',
  displayName: 'SLA Breached',
  description: 'Starts when a ticket passes the due time of an SLA target without meeting it (once per target of a ticket)',
  eventType: 'SLA_BREACHED',
  props: {
    target: Property.StaticDropdown({
      displayName: 'Target',
      description: 'Only breaches of this target; empty for both',
      required: false,
      options: { options: TARGETS },
    }),
  },
  // The webhooks API has no filter on the target: other targets' breaches are dropped here.
  accept: (item, props) => !props['target'] || slaTargetOf(item.changes) === props['target'],
  testQuery: () => ({ sla: 'breached', sort: 'sla' }),
  sampleData: sampleItem('SLA_BREACHED', {
    severity: 'critical',
    actor: 'system',
    changes: {
      sla: {
        old: null,
        new: {
          target: 'acknowledge', state: 'breached', due_at: '2026-11-27T07:32:51.761Z', at_risk_at: '2026-11-27T07:29:06.761Z',
          minutes: 15, business_hours: false, policy_version: 1,
        },
      },
    },
  }),
});
