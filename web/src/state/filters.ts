// The list's filters as the address carries them: read, written back, and named on the chips.
import { severityLabel, statusLabel } from "../format";
import { nameOf } from "./project";

export const FILTERS = [
  "q", "status", "severity", "assignee", "reporter", "requester", "tags", "overdue", "sla",
  "created_after", "created_before", "due_after", "due_before", "sort",
] as const;
export type Filter = (typeof FILTERS)[number];
export type Filters = Partial<Record<Filter, string>>;

export const SORTS: [string, string][] = [
  ["created", "Newest"],
  ["-created", "Oldest"],
  ["updated", "Recently updated"],
  ["due", "Due soonest"],
  ["severity", "Severity"],
  ["sla", "SLA: soonest breach"],
];
export const DATE_FILTERS: [Filter, string][] = [
  ["created_after", "Created from"],
  ["created_before", "Created before"],
  ["due_after", "Due from"],
  ["due_before", "Due before"],
];

export function filtersOf(params: URLSearchParams): Filters {
  const filters: Filters = {};
  for (const name of FILTERS) {
    const value = params.get(name);
    if (value) filters[name] = value;
  }
  return filters;
}

export function listPath(projectId: string, filters: Filters, view?: string | null): string {
  const params = new URLSearchParams();
  for (const name of FILTERS) if (filters[name]) params.set(name, filters[name]!);
  if (view) params.set("view", view);
  const query = params.toString();
  return `projects/${projectId}${query ? "?" + query : ""}`;
}

/** The filters after one changes; `typing` tells whether the address's entry is replaced, not added. */
export function withFilter(current: Filters, name: Filter, value: string | undefined, typing: boolean): { next: Filters; replace: boolean } {
  const next = { ...current, [name]: value };
  if (value === undefined) delete next[name];
  // The SLA filters are served in SLA order only: the two move together.
  if (name === "sla" && value) next.sort = "sla";
  if (name === "sort" && value !== "sla") delete next.sla;
  // Typing more of a search replaces the history entry; starting or clearing one adds an entry.
  return { next, replace: typing && !!current.q === !!value };
}

export function chipText(name: Filter, value: string): string {
  switch (name) {
    case "q":
      return `“${value}”`;
    case "status":
      return "Status: " + value.split(",").map((s) => (s === "open" ? "Open" : statusLabel(s))).join(", ");
    case "severity":
      return "Severity: " + value.split(",").map(severityLabel).join(", ");
    case "assignee":
      return "Assignee: " + (value === "none" ? "Unassigned" : value === "me" ? "Me" : nameOf(value));
    case "reporter":
      return "Reporter: " + (value === "me" ? "Me" : nameOf(value));
    case "requester":
      return "Requester: " + value;
    case "tags":
      return "Tags: " + value.split(",").join(", ");
    case "overdue":
      return "Overdue";
    case "sla":
      return value === "breached" ? "SLA breached" : "SLA at risk";
    case "sort":
      return "Sort: " + (SORTS.find(([key]) => key === value)?.[1] ?? value);
    default: {
      const label = DATE_FILTERS.find(([key]) => key === name)?.[1] ?? name;
      return `${label} ${value.slice(0, 10)}`;
    }
  }
}
