// The inbox: the unread count every page's badge shows (polled while the tab is visible), and the
// entries of the inbox page with the row the keyboard is on.
import { batch, signal } from "@preact/signals";
import { ApiError, asApiError, messageOf } from "../api/client";
import { type InboxEntry, type InboxMark, listInbox, markAllRead, markEntry, unreadCount } from "../api/inbox";
import { tell } from "./notice";

export const BADGE_POLL_MS = 10000;

/** Unread entries across the account's projects; null until first read. */
export const unread = signal<number | null>(null);

export async function refreshUnread(): Promise<void> {
  try {
    unread.value = (await unreadCount()).body.unread;
  } catch {
    // A failed poll is retried by the next one.
  }
}

let watchers = 0;
let timer: number | undefined;
// A tab shown again asks at once rather than at its next tick.
const onVisible = () => {
  if (!document.hidden) refreshUnread();
};

/** Keeps the badge current while at least one caller watches it; returns the stop. */
export function watchUnread(): () => void {
  watchers += 1;
  if (watchers === 1) {
    refreshUnread();
    timer = window.setInterval(() => {
      if (!document.hidden) refreshUnread();
    }, BADGE_POLL_MS);
    document.addEventListener("visibilitychange", onVisible);
  }
  return () => {
    watchers -= 1;
    if (watchers === 0) {
      window.clearInterval(timer);
      document.removeEventListener("visibilitychange", onVisible);
    }
  };
}

export function createInbox(archived: boolean) {
  const entries = signal<InboxEntry[] | null>(null);
  const cursor = signal<string | null>(null);
  const error = signal<ApiError | null>(null);
  const position = signal(0);

  async function load() {
    try {
      const reply = await listInbox(archived, null);
      batch(() => {
        entries.value = reply.body.data;
        cursor.value = reply.body.cursor;
        unread.value = reply.body.unread;
        error.value = null;
        position.value = Math.min(position.value, Math.max(0, reply.body.data.length - 1));
      });
    } catch (failure) {
      error.value = asApiError(failure);
    }
  }

  async function loadMore() {
    if (!cursor.value) return;
    try {
      const reply = await listInbox(archived, cursor.value);
      batch(() => {
        entries.value = [...(entries.value ?? []), ...reply.body.data];
        cursor.value = reply.body.cursor;
      });
    } catch (failure) {
      tell(messageOf(failure), "error");
    }
  }

  /** Marks one entry; an entry that leaves this list (archived, or back from the archive) is dropped from it. */
  async function mark(entry: InboxEntry, how: InboxMark): Promise<InboxEntry | null> {
    try {
      const changed = (await markEntry(entry.ticket_id, how)).body;
      const stays = changed.archived === archived;
      entries.value = (entries.value ?? []).flatMap((each) =>
        each.ticket_id !== entry.ticket_id ? [each] : stays ? [changed] : [],
      );
      position.value = Math.min(position.value, Math.max(0, (entries.value?.length ?? 1) - 1));
      if (how === "archive") tell(`${entry.key} archived`, "info");
      refreshUnread();
      return changed;
    } catch (failure) {
      tell(messageOf(failure), "error");
      return null;
    }
  }

  async function readAll() {
    try {
      // A call marks a bounded number; ask again while the API says more are left.
      for (let calls = 0; calls < 20 && (await markAllRead()).body.more; calls += 1);
      await load();
    } catch (failure) {
      tell(messageOf(failure), "error");
    }
  }

  function moveTo(index: number): number | null {
    const count = entries.value?.length ?? 0;
    if (count === 0) return null;
    position.value = Math.max(0, Math.min(count - 1, index));
    return position.value;
  }

  return { entries, cursor, error, position, load, loadMore, mark, readAll, moveTo };
}

export type Inbox = ReturnType<typeof createInbox>;
