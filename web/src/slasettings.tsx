// The project's SLA policy and business hours, for admins. Each save is a new version; tickets keep
// the version they started under.
import { useEffect, useState } from "preact/hooks";
import { api, ApiError } from "./api";
import { exact, severityLabel } from "./format";
import { nameOf, tell } from "./state";
import { SEVERITIES } from "./types";

const TARGETS = [
  ["acknowledge", "Acknowledge within"],
  ["resolve", "Resolve within"],
] as const;
const DAYS = [
  ["mon", "Mon"], ["tue", "Tue"], ["wed", "Wed"], ["thu", "Thu"], ["fri", "Fri"], ["sat", "Sat"], ["sun", "Sun"],
] as const;
const UNITS = [
  ["1", "minutes"],
  ["60", "hours"],
  ["1440", "days"],
] as const;

interface TargetDraft {
  amount: string;
  unit: string;
  business: boolean;
}

interface Policy {
  version: number;
  targets: Record<string, { acknowledge?: { minutes: number; business_hours: boolean } | null; resolve?: { minutes: number; business_hours: boolean } | null }>;
  business_hours: { time_zone: string; working_days: string[]; start: string; end: string; holidays: string[] } | null;
  pause_on_deferred: boolean;
  created_at: string | null;
  created_by: string | null;
}

type Drafts = Record<string, TargetDraft>;

function toDraft(target: { minutes: number; business_hours: boolean } | null | undefined): TargetDraft {
  if (!target) return { amount: "", unit: "60", business: false };
  const unit = target.minutes % 1440 === 0 ? "1440" : target.minutes % 60 === 0 ? "60" : "1";
  return { amount: String(target.minutes / Number(unit)), unit, business: target.business_hours };
}

const browserZone = Intl.DateTimeFormat().resolvedOptions().timeZone;
const ZONES: string[] = (Intl as unknown as { supportedValuesOf?: (key: string) => string[] }).supportedValuesOf?.("timeZone") ?? [];

export function SlaSettings() {
  const [policy, setPolicy] = useState<Policy | null>(null);
  const [loaded, setLoaded] = useState(false);
  const [forbidden, setForbidden] = useState(false);
  const [drafts, setDrafts] = useState<Drafts>({});
  const [useHours, setUseHours] = useState(false);
  const [zone, setZone] = useState(browserZone);
  const [days, setDays] = useState<string[]>(["mon", "tue", "wed", "thu", "fri"]);
  const [start, setStart] = useState("09:00");
  const [end, setEnd] = useState("17:00");
  const [holidays, setHolidays] = useState("");
  const [pause, setPause] = useState(true);
  const [problems, setProblems] = useState<Record<string, string>>({});
  const [saving, setSaving] = useState(false);

  function adopt(current: Policy | null) {
    setPolicy(current);
    const next: Drafts = {};
    for (const severity of SEVERITIES) {
      for (const [name] of TARGETS) next[`${severity}.${name}`] = toDraft(current?.targets?.[severity]?.[name]);
    }
    setDrafts(next);
    if (current?.business_hours) {
      setUseHours(true);
      setZone(current.business_hours.time_zone);
      setDays(current.business_hours.working_days);
      setStart(current.business_hours.start);
      setEnd(current.business_hours.end);
      setHolidays(current.business_hours.holidays.join("\n"));
    }
    if (current) setPause(current.pause_on_deferred);
  }

  useEffect(() => {
    document.title = "SLA policy · Ticketry";
    api
      .get<Policy>("/sla-policy")
      .then((reply) => adopt(reply.body))
      .catch((error) => {
        if (error instanceof ApiError && error.status === 403) setForbidden(true);
        adopt(null);
      })
      .finally(() => setLoaded(true));
  }, []);

  function setDraft(key: string, change: Partial<TargetDraft>) {
    setDrafts((current) => ({ ...current, [key]: { ...current[key], ...change } }));
  }

  async function save(event: Event) {
    event.preventDefault();
    const found: Record<string, string> = {};
    const targets: Record<string, Record<string, { minutes: number; business_hours: boolean }>> = {};
    for (const severity of SEVERITIES) {
      for (const [name] of TARGETS) {
        const key = `${severity}.${name}`;
        const draft = drafts[key];
        if (!draft.amount.trim()) continue;
        const minutes = Math.round(Number(draft.amount) * Number(draft.unit));
        if (!Number.isFinite(minutes) || minutes < 1) {
          found[`targets.${key}.minutes`] = "A positive time, at least one minute";
          continue;
        }
        if (draft.business && !useHours) found[`targets.${key}.business_hours`] = "Set the business hours below first";
        (targets[severity] ??= {})[name] = { minutes, business_hours: draft.business };
      }
    }
    setProblems(found);
    if (Object.keys(found).length) return;
    const body = {
      targets,
      business_hours: useHours
        ? { time_zone: zone.trim(), working_days: days, start, end, holidays: holidays.split(/[\s,]+/).filter(Boolean) }
        : null,
      pause_on_deferred: pause,
    };
    setSaving(true);
    try {
      const reply = await api.put<Policy>("/sla-policy", body);
      adopt(reply.body);
      tell(`SLA policy version ${reply.body.version} saved; new tickets use it`);
    } catch (error) {
      if (error instanceof ApiError && error.details.length) {
        setProblems(Object.fromEntries(error.details.map((d) => [d.field, d.message])));
      }
      tell(error instanceof ApiError ? error.message : String(error), "error");
    } finally {
      setSaving(false);
    }
  }

  const problem = (field: string) =>
    problems[field] ? (
      <p class="field-error" id={`error-${field.replace(/\W/g, "-")}`}>
        {problems[field]}
      </p>
    ) : null;

  if (!loaded) return <p class="loading" role="status">Loading the SLA policy…</p>;
  if (forbidden) {
    return (
      <main id="main" class="page">
        <h1>SLA policy</h1>
        <p class="alert error" role="alert">Only the project's admins can see and change the SLA policy.</p>
      </main>
    );
  }
  return (
    <main id="main" class="page settings">
      <h1>SLA policy</h1>
      <p class="muted">
        {policy
          ? `Version ${policy.version}, saved ${policy.created_at ? exact(policy.created_at) : ""}${policy.created_by ? " by " + nameOf(policy.created_by) : ""}. Saving makes a new version: tickets keep the one they started under.`
          : "No SLA policy yet: tickets have no targets. Set targets per severity; leave a field empty for no target."}
      </p>
      <form onSubmit={save} novalidate>
        <table class="targets">
          <thead>
            <tr>
              <th scope="col">Severity</th>
              {TARGETS.map(([name, label]) => (
                <th scope="col" key={name}>{label}</th>
              ))}
            </tr>
          </thead>
          <tbody>
            {SEVERITIES.map((severity) => (
              <tr key={severity}>
                <th scope="row">{severityLabel(severity)}</th>
                {TARGETS.map(([name, label]) => {
                  const key = `${severity}.${name}`;
                  const draft = drafts[key] ?? toDraft(null);
                  const field = `targets.${key}.minutes`;
                  return (
                    <td key={name}>
                      <div class="target-input">
                        <input
                          type="number"
                          min="0"
                          step="any"
                          aria-label={`${severityLabel(severity)}: ${label.toLowerCase()}`}
                          value={draft.amount}
                          aria-invalid={problems[field] ? "true" : undefined}
                          onInput={(e) => setDraft(key, { amount: (e.target as HTMLInputElement).value })}
                        />
                        <select
                          aria-label={`${severityLabel(severity)}: ${name} unit`}
                          value={draft.unit}
                          onChange={(e) => setDraft(key, { unit: (e.target as HTMLSelectElement).value })}
                        >
                          {UNITS.map(([value, unit]) => (
                            <option key={value} value={value}>{unit}</option>
                          ))}
                        </select>
                        <label class="check small">
                          <input type="checkbox" checked={draft.business} onChange={(e) => setDraft(key, { business: (e.target as HTMLInputElement).checked })} />
                          <span>
                            business hours<span class="sr-only"> for {severityLabel(severity)} {name}</span>
                          </span>
                        </label>
                      </div>
                      {problem(field)}
                      {problem(`targets.${key}.business_hours`)}
                    </td>
                  );
                })}
              </tr>
            ))}
          </tbody>
        </table>
        <fieldset class="group">
          <legend>Business hours</legend>
          <label class="check">
            <input type="checkbox" checked={useHours} onChange={(e) => setUseHours((e.target as HTMLInputElement).checked)} />
            Count business hours for the targets that ask for them
          </label>
          {useHours && (
            <>
              <label for="sla-zone">Time zone</label>
              <input id="sla-zone" list="sla-zones" value={zone} onInput={(e) => setZone((e.target as HTMLInputElement).value)} aria-invalid={problems["business_hours.time_zone"] ? "true" : undefined} />
              <datalist id="sla-zones">
                {ZONES.map((z) => (
                  <option key={z} value={z} />
                ))}
              </datalist>
              {problem("business_hours.time_zone")}
              <fieldset class="days">
                <legend class="sr-only">Working days</legend>
                {DAYS.map(([day, label]) => (
                  <label class="check" key={day}>
                    <input
                      type="checkbox"
                      checked={days.includes(day)}
                      onChange={(e) => setDays((current) => ((e.target as HTMLInputElement).checked ? [...current, day] : current.filter((d) => d !== day)))}
                    />
                    {label}
                  </label>
                ))}
              </fieldset>
              {problem("business_hours.working_days")}
              <div class="row">
                <label for="sla-start">Start</label>
                <input id="sla-start" type="time" value={start} onInput={(e) => setStart((e.target as HTMLInputElement).value)} />
                <label for="sla-end">End</label>
                <input id="sla-end" type="time" value={end} onInput={(e) => setEnd((e.target as HTMLInputElement).value)} />
              </div>
              {problem("business_hours.start")}
              {problem("business_hours.end")}
              {problem("business_hours")}
              <label for="sla-holidays">Holidays (one date per line, YYYY-MM-DD)</label>
              <textarea id="sla-holidays" rows={4} value={holidays} onInput={(e) => setHolidays((e.target as HTMLTextAreaElement).value)} />
              {problem("business_hours.holidays")}
            </>
          )}
        </fieldset>
        <label class="check">
          <input type="checkbox" checked={pause} onChange={(e) => setPause((e.target as HTMLInputElement).checked)} />
          Pause the clocks while a ticket is deferred
        </label>
        <div class="row">
          <button type="submit" class="primary" disabled={saving}>
            {saving ? "Saving…" : "Save policy"}
          </button>
        </div>
      </form>
    </main>
  );
}
