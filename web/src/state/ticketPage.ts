// One ticket's data: the ticket and its ETag, older history pages, the mail thread of a ticket that
// came by email, and what its last change met.
import { batch, signal } from "@preact/signals";
import { ApiError, asApiError, messageOf } from "../api/client";
import { historyPage, type HistoryEntry } from "../api/comments";
import { getMailThread, type MailThread } from "../api/mail";
import { changeTicket, getTicket, type TicketDetail, type TicketPatch } from "../api/tickets";
import { tell } from "./notice";
import { knowContact } from "./project";

export function createTicketPage(ticketId: string) {
  const ticket = signal<TicketDetail | null>(null);
  const etag = signal<string | null>(null);
  const older = signal<HistoryEntry[]>([]);
  const olderCursor = signal<string | null>(null);
  const failure = signal<ApiError | null>(null);
  /** Someone else changed the ticket after it was loaded: the change was not saved. */
  const conflict = signal(false);
  const fieldProblem = signal<Record<string, string>>({});
  /** Null for a ticket without a requester (nothing came or goes by email), and until it is read. */
  const thread = signal<MailThread | null>(null);

  async function load() {
    let loaded: TicketDetail;
    try {
      const reply = await getTicket(ticketId);
      loaded = reply.body;
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
      return;
    }
    if (loaded.requester) await loadThread(loaded.id);
    else thread.value = null;
  }

  // New mail may have come since (CC, auto-replies): read again with the ticket. The ticket shows
  // without it when it cannot be read.
  async function loadThread(id: string) {
    try {
      const found = (await getMailThread(id)).body;
      if (found.requester) knowContact(found.requester.email, found.requester.name);
      thread.value = found;
    } catch (error) {
      tell(`The ticket's email thread could not be loaded: ${messageOf(error)}`, "error");
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

  return { ticket, etag, older, olderCursor, failure, conflict, fieldProblem, thread, load, change, showOlder };
}

export type TicketPageState = ReturnType<typeof createTicketPage>;
