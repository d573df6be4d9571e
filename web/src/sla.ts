// SLA clocks as people read them: how long is left, its urgency, and how each target ended.
import { exact } from "./format";
import type { Sla, SlaTarget } from "./api/sla";

export type Urgency = "ok" | "soon" | "urgent" | "breached";
export const TARGET_NAMES = { acknowledge: "Acknowledge", resolve: "Resolve" } as const;

export function duration(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  const days = Math.floor(s / 86400);
  const hours = Math.floor((s % 86400) / 3600);
  const minutes = Math.floor((s % 3600) / 60);
  if (days) return hours ? `${days} d ${hours} h` : `${days} d`;
  if (hours) return minutes ? `${hours} h ${minutes} min` : `${hours} h`;
  if (minutes) return `${minutes} min`;
  return `${s} s`;
}

/** Time left on a running target now: wall targets by the clock, business ones as the API counted them. */
export function remaining(target: SlaTarget, now: number): number | null {
  if (target.state !== "running") return null;
  if (!target.business_hours && target.due_at) return (new Date(target.due_at).getTime() - now) / 1000;
  return target.remaining_seconds;
}

// Colours by time left, as service desks show them: more than an hour, under an hour, under 30 minutes.
export function urgency(secondsLeft: number): Urgency {
  if (secondsLeft <= 0) return "breached";
  if (secondsLeft < 30 * 60) return "urgent";
  if (secondsLeft < 60 * 60) return "soon";
  return "ok";
}

export interface Headline {
  urgency: Urgency;
  text: string;
  title: string;
}

/** The target a ticket's badge shows: a breach not yet met, else the running target due soonest. */
export function headline(sla: Sla | null | undefined, now = Date.now()): Headline | null {
  if (!sla) return null;
  const targets = (Object.entries(sla.targets) as [keyof typeof TARGET_NAMES, SlaTarget | null | undefined][])
    .filter((entry): entry is [keyof typeof TARGET_NAMES, SlaTarget] => !!entry[1]);
  const breached = targets.find(([, t]) => t.state === "breached" && !t.met_at);
  if (breached) {
    const [name, target] = breached;
    return {
      urgency: "breached",
      text: `Breached${target.overrun_seconds ? " " + duration(target.overrun_seconds) : ""}`,
      title: `${TARGET_NAMES[name]} target breached${target.due_at ? ", due " + exact(target.due_at) : ""}`,
    };
  }
  let best: Headline | null = null;
  let soonest = Infinity;
  for (const [name, target] of targets) {
    const left = remaining(target, now);
    if (left === null || left >= soonest) continue;
    soonest = left;
    best = {
      urgency: urgency(left),
      text: left <= 0 ? "Breached" : `${duration(left)} left`,
      title: `${TARGET_NAMES[name]} within ${duration(target.minutes * 60)}${target.business_hours ? " of business hours" : ""}` +
        (target.due_at ? `, due ${exact(target.due_at)}` : ""),
    };
  }
  return best;
}

export function describe(target: SlaTarget, now: number): string {
  switch (target.state) {
    case "met":
      return `met in ${duration(target.took_seconds ?? 0)}`;
    case "breached":
      return target.met_at
        ? `met late, in ${duration(target.took_seconds ?? 0)}`
        : `breached ${duration(target.overrun_seconds ?? 0)} ago`;
    case "paused":
      return `paused with ${duration(target.remaining_seconds ?? 0)} left`;
    case "stopped":
      return "stopped (canceled)";
    default: {
      const left = remaining(target, now) ?? 0;
      return left <= 0 ? "breached" : `${duration(left)} left`;
    }
  }
}
