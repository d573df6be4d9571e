// The SLA policy being read and edited: a target per severity, business hours, pausing on deferred.
import { batch, signal } from "@preact/signals";
import { ApiError, messageOf } from "../api/client";
import { SEVERITIES } from "../api/enums";
import { getSlaPolicy, putSlaPolicy, type SlaPolicy, type SlaPolicyIn, type TargetIn, type Weekday } from "../api/sla";
import { tell } from "./notice";

export const TARGETS = [
  ["acknowledge", "Acknowledge within"],
  ["resolve", "Resolve within"],
] as const;
export type TargetName = (typeof TARGETS)[number][0];

export interface TargetDraft {
  amount: string;
  /** Minutes per unit: "1", "60" or "1440". */
  unit: string;
  business: boolean;
}

type Drafts = Record<string, TargetDraft>;

export function toDraft(target: TargetIn | null | undefined): TargetDraft {
  if (!target) return { amount: "", unit: "60", business: false };
  const unit = target.minutes % 1440 === 0 ? "1440" : target.minutes % 60 === 0 ? "60" : "1";
  return { amount: String(target.minutes / Number(unit)), unit, business: !!target.business_hours };
}

const browserZone = () => Intl.DateTimeFormat().resolvedOptions().timeZone;

export function createSlaPolicy() {
  const policy = signal<SlaPolicy | null>(null);
  const loaded = signal(false);
  const forbidden = signal(false);
  const drafts = signal<Drafts>({});
  const useHours = signal(false);
  const zone = signal(browserZone());
  const days = signal<Weekday[]>(["mon", "tue", "wed", "thu", "fri"]);
  const start = signal("09:00");
  const end = signal("17:00");
  const holidays = signal("");
  const pause = signal(true);
  const problems = signal<Record<string, string>>({});
  const saving = signal(false);

  function adopt(current: SlaPolicy | null) {
    batch(() => {
      policy.value = current;
      const next: Drafts = {};
      for (const severity of SEVERITIES) {
        for (const [name] of TARGETS) next[`${severity}.${name}`] = toDraft(current?.targets?.[severity]?.[name]);
      }
      drafts.value = next;
      if (current?.business_hours) {
        useHours.value = true;
        zone.value = current.business_hours.time_zone;
        days.value = current.business_hours.working_days;
        start.value = current.business_hours.start;
        end.value = current.business_hours.end;
        holidays.value = current.business_hours.holidays.join("\n");
      }
      if (current) pause.value = current.pause_on_deferred;
    });
  }

  async function load() {
    try {
      adopt((await getSlaPolicy()).body);
    } catch (error) {
      if (error instanceof ApiError && error.status === 403) forbidden.value = true;
      adopt(null);
    } finally {
      loaded.value = true;
    }
  }

  function setDraft(key: string, change: Partial<TargetDraft>) {
    drafts.value = { ...drafts.value, [key]: { ...drafts.value[key], ...change } };
  }

  /** The policy the drafts describe, or the problems found in them by field. */
  function policyOfDrafts(): { body: SlaPolicyIn | null; found: Record<string, string> } {
    const found: Record<string, string> = {};
    const targets: Record<string, Partial<Record<TargetName, TargetIn>>> = {};
    for (const severity of SEVERITIES) {
      for (const [name] of TARGETS) {
        const key = `${severity}.${name}`;
        const draft = drafts.value[key];
        if (!draft.amount.trim()) continue;
        const minutes = Math.round(Number(draft.amount) * Number(draft.unit));
        if (!Number.isFinite(minutes) || minutes < 1) {
          found[`targets.${key}.minutes`] = "A positive time, at least one minute";
          continue;
        }
        if (draft.business && !useHours.value) found[`targets.${key}.business_hours`] = "Set the business hours below first";
        (targets[severity] ??= {})[name] = { minutes, business_hours: draft.business };
      }
    }
    if (Object.keys(found).length) return { body: null, found };
    const businessHours = useHours.value
      ? { time_zone: zone.value.trim(), working_days: days.value, start: start.value, end: end.value, holidays: holidays.value.split(/[\s,]+/).filter(Boolean) }
      : null;
    // The time zone is text the person typed: the API judges it and names it when it is unknown.
    return { body: { targets, business_hours: businessHours, pause_on_deferred: pause.value } as SlaPolicyIn, found };
  }

  async function save() {
    const { body, found } = policyOfDrafts();
    problems.value = found;
    if (!body) return;
    saving.value = true;
    try {
      const reply = await putSlaPolicy(body);
      adopt(reply.body);
      tell(`SLA policy version ${reply.body.version} saved; new tickets use it`);
    } catch (error) {
      if (error instanceof ApiError && error.details.length) {
        problems.value = Object.fromEntries(error.details.map((d) => [d.field, d.message]));
      }
      tell(messageOf(error), "error");
    } finally {
      saving.value = false;
    }
  }

  return {
    policy, loaded, forbidden, drafts, useHours, zone, days, start, end, holidays, pause, problems, saving,
    load, setDraft, policyOfDrafts, save,
  };
}

export type SlaPolicyState = ReturnType<typeof createSlaPolicy>;
