import { chipText, FILTERS, type Filter, type Filters } from "../state/filters";
import { Icon } from "./Icon";

/** The active filters, each removable, and a way to clear them all. */
export function FilterChips({ filters, setFilter, clearFilters }: {
  filters: Filters;
  setFilter: (name: Filter, value: string | undefined) => void;
  clearFilters: () => void;
}) {
  const chips = FILTERS.filter((name) => filters[name]);
  if (chips.length === 0) return null;
  return (
    <ul class="chips" aria-label="Active filters">
      {chips.map((name) => (
        <li key={name}>
          <button type="button" class="chip" onClick={() => setFilter(name, undefined)} aria-label={`Remove filter ${chipText(name, filters[name]!)}`}>
            {chipText(name, filters[name]!)} <Icon name="x" size={12} />
          </button>
        </li>
      ))}
      <li>
        <button type="button" class="ghost small" onClick={clearFilters}>
          Clear all
        </button>
      </li>
    </ul>
  );
}
