// Attachments: an upload is started here, sent straight to storage, then confirmed here.
import { http, inProject, type Schemas, send } from "./client";

export type Attachment = Schemas["AttachmentOut"];
export type AttachmentCreate = Schemas["AttachmentCreate"];

const where = (ticketId: string, attachmentId: string) => ({ ...inProject(), ticket_id: ticketId, attachment_id: attachmentId });

export function startUpload(ticketId: string, body: AttachmentCreate) {
  return send(() =>
    http().POST("/v1/ce/projects/{project_id}/tickets/{ticket_id}/attachments", {
      params: { path: { ...inProject(), ticket_id: ticketId } },
      body,
    }),
  );
}

export function completeUpload(ticketId: string, attachmentId: string) {
  return send(() =>
    http().POST("/v1/ce/projects/{project_id}/tickets/{ticket_id}/attachments/{attachment_id}/complete", {
      params: { path: where(ticketId, attachmentId) },
    }),
  );
}

export function getAttachment(ticketId: string, attachmentId: string) {
  return send(() =>
    http().GET("/v1/ce/projects/{project_id}/tickets/{ticket_id}/attachments/{attachment_id}", { params: { path: where(ticketId, attachmentId) } }),
  );
}

export function removeAttachment(ticketId: string, attachmentId: string) {
  return send(() =>
    http().DELETE("/v1/ce/projects/{project_id}/tickets/{ticket_id}/attachments/{attachment_id}", { params: { path: where(ticketId, attachmentId) } }),
  );
}

/** Sends a file to storage with the form the API handed out, telling how much has gone. */
export function sendToStorage(url: string, fields: Record<string, string>, file: File, progress: (sent: number) => void) {
  return new Promise<void>((resolve, reject) => {
    const form = new FormData();
    for (const [name, value] of Object.entries(fields)) form.append(name, value);
    form.append("file", file);
    const request = new XMLHttpRequest();
    request.open("POST", url);
    request.upload.onprogress = (event) => progress(event.loaded);
    request.onload = () => (request.status < 300 ? resolve() : reject(new Error(`the storage refused the file (${request.status})`)));
    request.onerror = () => reject(new Error("the upload was interrupted"));
    request.send(form);
  });
}
