// The email channel: a ticket's mail thread, the project's email settings and its mail log.
import { http, inProject, send } from "./client";

// PROVISIONAL until the contract carries these routes: shapes as the design fixes them.
export type Visibility = "internal" | "public";
export interface Requester {
  email: string;
  name: string;
  bounced_at: string | null;
}
export interface AutoReply {
  from: string;
  subject: string;
  at: string;
}
export interface MailThread {
  requester: Requester | null;
  cc: string[];
  reply_address: string;
  auto_replies: AutoReply[];
}
export type ReplyToClosed = "reopen" | "follow_up";
export interface ProjectEmail {
  address: string;
  aliases: string[];
  reply_to_closed: ReplyToClosed;
  acknowledge: boolean;
  acknowledgement: string;
}
export type ProjectEmailPatch = Partial<Omit<ProjectEmail, "address">>;
export type MailStatus = "quarantined" | "failed" | "ignored" | "released";
export interface MailLogEntry {
  id: string;
  key: string;
  sender: string;
  subject: string;
  status: MailStatus;
  reasons: string[];
  received_at: string;
}
const untyped = () => http() as any;

/** Who the ticket is for, its CC and the auto-replies it met: a 404 like the ticket's own. */
export function getMailThread(ticketId: string) {
  return send<MailThread>(() =>
    untyped().GET("/v1/ce/projects/{project_id}/tickets/{ticket_id}/mail-thread", {
      params: { path: { ...inProject(), ticket_id: ticketId } },
    }),
  );
}

export function getProjectEmail() {
  return send<{ email: ProjectEmail }>(() => untyped().GET("/v1/ce/projects/{project_id}", { params: { path: inProject() } }), {
    projectItself: true,
  });
}

/** Admins only; an alias another project holds is a 409 naming `email.aliases`. */
export function changeProjectEmail(email: ProjectEmailPatch) {
  return send<{ email: ProjectEmail }>(() =>
    untyped().PATCH("/v1/ce/projects/{project_id}", { params: { path: inProject() }, body: { email } }),
  );
}

/** Newest first; admins only. */
export function listMailLog(status: MailStatus | null, cursor: string | null, limit = 50) {
  return send<{ data: MailLogEntry[]; cursor: string | null }>(() =>
    untyped().GET("/v1/ce/projects/{project_id}/mail-log", {
      params: { path: inProject(), query: { limit, ...(status ? { status } : {}), ...(cursor ? { cursor } : {}) } },
    }),
  );
}

/** Tickets the message despite what held it back. */
export function releaseMail(id: string) {
  return send<MailLogEntry>(() =>
    untyped().POST("/v1/ce/projects/{project_id}/mail-log/{mail_id}/release", { params: { path: { ...inProject(), mail_id: id } } }),
  );
}

/** Deletes the stored message and its entry. */
export function deleteMail(id: string) {
  return send<unknown>(() =>
    untyped().DELETE("/v1/ce/projects/{project_id}/mail-log/{mail_id}", { params: { path: { ...inProject(), mail_id: id } } }),
  );
}
