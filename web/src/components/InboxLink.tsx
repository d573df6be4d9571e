import { useEffect } from "preact/hooks";
import { unread, watchUnread } from "../state/inbox";

/** "Inbox" with the unread count, kept current by polling while shown. */
export function InboxLink({ current, class: className = "" }: { current: boolean; class?: string }) {
  useEffect(watchUnread, []);
  const count = unread.value;
  return (
    <a class={`inbox-link ${className} ${current ? "current" : ""}`} href="inbox" aria-current={current ? "page" : undefined} aria-keyshortcuts="g i">
      <span>Inbox</span>
      {count !== null && count > 0 && (
        <span class="count unread-count" aria-label={`${count} unread`} data-testid="inbox-unread">
          {count}
        </span>
      )}
    </a>
  );
}
