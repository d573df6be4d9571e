import type { Sla } from "../api/sla";
import { exact } from "../format";
import { describe, duration, remaining, TARGET_NAMES, urgency } from "../sla";

/** Each SLA target of a ticket: what it asks, how it stands, when it is due. */
export function SlaPanel({ sla, now }: { sla: Sla | null | undefined; now: number }) {
  if (!sla) return null;
  const targets = (["acknowledge", "resolve"] as const).filter((name) => sla.targets[name]);
  if (targets.length === 0) return null;
  return (
    <section class="sla-panel" aria-labelledby="sla-title">
      <h2 id="sla-title">SLA</h2>
      <ul>
        {targets.map((name) => {
          const target = sla.targets[name]!;
          const left = remaining(target, now);
          const tone = target.state === "breached" ? "breached" : target.state === "met" ? "met" : left !== null ? urgency(left) : "idle";
          return (
            <li key={name} class={`sla-target sla-${tone}`}>
              <strong>{TARGET_NAMES[name]}</strong>{" "}
              <span class="muted small">
                within {duration(target.minutes * 60)}
                {target.business_hours ? " of business hours" : ""}
              </span>
              <div>{describe(target, now)}</div>
              {target.due_at && target.state !== "met" && (
                <div class="muted small">due {exact(target.due_at)}</div>
              )}
            </li>
          );
        })}
      </ul>
    </section>
  );
}
