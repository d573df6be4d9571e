import type { Weekday } from "../api/sla";
import type { SlaPolicyState } from "../state/slaPolicy";
import { FieldProblem } from "./FieldProblem";

const DAYS = [
  ["mon", "Mon"], ["tue", "Tue"], ["wed", "Wed"], ["thu", "Thu"], ["fri", "Fri"], ["sat", "Sat"], ["sun", "Sun"],
] as const satisfies readonly (readonly [Weekday, string])[];
const ZONES: string[] = (Intl as unknown as { supportedValuesOf?: (key: string) => string[] }).supportedValuesOf?.("timeZone") ?? [];

const text = (event: Event) => (event.target as HTMLInputElement).value;

/** The project's business hours: time zone, working days, the working day's start and end, holidays. */
export function BusinessHoursFields({ policy }: { policy: SlaPolicyState }) {
  const problems = policy.problems.value;
  const days = policy.days.value;
  return (
    <fieldset class="group">
      <legend>Business hours</legend>
      <label class="check">
        <input type="checkbox" checked={policy.useHours.value} onChange={(e) => (policy.useHours.value = (e.target as HTMLInputElement).checked)} />
        Count business hours for the targets that ask for them
      </label>
      {policy.useHours.value && (
        <>
          <label for="sla-zone">Time zone</label>
          <input id="sla-zone" list="sla-zones" value={policy.zone.value} onInput={(e) => (policy.zone.value = text(e))} aria-invalid={problems["business_hours.time_zone"] ? "true" : undefined} />
          <datalist id="sla-zones">
            {ZONES.map((z) => (
              <option key={z} value={z} />
            ))}
          </datalist>
          <FieldProblem problems={problems} field="business_hours.time_zone" />
          <fieldset class="days">
            <legend class="sr-only">Working days</legend>
            {DAYS.map(([day, label]) => (
              <label class="check" key={day}>
                <input
                  type="checkbox"
                  checked={days.includes(day)}
                  onChange={(e) => (policy.days.value = (e.target as HTMLInputElement).checked ? [...days, day] : days.filter((d) => d !== day))}
                />
                {label}
              </label>
            ))}
          </fieldset>
          <FieldProblem problems={problems} field="business_hours.working_days" />
          <div class="row">
            <label for="sla-start">Start</label>
            <input id="sla-start" type="time" value={policy.start.value} onInput={(e) => (policy.start.value = text(e))} />
            <label for="sla-end">End</label>
            <input id="sla-end" type="time" value={policy.end.value} onInput={(e) => (policy.end.value = text(e))} />
          </div>
          <FieldProblem problems={problems} field="business_hours.start" />
          <FieldProblem problems={problems} field="business_hours.end" />
          <FieldProblem problems={problems} field="business_hours" />
          <label for="sla-holidays">Holidays (one date per line, YYYY-MM-DD)</label>
          <textarea id="sla-holidays" rows={4} value={policy.holidays.value} onInput={(e) => (policy.holidays.value = text(e))} />
          <FieldProblem problems={problems} field="business_hours.holidays" />
        </>
      )}
    </fieldset>
  );
}
