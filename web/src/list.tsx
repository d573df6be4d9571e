// The ticket list: views, filters kept in the address, search as you type, selection and bulk changes.
import { useEffect, useMemo, useRef, useState } from "preact/hooks";
import { api, ApiError } from "./api";
import { ago, exact, severityLabel, statusLabel } from "./format";
import { Icon } from "./icons";
import { useShortcuts } from "./keys";
import { navigate } from "./router";
import { headline, SlaBadge } from "./sla";
import { useNow } from "./clock";
import { me, nameOf, openedFrom, people, tell } from "./state";
import { type BulkResult, FINISHED, type Page, SEVERITIES, STATUSES, type Ticket, type View } from "./types";

const PAGE_SIZE = 50;
const POLL_MS = 15000;
// A short page is followed this many times at most before "Load more" is offered.
const MAX_FOLLOWS = 10;
export const FILTERS = [
  "q", "status", "severity", "assignee", "reporter", "tags", "overdue", "sla",
  "created_after", "created_before", "due_after", "due_before", "sort",
] as const;
type Filter = (typeof FILTERS)[number];
const SORTS: [string, string][] = [
  ["created", "Newest"],
  ["-created", "Oldest"],
  ["updated", "Recently updated"],
  ["due", "Due soonest"],
  ["severity", "Severity"],
  ["sla", "SLA: soonest breach"],
];
const DATE_FILTERS: [Filter, string][] = [
  ["created_after", "Created from"],
  ["created_before", "Created before"],
  ["due_after", "Due from"],
  ["due_before", "Due before"],
];

function filtersOf(params: URLSearchParams): Partial<Record<Filter, string>> {
  const filters: Partial<Record<Filter, string>> = {};
  for (const name of FILTERS) {
    const value = params.get(name);
    if (value) filters[name] = value;
  }
  return filters;
}

function listPath(projectId: string, filters: Partial<Record<Filter, string>>, view?: string | null): string {
  const params = new URLSearchParams();
  for (const name of FILTERS) if (filters[name]) params.set(name, filters[name]!);
  if (view) params.set("view", view);
  const query = params.toString();
  return `projects/${projectId}${query ? "?" + query : ""}`;
}

/** A page of tickets, following the cursor while the API answers short pages. */
async function fetchPage(filters: Partial<Record<Filter, string>>, cursor: string | null) {
  const rows: Ticket[] = [];
  let next = cursor;
  for (let follows = 0; follows <= MAX_FOLLOWS; follows += 1) {
    const reply = await api.get<Page<Ticket>>("/tickets", { ...filters, limit: PAGE_SIZE - rows.length, cursor: next });
    rows.push(...reply.body.data);
    next = reply.body.cursor;
    if (!next || rows.length >= PAGE_SIZE) break;
  }
  return { rows, next };
}

function chipText(name: Filter, value: string): string {
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

function Checklist({ legend, options, value, onChange }: {
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

export function AssigneeOptions({ includeQueues }: { includeQueues?: boolean }) {
  return (
    <>
      {includeQueues && <option value="me">Me</option>}
      {people.value.members.length > 0 && (
        <optgroup label="People">
          {people.value.members.map((member) => (
            <option key={member.user_id} value={member.user_id}>
              {member.name}
            </option>
          ))}
        </optgroup>
      )}
      {people.value.teams.length > 0 && (
        <optgroup label="Teams">
          {people.value.teams.map((team) => (
            <option key={team.id} value={`team:${team.id}`}>
              {team.name}
            </option>
          ))}
        </optgroup>
      )}
    </>
  );
}

function Sidebar({ projectId, views, current, filters, onSaved }: {
  projectId: string;
  views: View[] | null;
  current: string | null;
  filters: Partial<Record<Filter, string>>;
  onSaved: () => void;
}) {
  const [saving, setSaving] = useState(false);
  const [name, setName] = useState("");
  const [shared, setShared] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  const query = listPath(projectId, filters).split("?")[1] ?? "";

  async function save(event: Event) {
    event.preventDefault();
    try {
      const reply = await api.post<View>("/views", { name: name.trim(), query, shared });
      setSaving(false);
      setName("");
      setProblem(null);
      tell(`View “${reply.body.name}” saved`);
      onSaved();
      navigate(listPath(projectId, filters, reply.body.id), { replace: true });
    } catch (error) {
      setProblem(error instanceof ApiError ? error.forField("name") ?? error.forField("query") ?? error.message : String(error));
    }
  }

  async function remove(view: View) {
    try {
      await api.delete(`/views/${encodeURIComponent(view.id)}`);
      tell(`View “${view.name}” deleted`);
      onSaved();
    } catch (error) {
      tell(error instanceof ApiError ? error.message : String(error), "error");
    }
  }

  const mine = (view: View) => view.kind !== "builtin" && me.value && view.owner === me.value.user_id;
  const groups: [string, View[]][] = [
    ["Queues", (views ?? []).filter((view) => view.kind === "builtin")],
    ["Shared views", (views ?? []).filter((view) => view.kind === "shared")],
    ["My views", (views ?? []).filter((view) => view.kind === "personal")],
  ];
  return (
    <nav class="sidebar" aria-label="Views">
      <a class={`view ${!current && !query ? "current" : ""}`} href={`projects/${projectId}`} aria-current={!current && !query ? "page" : undefined}>
        All tickets
      </a>
      {views === null && <p class="muted small">Loading views…</p>}
      {groups.map(([title, list]) =>
        list.length === 0 ? null : (
          <section key={title}>
            <h2>{title}</h2>
            <ul>
              {list.map((view) => (
                <li key={view.id}>
                  <a
                    class={`view ${view.id === current ? "current" : ""}`}
                    href={`projects/${projectId}?${view.query}${view.query ? "&" : ""}view=${encodeURIComponent(view.id)}`}
                    aria-current={view.id === current ? "page" : undefined}
                  >
                    <span>{view.name}</span>
                    {view.count !== undefined && <span class="count" aria-label={`${view.count} tickets`}>{view.count}</span>}
                  </a>
                  {mine(view) && (
                    <button type="button" class="ghost tiny" aria-label={`Delete view ${view.name}`} onClick={() => remove(view)}>
                      <Icon name="x" size={12} />
                    </button>
                  )}
                </li>
              ))}
            </ul>
          </section>
        ),
      )}
      {saving ? (
        <form class="save-view" onSubmit={save}>
          <label for="view-name">View name</label>
          <input id="view-name" value={name} maxLength={100} required onInput={(e) => setName((e.target as HTMLInputElement).value)} />
          <label class="check">
            <input type="checkbox" checked={shared} onChange={(e) => setShared((e.target as HTMLInputElement).checked)} />
            Shared with the project
          </label>
          {problem && <p class="field-error" role="alert">{problem}</p>}
          <div class="row">
            <button type="submit" class="primary" disabled={!name.trim()}>
              Save view
            </button>
            <button type="button" onClick={() => setSaving(false)}>
              Cancel
            </button>
          </div>
        </form>
      ) : (
        <button type="button" class="ghost" onClick={() => setSaving(true)} disabled={!query}>
          <Icon name="save" /> Save current filters as a view
        </button>
      )}
    </nav>
  );
}

function Filters({ filters, setFilter, searchRef }: {
  filters: Partial<Record<Filter, string>>;
  setFilter: (name: Filter, value: string | undefined, typing?: boolean) => void;
  searchRef: { current: HTMLInputElement | null };
}) {
  const [text, setText] = useState(filters.q ?? "");
  const timer = useRef<number | undefined>(undefined);
  useEffect(() => {
    if (document.activeElement !== searchRef.current) setText(filters.q ?? "");
  }, [filters.q]);
  // A search still waiting to be sent is dropped with the list it was typed into.
  useEffect(() => () => clearTimeout(timer.current), []);

  return (
    <div class="filters" role="search">
      <div class="search">
        <Icon name="search" />
        <label for="search" class="sr-only">
          Search
        </label>
        <input
          id="search"
          ref={searchRef}
          type="search"
          placeholder="Search tickets  ( / )"
          value={text}
          autocomplete="off"
          onInput={(event) => {
            const value = (event.target as HTMLInputElement).value;
            setText(value);
            clearTimeout(timer.current);
            timer.current = window.setTimeout(() => {
              if ((value.trim() || undefined) !== filters.q) setFilter("q", value.trim() || undefined, true);
            }, 250);
          }}
        />
      </div>
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

function BulkBar({ selected, tickets, onDone, onClear }: {
  selected: Set<string>;
  tickets: Ticket[];
  onDone: () => void;
  onClear: () => void;
}) {
  const [status, setStatus] = useState("");
  const [severity, setSeverity] = useState("");
  const [assignee, setAssignee] = useState("");
  const [tags, setTags] = useState("");
  const [results, setResults] = useState<BulkResult[] | null>(null);
  const [busy, setBusy] = useState(false);

  async function apply(event: Event) {
    event.preventDefault();
    const change: Record<string, unknown> = {};
    if (status) change.status = status;
    if (severity) change.severity = severity;
    if (assignee) change.assignee = assignee === "none" ? null : assignee;
    const added = tags.split(",").map((t) => t.trim()).filter(Boolean);
    if (added.length) change.add_tags = added;
    if (Object.keys(change).length === 0) {
      tell("Choose a change to make first", "error");
      return;
    }
    setBusy(true);
    try {
      const versions = Object.fromEntries(tickets.filter((t) => selected.has(t.id)).map((t) => [t.id, t.version]));
      const reply = await api.post<{ results: BulkResult[] }>("/tickets/bulk", {
        ticket_ids: Object.keys(versions),
        change,
        expected_versions: versions,
      });
      setResults(reply.body.results);
      const changed = reply.body.results.filter((r) => r.status === 200).length;
      tell(`${changed} of ${reply.body.results.length} tickets changed`);
      setStatus("");
      setSeverity("");
      setAssignee("");
      setTags("");
      onDone();
    } catch (error) {
      tell(error instanceof ApiError ? error.message : String(error), "error");
    } finally {
      setBusy(false);
    }
  }

  return (
    <section class="bulk" aria-label="Change the selected tickets">
      <form onSubmit={apply} class="bulk-form">
        <strong>{selected.size} selected</strong>
        <span class="inline">
          <label for="f-set-status">Set status</label>
          <select id="f-set-status" value={status} onChange={(e) => setStatus((e.target as HTMLSelectElement).value)}>
            <option value="">—</option>
            {STATUSES.map((s) => (
              <option key={s} value={s}>
                {statusLabel(s)}
              </option>
            ))}
          </select>
        </span>
        <span class="inline">
          <label for="f-set-severity">Set severity</label>
          <select id="f-set-severity" value={severity} onChange={(e) => setSeverity((e.target as HTMLSelectElement).value)}>
            <option value="">—</option>
            {SEVERITIES.map((s) => (
              <option key={s} value={s}>
                {severityLabel(s)}
              </option>
            ))}
          </select>
        </span>
        <span class="inline">
          <label for="f-set-assignee">Set assignee</label>
          <select id="f-set-assignee" value={assignee} onChange={(e) => setAssignee((e.target as HTMLSelectElement).value)}>
            <option value="">—</option>
            <option value="none">Unassigned</option>
            <AssigneeOptions />
          </select>
        </span>
        <span class="inline">
          <label for="f-add-tags">Add tags</label>
          <input id="f-add-tags" size={10} value={tags} onInput={(e) => setTags((e.target as HTMLInputElement).value)} />
        </span>
        <button type="submit" class="primary" disabled={busy}>
          {busy ? "Applying…" : `Apply to ${selected.size}`}
        </button>
        <button type="button" class="ghost" onClick={() => { setResults(null); onClear(); }}>
          Clear selection
        </button>
      </form>
      {results && (
        <ul class="bulk-results" aria-label="Bulk change results">
          {results.map((result) => (
            <li key={result.ticket_id} class={result.status === 200 ? "ok" : "failed"}>
              <strong>{result.key ?? result.ticket_id}</strong>{" "}
              {result.status === 200 ? "changed" : `not changed (${result.status}): ${result.error?.message ?? ""}`}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

function TicketRow({ ticket, projectId, current, selected, onSelect, onFocus, now }: {
  ticket: Ticket;
  now: number;
  projectId: string;
  current: boolean;
  selected: boolean;
  onSelect: (checked: boolean) => void;
  onFocus: () => void;
}) {
  const finished = FINISHED.includes(ticket.status);
  const overdue = !!ticket.due_date && !finished && new Date(ticket.due_date).getTime() < now;
  return (
    <tr
      class={`${current ? "current" : ""} ${selected ? "selected" : ""} sev-${ticket.severity} ${overdue ? "is-overdue" : ""}`}
      tabIndex={current ? 0 : -1}
      data-ticket={ticket.id}
      aria-selected={selected ? "true" : "false"}
      onFocus={onFocus}
    >
      <td class="select">
        <input type="checkbox" aria-label={`Select ${ticket.key}`} checked={selected} onChange={(e) => onSelect((e.target as HTMLInputElement).checked)} />
      </td>
      <td class="key wide-only">{ticket.key}</td>
      <td class="title">
        <a href={`projects/${projectId}/tickets/${ticket.key}`}>{ticket.title}</a>
        <span class="narrow-only muted small">
          <span class="key">{ticket.key}</span> · {ticket.assignee ? nameOf(ticket.assignee) : "Unassigned"}
          {ticket.due_date && (
            <>
              {" · "}
              <span class={overdue ? "overdue" : ""}>{overdue ? "overdue " : "due "}{ago(ticket.due_date, now)}</span>
            </>
          )}
          {headline(ticket.sla, now) && (
            <>
              {" · "}
              <SlaBadge ticket={ticket} now={now} />
            </>
          )}
          {ticket.tags.map((tag) => (
            <span class="tag" key={tag}> {tag}</span>
          ))}
        </span>
      </td>
      <td>
        <span class={`pill status-${ticket.status}`}>{statusLabel(ticket.status)}</span>
      </td>
      <td>
        <span class={`severity in-row sev-${ticket.severity}`}>
          <span class="dot" aria-hidden="true" />
          <span class="label">{severityLabel(ticket.severity)}</span>
        </span>
      </td>
      <td class="assignee wide-only">{ticket.assignee ? nameOf(ticket.assignee) : <span class="muted">Unassigned</span>}</td>
      <td class="tags wide-only">
        {ticket.tags.map((tag) => (
          <span class="tag" key={tag}>{tag}</span>
        ))}
      </td>
      <td class="age wide-only">
        <time dateTime={ticket.created_at} title={exact(ticket.created_at)}>
          {ago(ticket.created_at, now)}
        </time>
      </td>
      <td class="sla-cell wide-only">
        <SlaBadge ticket={ticket} now={now} />
      </td>
      <td class="due wide-only">
        {ticket.due_date ? (
          <time dateTime={ticket.due_date} title={exact(ticket.due_date)} class={overdue ? "overdue" : ""}>
            {overdue ? "Overdue " : ""}
            {ago(ticket.due_date, now)}
          </time>
        ) : (
          <span class="muted">—</span>
        )}
      </td>
    </tr>
  );
}

export function TicketList({ projectId, params }: { projectId: string; params: URLSearchParams }) {
  const filters = useMemo(() => filtersOf(params), [params.toString()]);
  const viewId = params.get("view");
  const filterKey = JSON.stringify(filters);
  const [tickets, setTickets] = useState<Ticket[] | null>(null);
  const [cursor, setCursor] = useState<string | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [loadingMore, setLoadingMore] = useState(false);
  const [loading, setLoading] = useState(true);
  const [views, setViews] = useState<View[] | null>(null);
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [position, setPosition] = useState(0);
  const [changed, setChanged] = useState(0);
  const now = useNow(30_000);
  const loadedAt = useRef(new Date().toISOString());
  const serial = useRef(0);
  const searchRef = useRef<HTMLInputElement | null>(null);
  const tableRef = useRef<HTMLTableSectionElement | null>(null);

  const viewName = views?.find((view) => view.id === viewId)?.name;
  useEffect(() => {
    document.title = `${viewName ?? "Tickets"} · Ticketry`;
  }, [viewName]);

  async function load() {
    const mine = ++serial.current;
    setError(null);
    setLoading(true);
    loadedAt.current = new Date().toISOString();
    try {
      const { rows, next } = await fetchPage(filters, null);
      if (mine !== serial.current) return;
      setTickets(rows);
      setCursor(next);
      setChanged(0);
      setPosition((p) => Math.min(p, Math.max(rows.length - 1, 0)));
      setSelected((chosen) => new Set(rows.filter((t) => chosen.has(t.id)).map((t) => t.id)));
    } catch (caught) {
      if (mine !== serial.current) return;
      setError(caught instanceof ApiError ? caught : new ApiError(0, "error", String(caught)));
      setTickets([]);
    } finally {
      if (mine === serial.current) setLoading(false);
    }
  }

  async function loadViews() {
    try {
      setViews((await api.get<Page<View>>("/views")).body.data);
    } catch {
      setViews([]);
    }
  }

  async function loadMore() {
    if (!cursor) return;
    setLoadingMore(true);
    try {
      const { rows, next } = await fetchPage(filters, cursor);
      setTickets((current) => [...(current ?? []), ...rows.filter((row) => !current?.some((t) => t.id === row.id))]);
      setCursor(next);
    } catch (caught) {
      tell(caught instanceof ApiError ? caught.message : String(caught), "error");
    } finally {
      setLoadingMore(false);
    }
  }

  // The rows on screen stay until the new ones arrive: no flash of an empty list while typing.
  useEffect(() => {
    load();
  }, [filterKey]);

  useEffect(() => {
    loadViews();
  }, [projectId]);

  // Changes since the list was loaded are counted, not applied: rows never move under the cursor.
  useEffect(() => {
    const timer = window.setInterval(async () => {
      if (document.hidden) return;
      try {
        // Most recently changed first; the SLA filters come in SLA order only, so read more of those.
        const query = filters.sla ? { ...filters, limit: 50, cursor: null } : { ...filters, sort: "updated", limit: 20, cursor: null };
        const reply = await api.get<Page<Ticket>>("/tickets", query);
        setChanged(reply.body.data.filter((t) => t.updated_at > loadedAt.current).length);
      } catch {
        // A failed poll is retried by the next one.
      }
    }, POLL_MS);
    return () => clearInterval(timer);
  }, [filterKey]);

  function setFilter(name: Filter, value: string | undefined, typing = false) {
    // Read from the address, not from this render: a debounced search may land after other changes.
    const current = filtersOf(new URLSearchParams(location.search));
    const next = { ...current, [name]: value };
    if (value === undefined) delete next[name];
    // The SLA filters are served in SLA order only: the two move together.
    if (name === "sla" && value) next.sort = "sla";
    if (name === "sort" && value !== "sla") delete next.sla;
    // Typing more of a search replaces the history entry; starting or clearing one adds an entry.
    navigate(listPath(projectId, next), { replace: typing && !!current.q === !!value });
  }

  function clearFilters() {
    navigate(listPath(projectId, {}));
  }

  function focusRow(index: number) {
    if (!tickets || tickets.length === 0) return;
    const bounded = Math.max(0, Math.min(index, tickets.length - 1));
    setPosition(bounded);
    const row = tableRef.current?.querySelectorAll("tr")[bounded] as HTMLElement | undefined;
    row?.focus();
    row?.scrollIntoView({ block: "nearest" });
  }

  function open(ticket: Ticket) {
    openedFrom.value = { listPath: listPath(projectId, filters, viewId), keys: (tickets ?? []).map((t) => t.key) };
    navigate(`projects/${projectId}/tickets/${ticket.key}`);
  }

  function toggle(ticket: Ticket, checked: boolean) {
    setSelected((chosen) => {
      const next = new Set(chosen);
      if (checked) next.add(ticket.id);
      else next.delete(ticket.id);
      return next;
    });
  }

  useShortcuts({
    "/": () => searchRef.current?.focus(),
    j: () => focusRow(position + 1),
    k: () => focusRow(position - 1),
    ArrowDown: () => focusRow(position + 1),
    ArrowUp: () => focusRow(position - 1),
    Enter: () => tickets?.[position] && open(tickets[position]),
    x: () => tickets?.[position] && toggle(tickets[position], !selected.has(tickets[position].id)),
    Escape: () => setSelected(new Set()),
  });

  // Remember the list for previous/next on a ticket opened by a click as well.
  useEffect(() => {
    if (tickets) openedFrom.value = { listPath: listPath(projectId, filters, viewId), keys: tickets.map((t) => t.key) };
  }, [tickets]);

  const chips = FILTERS.filter((name) => filters[name]);
  const allSelected = !!tickets?.length && tickets.every((t) => selected.has(t.id));
  return (
    <div class="layout">
      <Sidebar projectId={projectId} views={views} current={viewId} filters={filters} onSaved={loadViews} />
      <main id="main" class="list">
        <h1 class="sr-only">{viewName ?? "Tickets"}</h1>
        <Filters filters={filters} setFilter={setFilter} searchRef={searchRef} />
        {chips.length > 0 && (
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
        )}
        {changed > 0 && (
          <div class="changed" role="status">
            {changed >= 20 ? "20+" : changed} {changed === 1 ? "ticket" : "tickets"} changed —{" "}
            <button type="button" class="link" onClick={() => { load(); loadViews(); }}>
              refresh
            </button>
          </div>
        )}
        {selected.size > 0 && tickets && (
          <BulkBar selected={selected} tickets={tickets} onDone={() => { load(); loadViews(); }} onClear={() => setSelected(new Set())} />
        )}
        {error ? (
          <div class="empty" role="alert">
            <p>
              <strong>The tickets could not be loaded.</strong> {error.message}
            </p>
            {error.status === 400 ? (
              <button type="button" onClick={clearFilters}>Clear filters</button>
            ) : (
              <button type="button" onClick={load}>Try again</button>
            )}
          </div>
        ) : tickets === null ? (
          <p class="loading" role="status">
            Loading tickets…
          </p>
        ) : tickets.length === 0 ? (
          <div class="empty" role="status">
            {chips.length ? (
              <>
                <p>No tickets match these filters.</p>
                <button type="button" onClick={clearFilters}>Clear filters</button>
              </>
            ) : (
              <>
                <p>No tickets yet.</p>
                <a class="button primary" href={`projects/${projectId}/new`}>Create the first ticket</a>
              </>
            )}
          </div>
        ) : (
          <>
            <table class={`tickets ${loading ? "busy" : ""}`} aria-label={viewName ?? "Tickets"} aria-busy={loading ? "true" : "false"}>
              <thead>
                <tr>
                  <th scope="col" class="select">
                    <input
                      type="checkbox"
                      aria-label="Select all"
                      checked={allSelected}
                      onChange={(e) => setSelected((e.target as HTMLInputElement).checked ? new Set(tickets.map((t) => t.id)) : new Set())}
                    />
                  </th>
                  <th scope="col" class="wide-only">Key</th>
                  <th scope="col">Title</th>
                  <th scope="col">Status</th>
                  <th scope="col">Severity</th>
                  <th scope="col" class="wide-only">Assignee</th>
                  <th scope="col" class="wide-only">Tags</th>
                  <th scope="col" class="wide-only">Created</th>
                  <th scope="col" class="wide-only">SLA</th>
                  <th scope="col" class="wide-only">Due</th>
                </tr>
              </thead>
              <tbody ref={tableRef}>
                {tickets.map((ticket, index) => (
                  <TicketRow
                    key={ticket.id}
                    ticket={ticket}
                    projectId={projectId}
                    current={index === position}
                    selected={selected.has(ticket.id)}
                    onSelect={(checked) => toggle(ticket, checked)}
                    onFocus={() => setPosition(index)}
                    now={now}
                  />
                ))}
              </tbody>
            </table>
            <div class="more">
              {cursor ? (
                <button type="button" onClick={loadMore} disabled={loadingMore}>
                  {loadingMore ? "Loading…" : "Load more"}
                </button>
              ) : (
                <span class="muted small">{tickets.length} {tickets.length === 1 ? "ticket" : "tickets"}</span>
              )}
            </div>
          </>
        )}
      </main>
    </div>
  );
}
