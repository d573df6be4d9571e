import { severityLabel, statusLabel } from "../format";

/** A filter's drop-down of checkboxes; the value is the chosen options, comma-separated. */
export function Checklist({ legend, options, value, onChange }: {
  legend: string;
  options: readonly string[];
  value: string | undefined;
  onChange: (value: string | undefined) => void;
}) {
  const chosen = new Set((value ?? "").split(",").filter(Boolean));
  const label = (option: string) => (legend === "Status" ? (option === "open" ? "Open (any)" : statusLabel(option)) : severityLabel(option));
  return (
    <details class="filter">
      <summary>
        {legend}
        {chosen.size > 0 && <span class="count">{chosen.size}</span>}
      </summary>
      <fieldset>
        <legend class="sr-only">{legend}</legend>
        {options.map((option) => (
          <label key={option} class="check">
            <input
              type="checkbox"
              checked={chosen.has(option)}
              onChange={(event) => {
                const next = new Set(chosen);
                if ((event.target as HTMLInputElement).checked) next.add(option);
                else next.delete(option);
                onChange(next.size ? [...next].join(",") : undefined);
              }}
            />
            {label(option)}
          </label>
        ))}
      </fieldset>
    </details>
  );
}
