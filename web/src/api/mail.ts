// The email channel: a ticket's mail thread, the project's email settings and its mail log.
import { http, inProject, type Schemas, send } from "./client";

export type ProjectEmail = Schemas["EmailSettingsOut"];
export type ProjectEmailPatch = Schemas["EmailSettingsPatch"];
export type ReplyToClosed = ProjectEmail["reply_to_closed"];
export type MailLogEntry = Schemas["MailLogEntryOut"];
export type MailStatus = MailLogEntry["status"];

export type MailThread = Schemas["MailThreadOut"];
export type Visibility = NonNullable<Schemas["CommentCreate"]["visibility"]>;

/** Who the ticket is for, its CC and the auto-replies it met: a 404 like the ticket's own. */
export function getMailThread(ticketId: string) {
  return send(() =>
    http().GET("/v1/ce/projects/{project_id}/tickets/{ticket_id}/mail-thread", {
      params: { path: { ...inProject(), ticket_id: ticketId } },
    }),
  );
}

export function getProjectEmail() {
  return send(() => http().GET("/v1/ce/projects/{project_id}", { params: { path: inProject() } }), { projectItself: true });
}

/** Admins only; an alias another project holds is a 409 naming `email.aliases`. */
export function changeProjectEmail(email: ProjectEmailPatch) {
  return send(() => http().PATCH("/v1/ce/projects/{project_id}", { params: { path: inProject() }, body: { email } }));
}

/** Newest first; admins only. */
export function listMailLog(status: MailStatus | null, cursor: string | null, limit = 50) {
  return send(() =>
    http().GET("/v1/ce/projects/{project_id}/mail-log", {
      params: { path: inProject(), query: { limit, ...(status ? { status } : {}), ...(cursor ? { cursor } : {}) } },
    }),
  );
}

const entry = (id: string) => ({ params: { path: { ...inProject(), entry_id: id } } });

/** Tickets a quarantined message despite its verdicts (409 for any other). */
export function releaseMail(id: string) {
  return send(() => http().POST("/v1/ce/projects/{project_id}/mail-log/{entry_id}/release", entry(id)));
}

/** Deletes the stored message and its entry. */
export function deleteMail(id: string) {
  return send(() => http().DELETE("/v1/ce/projects/{project_id}/mail-log/{entry_id}", entry(id)));
}
