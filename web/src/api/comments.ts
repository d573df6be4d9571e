// A ticket's conversation: comments and the pages of its history.
import { http, inProject, type Schemas, send } from "./client";
import type { Visibility } from "./mail";

export type HistoryEntry = Schemas["HistoryOut"];

/** An internal note stays in Ticketry; a public comment is a reply mailed to the ticket's requester. */
export function addComment(ticketId: string, comment: string, visibility: Visibility = "internal") {
  return send(() =>
    http().POST("/v1/ce/projects/{project_id}/tickets/{ticket_id}/comments", {
      params: { path: { ...inProject(), ticket_id: ticketId } },
      body: { comment, visibility },
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

export type Comment = Schemas["CommentOut"];
export type Revision = Schemas["RevisionOut"];

const COMMENT = "/v1/ce/projects/{project_id}/tickets/{ticket_id}/comments/{comment_id}";

function commentPath(ticketId: string, commentId: string) {
  return { ...inProject(), ticket_id: ticketId, comment_id: commentId };
}

/** The comment as it is now, with its ETag (what an edit is made against). */
export function getComment(ticketId: string, commentId: string) {
  return send(() => http().GET(COMMENT, { params: { path: commentPath(ticketId, commentId) } }));
}

/** Edits your comment if it is still at `etag`; a 412 when it changed meanwhile. */
export function editComment(ticketId: string, commentId: string, comment: string, etag: string) {
  return send(() =>
    http().PATCH(COMMENT, {
      params: { path: commentPath(ticketId, commentId), header: { "If-Match": etag } },
      body: { comment },
    }),
  );
}

export function deleteComment(ticketId: string, commentId: string) {
  return send(() => http().DELETE(COMMENT, { params: { path: commentPath(ticketId, commentId) } }));
}

export function commentRevisions(ticketId: string, commentId: string) {
  return send(() => http().GET(`${COMMENT}/revisions`, { params: { path: commentPath(ticketId, commentId) } }));
}
