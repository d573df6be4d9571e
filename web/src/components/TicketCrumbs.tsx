import { Icon } from "./Icon";

/** Back to the list, the ticket's key, and the previous and next tickets of that list. */
export function TicketCrumbs({ projectId, ticketKey, listPath, previous, next }: {
  projectId: string;
  ticketKey: string;
  listPath: string;
  previous: string | null;
  next: string | null;
}) {
  return (
    <nav class="crumbs" aria-label="Ticket navigation">
      <a href={listPath}>
        <Icon name="left" /> Tickets
      </a>
      <span class="key">{ticketKey}</span>
      <span class="spacer" />
      {previous && (
        <a class="button ghost" href={`projects/${projectId}/tickets/${previous}`} aria-label={`Previous ticket ${previous}`}>
          <Icon name="left" /> Previous
        </a>
      )}
      {next && (
        <a class="button ghost" href={`projects/${projectId}/tickets/${next}`} aria-label={`Next ticket ${next}`}>
          Next <Icon name="right" />
        </a>
      )}
    </nav>
  );
}
