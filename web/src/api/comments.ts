// A ticket's conversation: comments and the pages of its history.
import { http, inProject, type Schemas, send } from "./client";

export type HistoryEntry = Schemas["HistoryOut"];

export function addComment(ticketId: string, comment: string) {
  return send(() =>
    http().POST("/v1/ce/projects/{project_id}/tickets/{ticket_id}/comments", {
      params: { path: { ...inProject(), ticket_id: ticketId } },
      body: { comment },
    }),
  );
}

export function historyPage(ticketId: string, cursor: string) {
  return send(() =>
    http().GET("/v1/ce/projects/{project_id}/tickets/{ticket_id}/history", {
      params: { path: { ...inProject(), ticket_id: ticketId }, query: { cursor } },
    }),
  );
}
