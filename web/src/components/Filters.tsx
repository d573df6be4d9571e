import { SEVERITIES, STATUSES } from "../api/enums";
import { DATE_FILTERS, type Filter, type Filters as FilterValues, SORTS } from "../state/filters";
import { people } from "../state/project";
import { AssigneeOptions } from "./AssigneeOptions";
import { Checklist } from "./Checklist";
import { SearchBox } from "./SearchBox";

// A filter's drop-down closes as menus do: on a click elsewhere or on Escape.
function closeFilters(except?: Element | null): void {
  for (const open of document.querySelectorAll("details.filter[open]")) if (open !== except) open.removeAttribute("open");
}
document.addEventListener("click", (event) => closeFilters((event.target as Element | null)?.closest?.("details.filter")));
document.addEventListener("keydown", (event) => {
  const open = document.querySelector("details.filter[open]");
  if (event.key === "Escape" && open) {
    open.removeAttribute("open");
    open.querySelector("summary")?.focus();
    event.stopImmediatePropagation();
  }
}, true);

/** The list's filter bar. */
export function Filters({ filters, setFilter, searchRef }: {
  filters: FilterValues;
  setFilter: (name: Filter, value: string | undefined, typing?: boolean) => void;
  searchRef: { current: HTMLInputElement | null };
}) {
  return (
    <div class="filters" role="search">
      <SearchBox value={filters.q} onSearch={(value) => setFilter("q", value, true)} searchRef={searchRef} />
      <Checklist legend="Status" options={["open", ...STATUSES]} value={filters.status} onChange={(v) => setFilter("status", v)} />
      <Checklist legend="Severity" options={SEVERITIES} value={filters.severity} onChange={(v) => setFilter("severity", v)} />
      <span class="inline">
        <label for="f-assignee">Assignee</label>
        <select id="f-assignee" value={filters.assignee ?? ""} onChange={(e) => setFilter("assignee", (e.target as HTMLSelectElement).value || undefined)}>
          <option value="">Anyone</option>
          <option value="none">Unassigned</option>
          <AssigneeOptions includeQueues />
        </select>
      </span>
      <span class="inline">
        <label for="f-reporter">Reporter</label>
        <select id="f-reporter" value={filters.reporter ?? ""} onChange={(e) => setFilter("reporter", (e.target as HTMLSelectElement).value || undefined)}>
          <option value="">Anyone</option>
          <option value="me">Me</option>
          {people.value.members.map((member) => (
            <option key={member.user_id} value={member.user_id}>
              {member.name}
            </option>
          ))}
        </select>
      </span>
      <span class="inline">
        <label for="f-tags">Tags</label>
        <input id="f-tags"
          size={10}
          placeholder="db, network"
          value={filters.tags ?? ""}
          onChange={(e) => {
            const tags = (e.target as HTMLInputElement).value.split(",").map((t) => t.trim().toLowerCase()).filter(Boolean);
            setFilter("tags", tags.length ? tags.join(",") : undefined);
          }}
        />
      </span>
      <details class="filter">
        <summary>Dates</summary>
        <fieldset>
          <legend class="sr-only">Dates</legend>
          {DATE_FILTERS.map(([name, label]) => (
            <label key={name} class="stacked">
              {label}
              <input
                type="date"
                value={filters[name]?.slice(0, 10) ?? ""}
                onChange={(e) => {
                  const day = (e.target as HTMLInputElement).value;
                  setFilter(name, day ? new Date(day + "T00:00:00").toISOString() : undefined);
                }}
              />
            </label>
          ))}
          <label class="check">
            <input type="checkbox" checked={filters.overdue === "true"} onChange={(e) => setFilter("overdue", (e.target as HTMLInputElement).checked ? "true" : undefined)} />
            Overdue only
          </label>
        </fieldset>
      </details>
      <span class="inline">
        <label for="f-sla">SLA</label>
        <select id="f-sla" value={filters.sla ?? ""} onChange={(e) => setFilter("sla", (e.target as HTMLSelectElement).value || undefined)}>
          <option value="">Any</option>
          <option value="at_risk">At risk</option>
          <option value="breached">Breached</option>
        </select>
      </span>
      <span class="inline">
        <label for="f-sort">Sort</label>
        <select id="f-sort" value={filters.sort ?? "created"} onChange={(e) => {
          const value = (e.target as HTMLSelectElement).value;
          setFilter("sort", value === "created" ? undefined : value);
        }}>
          {SORTS.map(([value, label]) => (
            <option key={value} value={value}>
              {label}
            </option>
          ))}
        </select>
      </span>
    </div>
  );
}
