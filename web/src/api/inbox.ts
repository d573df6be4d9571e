// A person's inbox across their projects: entries, the unread count for the badge, and marks.
import { http, type Schemas, send } from "./client";

export type InboxEntry = Schemas["InboxEntryOut"];
export type InboxMark = "read" | "unread" | "archive" | "unarchive";

export function listInbox(archived: boolean, cursor: string | null, limit = 50) {
  return send(() => http().GET("/v1/ce/inbox", { params: { query: { archived, limit, ...(cursor ? { cursor } : {}) } } }));
}

/** Cheap (one read of the account's counters): what the badge polls. */
export function unreadCount() {
  return send(() => http().GET("/v1/ce/inbox/unread"));
}

export function markEntry(ticketId: string, mark: InboxMark) {
  const path = { ticket_id: ticketId };
  switch (mark) {
    case "read":
      return send(() => http().POST("/v1/ce/inbox/{ticket_id}/read", { params: { path } }));
    case "unread":
      return send(() => http().POST("/v1/ce/inbox/{ticket_id}/unread", { params: { path } }));
    case "archive":
      return send(() => http().POST("/v1/ce/inbox/{ticket_id}/archive", { params: { path } }));
    case "unarchive":
      return send(() => http().POST("/v1/ce/inbox/{ticket_id}/unarchive", { params: { path } }));
  }
}

export function markAllRead() {
  return send(() => http().POST("/v1/ce/inbox/read-all"));
}
