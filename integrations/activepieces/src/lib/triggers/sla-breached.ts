import { Property } from '@activepieces/pieces-framework';
import { SLA_TARGETS, SlaTarget } from '../common/contract';
import { createTicketTrigger } from '../common/webhook-trigger';
import { sampleItem } from '../common/samples';
import { FlowItem } from '../common/shape';

const TARGET_LABELS: Record<SlaTarget, string> = {
  acknowledge: 'Acknowledge (time to leave new)',
  resolve: 'Resolve (time to resolved or closed)',
};
const TARGETS = SLA_TARGETS.map((target) => ({ label: TARGET_LABELS[target], value: target }));

/** The SLA target an SLA event is about (`changes.sla.new.target`). */
export function slaTargetOf(changes: FlowItem<'SLA_BREACHED'>['changes']): SlaTarget | undefined {
  return changes.sla?.new.target;
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
