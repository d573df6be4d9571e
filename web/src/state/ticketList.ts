// The ticket list's data: pages of tickets for the filters, the row the keyboard is on, the selection,
// and how many tickets changed since the list was loaded.
import { batch, computed, signal } from "@preact/signals";
import { ApiError, asApiError, messageOf } from "../api/client";
import { searchTickets, type Ticket } from "../api/tickets";
import type { Filters } from "./filters";
import { tell } from "./notice";

export const PAGE_SIZE = 50;
// A short page is followed this many times at most before "Load more" is offered.
export const MAX_FOLLOWS = 10;
// Changes since the list was loaded are looked for this often, and this many at most are counted.
export const POLL_MS = 15000;
export const POLL_SIZE = 20;

/** A page of tickets, following the cursor while the API answers short pages. */
export async function fetchPage(filters: Filters, cursor: string | null) {
  const rows: Ticket[] = [];
  let next = cursor;
  for (let follows = 0; follows <= MAX_FOLLOWS; follows += 1) {
    const reply = await searchTickets({ ...filters, limit: PAGE_SIZE - rows.length, cursor: next });
    rows.push(...reply.body.data);
    next = reply.body.cursor;
    if (!next || rows.length >= PAGE_SIZE) break;
  }
  return { rows, next };
}

export function createTicketList() {
  const tickets = signal<Ticket[] | null>(null);
  const cursor = signal<string | null>(null);
  const error = signal<ApiError | null>(null);
  const loading = signal(true);
  const loadingMore = signal(false);
  const selected = signal<Set<string>>(new Set());
  const position = signal(0);
  const changed = signal(0);
  let loadedAt = new Date().toISOString();
  let serial = 0;

  const allSelected = computed(() => !!tickets.value?.length && tickets.value.every((t) => selected.value.has(t.id)));

  // The rows on screen stay until the new ones arrive: no flash of an empty list while typing.
  async function load(filters: Filters) {
    const mine = ++serial;
    error.value = null;
    loading.value = true;
    loadedAt = new Date().toISOString();
    try {
      const { rows, next } = await fetchPage(filters, null);
      if (mine !== serial) return;
      batch(() => {
        tickets.value = rows;
        cursor.value = next;
        changed.value = 0;
        position.value = Math.min(position.value, Math.max(rows.length - 1, 0));
        selected.value = new Set(rows.filter((t) => selected.value.has(t.id)).map((t) => t.id));
      });
    } catch (caught) {
      if (mine !== serial) return;
      batch(() => {
        error.value = asApiError(caught);
        tickets.value = [];
      });
    } finally {
      if (mine === serial) loading.value = false;
    }
  }

  async function loadMore(filters: Filters) {
    if (!cursor.value) return;
    loadingMore.value = true;
    try {
      const { rows, next } = await fetchPage(filters, cursor.value);
      const current = tickets.value;
      batch(() => {
        tickets.value = [...(current ?? []), ...rows.filter((row) => !current?.some((t) => t.id === row.id))];
        cursor.value = next;
      });
    } catch (caught) {
      tell(messageOf(caught), "error");
    } finally {
      loadingMore.value = false;
    }
  }

  // Changes since the list was loaded are counted, not applied: rows never move under the cursor.
  async function poll(filters: Filters) {
    try {
      // Most recently changed first; the SLA filters come in SLA order only, so read more of those.
      const query = filters.sla ? { ...filters, limit: 50, cursor: null } : { ...filters, sort: "updated", limit: POLL_SIZE, cursor: null };
      const reply = await searchTickets(query);
      changed.value = reply.body.data.filter((t) => t.updated_at > loadedAt).length;
    } catch {
      // A failed poll is retried by the next one.
    }
  }

  /** The row index the keyboard moves to, kept within the list; null when there is none. */
  function moveTo(index: number): number | null {
    const rows = tickets.value;
    if (!rows || rows.length === 0) return null;
    const bounded = Math.max(0, Math.min(index, rows.length - 1));
    position.value = bounded;
    return bounded;
  }

  function toggle(ticket: Ticket, checked: boolean) {
    const next = new Set(selected.value);
    if (checked) next.add(ticket.id);
    else next.delete(ticket.id);
    selected.value = next;
  }

  function selectAll(checked: boolean) {
    selected.value = checked ? new Set((tickets.value ?? []).map((t) => t.id)) : new Set();
  }

  function clearSelection() {
    selected.value = new Set();
  }

  return {
    tickets, cursor, error, loading, loadingMore, selected, position, changed, allSelected,
    load, loadMore, poll, moveTo, toggle, selectAll, clearSelection,
  };
}

export type TicketList = ReturnType<typeof createTicketList>;
