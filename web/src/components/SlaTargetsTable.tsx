import { SEVERITIES } from "../api/enums";
import { severityLabel } from "../format";
import { type SlaPolicyState, TARGETS, toDraft } from "../state/slaPolicy";
import { FieldProblem } from "./FieldProblem";

const UNITS = [
  ["1", "minutes"],
  ["60", "hours"],
  ["1440", "days"],
] as const;

/** A target per severity and kind: an amount, its unit, and whether it counts business hours only. */
export function SlaTargetsTable({ policy }: { policy: SlaPolicyState }) {
  const problems = policy.problems.value;
  return (
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
              const draft = policy.drafts.value[key] ?? toDraft(null);
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
                      onInput={(e) => policy.setDraft(key, { amount: (e.target as HTMLInputElement).value })}
                    />
                    <select
                      aria-label={`${severityLabel(severity)}: ${name} unit`}
                      value={draft.unit}
                      onChange={(e) => policy.setDraft(key, { unit: (e.target as HTMLSelectElement).value })}
                    >
                      {UNITS.map(([value, unit]) => (
                        <option key={value} value={value}>{unit}</option>
                      ))}
                    </select>
                    <label class="check small">
                      <input type="checkbox" checked={draft.business} onChange={(e) => policy.setDraft(key, { business: (e.target as HTMLInputElement).checked })} />
                      <span>
                        business hours<span class="sr-only"> for {severityLabel(severity)} {name}</span>
                      </span>
                    </label>
                  </div>
                  <FieldProblem problems={problems} field={field} />
                  <FieldProblem problems={problems} field={`targets.${key}.business_hours`} />
                </td>
              );
            })}
          </tr>
        ))}
      </tbody>
    </table>
  );
}
