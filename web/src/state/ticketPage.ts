// One ticket's data: the ticket and its ETag, older history pages, and what its last change met.
import { batch, signal } from "@preact/signals";
import { ApiError, asApiError, messageOf } from "../api/client";
import { historyPage, type HistoryEntry } from "../api/comments";
import { changeTicket, getTicket, type TicketDetail, type TicketPatch } from "../api/tickets";
import { tell } from "./notice";

export function createTicketPage(ticketId: string) {
  const ticket = signal<TicketDetail | null>(null);
  const etag = signal<string | null>(null);
  const older = signal<HistoryEntry[]>([]);
  const olderCursor = signal<string | null>(null);
  const failure = signal<ApiError | null>(null);
  /** Someone else changed the ticket after it was loaded: the change was not saved. */
  const conflict = signal(false);
  const fieldProblem = signal<Record<string, string>>({});

  async function load() {
    try {
      const reply = await getTicket(ticketId);
      batch(() => {
        ticket.value = reply.body;
        etag.value = reply.etag;
        older.value = [];
        olderCursor.value = reply.body.history_cursor;
        conflict.value = false;
        failure.value = null;
      });
    } catch (error) {
      failure.value = asApiError(error);
    }
  }

  /** Changes the ticket as loaded (its ETag guards the change); answers whether it was saved. */
  async function change(fields: TicketPatch): Promise<boolean> {
    const current = ticket.value;
    if (!current) return false;
    try {
      await changeTicket(current.id, fields, etag.value);
      fieldProblem.value = {};
      await load();
      return true;
    } catch (error) {
      if (error instanceof ApiError && error.status === 412) {
        conflict.value = true;
      } else if (error instanceof ApiError && error.details.length) {
        fieldProblem.value = Object.fromEntries(error.details.map((d) => [d.field, d.message]));
        tell(error.message, "error");
      } else {
        tell(messageOf(error), "error");
      }
      return false;
    }
  }

  async function showOlder() {
    const current = ticket.value;
    if (!olderCursor.value || !current) return;
    try {
      const reply = await historyPage(current.id, olderCursor.value);
      batch(() => {
        older.value = [...older.value, ...reply.body.data];
        olderCursor.value = reply.body.cursor;
      });
    } catch (error) {
      tell(messageOf(error), "error");
    }
  }

  return { ticket, etag, older, olderCursor, failure, conflict, fieldProblem, load, change, showOlder };
}

export type TicketPageState = ReturnType<typeof createTicketPage>;
