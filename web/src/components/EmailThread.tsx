import { ago, exact } from "../format";
import { listPath } from "../state/filters";
import type { TicketPageState } from "../state/ticketPage";

/**
 * Who a ticket that came by email is for: the requester (their other tickets one click away), who else
 * is on the thread, and the automatic answers it met, kept quiet. Nothing for other tickets.
 */
export function EmailThread({ page, projectId }: { page: TicketPageState; projectId: string }) {
  const ticket = page.ticket.value!;
  const requester = ticket.requester;
  if (!requester) return null;
  const thread = page.thread.value;
  const name = thread?.requester?.name;
  const bouncedAt = thread?.requester?.bounced_at;
  const cc = thread?.cc ?? [];
  const autoReplies = thread?.auto_replies ?? [];
  return (
    <section class="email-thread" aria-label="Email thread">
      <p>
        <span class="label">Requester:</span>{" "}
        <a href={listPath(projectId, { requester })} title={`Tickets of ${requester}`}>
          {name ? <>{name} &lt;{requester}&gt;</> : requester}
        </a>
      </p>
      {bouncedAt && (
        <p class="bounced" role="note">
          Mail to {requester} bounced <time dateTime={bouncedAt} title={exact(bouncedAt)}>{ago(bouncedAt)}</time>: replies may not reach them.
        </p>
      )}
      {cc.length > 0 && (
        <p>
          <span class="label">Cc:</span> {cc.join(", ")}
        </p>
      )}
      {autoReplies.length > 0 && (
        <details class="auto-replies">
          <summary>
            {autoReplies.length} automatic {autoReplies.length === 1 ? "reply" : "replies"}
          </summary>
          <ul>
            {autoReplies.map((reply, n) => (
              <li key={n}>
                {reply.from}: “{reply.subject || "(no subject)"}”,{" "}
                <time dateTime={reply.at} title={exact(reply.at)}>{ago(reply.at)}</time>
              </li>
            ))}
          </ul>
        </details>
      )}
      {thread?.reply_address && (
        <p class="muted small">Mail to {thread.reply_address} adds to this ticket.</p>
      )}
    </section>
  );
}
