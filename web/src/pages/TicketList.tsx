// The ticket list: views, filters kept in the address, search as you type, selection and bulk changes.
import { useEffect, useMemo, useRef } from "preact/hooks";
import type { Ticket } from "../api/tickets";
import { useNow } from "../clock";
import { BulkBar } from "../components/BulkBar";
import { FilterChips } from "../components/FilterChips";
import { Filters } from "../components/Filters";
import { ListMessage } from "../components/ListMessage";
import { Sidebar } from "../components/Sidebar";
import { TicketTable } from "../components/TicketTable";
import { useShortcuts } from "../keys";
import { navigate } from "../router";
import { type Filter, FILTERS, filtersOf, listPath, withFilter } from "../state/filters";
import { createTicketList, POLL_MS } from "../state/ticketList";
import { openedFrom } from "../state/trail";
import { createViews } from "../state/views";

export function TicketList({ projectId, params }: { projectId: string; params: URLSearchParams }) {
  const filters = useMemo(() => filtersOf(params), [params.toString()]);
  const viewId = params.get("view");
  const filterKey = JSON.stringify(filters);
  const list = useMemo(createTicketList, []);
  const views = useMemo(createViews, []);
  const now = useNow(30_000);
  const searchRef = useRef<HTMLInputElement | null>(null);
  const tableRef = useRef<HTMLTableSectionElement | null>(null);
  const tickets = list.tickets.value;
  const selected = list.selected.value;
  const position = list.position.value;

  const viewName = views.views.value?.find((view) => view.id === viewId)?.name;
  useEffect(() => {
    document.title = `${viewName ?? "Tickets"} · Ticketry`;
  }, [viewName]);

  const load = () => list.load(filters);
  const refresh = () => {
    load();
    views.load();
  };

  useEffect(() => {
    load();
  }, [filterKey]);

  useEffect(() => {
    views.load();
  }, [projectId]);

  useEffect(() => {
    const timer = window.setInterval(() => {
      if (!document.hidden) list.poll(filters);
    }, POLL_MS);
    return () => clearInterval(timer);
  }, [filterKey]);

  function setFilter(name: Filter, value: string | undefined, typing = false) {
    // Read from the address, not from this render: a debounced search may land after other changes.
    const { next, replace } = withFilter(filtersOf(new URLSearchParams(location.search)), name, value, typing);
    navigate(listPath(projectId, next), { replace });
  }

  function clearFilters() {
    navigate(listPath(projectId, {}));
  }

  function focusRow(index: number) {
    const bounded = list.moveTo(index);
    if (bounded === null) return;
    const row = tableRef.current?.querySelectorAll("tr")[bounded] as HTMLElement | undefined;
    row?.focus();
    row?.scrollIntoView({ block: "nearest" });
  }

  function open(ticket: Ticket) {
    openedFrom.value = { listPath: listPath(projectId, filters, viewId), keys: (tickets ?? []).map((t) => t.key) };
    navigate(`projects/${projectId}/tickets/${ticket.key}`);
  }

  useShortcuts({
    "/": () => searchRef.current?.focus(),
    j: () => focusRow(position + 1),
    k: () => focusRow(position - 1),
    ArrowDown: () => focusRow(position + 1),
    ArrowUp: () => focusRow(position - 1),
    Enter: () => tickets?.[position] && open(tickets[position]),
    x: () => tickets?.[position] && list.toggle(tickets[position], !selected.has(tickets[position].id)),
    Escape: () => list.clearSelection(),
  });

  // Remember the list for previous/next on a ticket opened by a click as well.
  useEffect(() => {
    if (tickets) openedFrom.value = { listPath: listPath(projectId, filters, viewId), keys: tickets.map((t) => t.key) };
  }, [tickets]);

  const filtered = FILTERS.some((name) => filters[name]);
  const changed = list.changed.value;
  return (
    <div class="layout">
      <Sidebar projectId={projectId} views={views} current={viewId} filters={filters} />
      <main id="main" class="list">
        <h1 class="sr-only">{viewName ?? "Tickets"}</h1>
        <Filters filters={filters} setFilter={setFilter} searchRef={searchRef} />
        <FilterChips filters={filters} setFilter={setFilter} clearFilters={clearFilters} />
        {changed > 0 && (
          <div class="changed" role="status">
            {changed >= 20 ? "20+" : changed} {changed === 1 ? "ticket" : "tickets"} changed —{" "}
            <button type="button" class="link" onClick={refresh}>
              refresh
            </button>
          </div>
        )}
        {selected.size > 0 && tickets && (
          <BulkBar selected={selected} tickets={tickets} onDone={refresh} onClear={list.clearSelection} />
        )}
        {list.error.value || tickets?.length === 0 ? (
          <ListMessage error={list.error.value} filtered={filtered} projectId={projectId} onClear={clearFilters} onRetry={load} />
        ) : tickets === null ? (
          <p class="loading" role="status">
            Loading tickets…
          </p>
        ) : (
          <TicketTable
            list={list}
            tickets={tickets}
            projectId={projectId}
            label={viewName ?? "Tickets"}
            now={now}
            tableRef={tableRef}
            onLoadMore={() => list.loadMore(filters)}
          />
        )}
      </main>
    </div>
  );
}
