// Files on their way to a ticket: checked against the project's limits, sent to storage, confirmed.
import { signal } from "@preact/signals";
import { ApiError, messageOf } from "../api/client";
import { type Attachment, completeUpload, getAttachment, removeAttachment, sendToStorage, startUpload } from "../api/attachments";
import { bytes } from "../format";
import { tell } from "./notice";
import { project } from "./project";

export interface Upload {
  name: string;
  sent: number;
  total: number;
}

export function createUploads(ticketId: string, onChange: () => void) {
  const uploads = signal<Upload[]>([]);

  async function upload(files: FileList | File[]) {
    const limits = project.value?.limits;
    for (const file of Array.from(files)) {
      if (limits && file.size > limits.attachment_bytes) {
        tell(`${file.name} is ${bytes(file.size)}; files can be at most ${bytes(limits.attachment_bytes)}`, "error");
        continue;
      }
      const entry: Upload = { name: file.name, sent: 0, total: file.size };
      uploads.value = [...uploads.value, entry];
      const progress = (sent: number) => (uploads.value = uploads.value.map((u) => (u === entry ? Object.assign(entry, { sent }) : u)));
      try {
        const started = await startUpload(ticketId, { file_name: file.name, content_type: file.type || "application/octet-stream", size: file.size });
        await sendToStorage(started.body.upload.url, started.body.upload.fields, file, progress);
        await completeUpload(ticketId, started.body.attachment.id);
        tell(`${file.name} attached`);
      } catch (error) {
        const message = error instanceof ApiError ? error.forField("content_type") ?? error.forField("size") ?? error.message : String((error as Error).message ?? error);
        tell(`${file.name} was not attached: ${message}`, "error");
      } finally {
        uploads.value = uploads.value.filter((u) => u !== entry);
        onChange();
      }
    }
  }

  /** Fetches a fresh download address (the one on screen may have expired) and opens it. */
  async function download(attachment: Attachment) {
    try {
      const reply = await getAttachment(ticketId, attachment.id);
      if (reply.body.download_url) location.assign(reply.body.download_url);
    } catch (error) {
      tell(messageOf(error), "error");
    }
  }

  async function remove(attachment: Attachment) {
    try {
      await removeAttachment(ticketId, attachment.id);
      onChange();
    } catch (error) {
      tell(messageOf(error), "error");
    }
  }

  return { uploads, upload, download, remove };
}
