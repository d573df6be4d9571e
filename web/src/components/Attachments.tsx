import { useMemo, useRef, useState } from "preact/hooks";
import type { Attachment } from "../api/attachments";
import type { TicketDetail } from "../api/tickets";
import { bytes } from "../format";
import { project } from "../state/project";
import { createUploads } from "../state/uploads";
import { Icon } from "./Icon";

/** A ticket's files: download, remove, and add by dropping or choosing them. */
export function Attachments({ ticket, onChange }: { ticket: TicketDetail; onChange: () => void }) {
  const files = useMemo(() => createUploads(ticket.id, onChange), [ticket.id]);
  const [dragging, setDragging] = useState(false);
  const limits = project.value?.limits;
  const input = useRef<HTMLInputElement | null>(null);

  function download(event: MouseEvent, attachment: Attachment) {
    event.preventDefault();
    files.download(attachment);
  }

  function remove(attachment: Attachment) {
    if (confirm(`Remove ${attachment.file_name}?`)) files.remove(attachment);
  }

  const available = ticket.attachments.filter((a) => a.status === "available");
  return (
    <section
      class={`attachments ${dragging ? "dragging" : ""}`}
      aria-labelledby="attachments-title"
      onDragOver={(event) => {
        event.preventDefault();
        setDragging(true);
      }}
      onDragLeave={() => setDragging(false)}
      onDrop={(event) => {
        event.preventDefault();
        setDragging(false);
        if (event.dataTransfer?.files.length) files.upload(event.dataTransfer.files);
      }}
    >
      <h2 id="attachments-title">Attachments</h2>
      {available.length > 0 ? (
        <ul class="files">
          {available.map((attachment) => (
            <li key={attachment.id}>
              {attachment.content_type.startsWith("image/") && attachment.download_url && (
                <img class="thumb" src={attachment.download_url} alt="" loading="lazy" />
              )}
              <a href={attachment.download_url ?? "#"} data-external onClick={(event) => download(event, attachment)}>
                <Icon name="download" /> {attachment.file_name}
              </a>
              <span class="muted small">
                {bytes(attachment.size)} · {attachment.content_type}
              </span>
              <button type="button" class="ghost tiny" aria-label={`Remove ${attachment.file_name}`} onClick={() => remove(attachment)}>
                <Icon name="trash" size={14} />
              </button>
            </li>
          ))}
        </ul>
      ) : (
        <p class="muted small">No files yet.</p>
      )}
      {files.uploads.value.map((u) => (
        <div class="upload" key={u.name}>
          <label>
            Uploading {u.name}
            <progress max={u.total || 1} value={u.sent} />
          </label>
        </div>
      ))}
      <div class="dropzone">
        <Icon name="clip" />
        <span>
          Drop files here or{" "}
          <button type="button" class="link" onClick={() => input.current?.click()}>
            choose files
          </button>
        </span>
        <label class="sr-only" for="attach">
          Attach files
        </label>
        <input id="attach" ref={input} class="sr-only" type="file" multiple onChange={(e) => {
          const chosen = (e.target as HTMLInputElement).files;
          if (chosen?.length) files.upload(Array.from(chosen));
          (e.target as HTMLInputElement).value = "";
        }} />
        {limits && (
          <span class="muted small">
            Up to {bytes(limits.attachment_bytes)} each, {limits.attachments_per_ticket} per ticket. Scripts and HTML are refused.
          </span>
        )}
      </div>
    </section>
  );
}
