"""Accounts' inboxes in memory, with the same conditions and transactions as adapters/dynamodb/inbox.py."""
from dataclasses import replace

from chalicelib.adapters.memory.store import MemoryRepository, MemoryStore, require
from chalicelib.domain import inbox as rules
from chalicelib.domain.inbox import InboxEntry
from chalicelib.errors import Conflict


def _changed() -> Conflict:
    return Conflict("the inbox entry changed meanwhile")


class MemoryInbox(MemoryRepository):
    def inbox_entry(self, account_id: str, ticket_id: str) -> InboxEntry | None:
        return self.store.inbox_entries.get((account_id, ticket_id))

    def inboxed(self, event_id: str) -> frozenset[str]:
        return frozenset(self.store.inboxed.get(event_id, ()))

    def add_to_inbox(self, before: InboxEntry | None, after: InboxEntry, event_id: str, expires_at: int) -> None:
        store = self.store
        with store.transaction():
            _write(store, before, after)
            require(after.account_id not in store.inboxed.get(event_id, ()), _changed())
            store.inboxed.setdefault(event_id, set()).add(after.account_id)

    def save_inbox_entry(self, before: InboxEntry, after: InboxEntry) -> None:
        with self.store.transaction():
            _write(self.store, before, after)

    def inbox_page(self, account_id: str, archived: bool, projects: set[str], limit: int,
                   after: str | None) -> tuple[list[InboxEntry], str | None]:
        entries = sorted((entry for (aid, _), entry in self.store.inbox_entries.items()
                          if aid == account_id and entry.archived == archived and entry.project_id in projects
                          and (after is None or entry.order < after)), key=lambda e: e.order, reverse=True)
        more = len(entries) > limit
        page = entries[:limit]
        return page, page[-1].order if more else None

    def inbox_counts(self, account_id: str) -> tuple[dict[str, int], set[str]]:
        counts = {pid: n for (aid, pid), n in self.store.inbox_counts.items() if aid == account_id}
        return counts, {pid for (aid, pid) in self.store.account_projects if aid == account_id}


def _write(store: MemoryStore, before: InboxEntry | None, after: InboxEntry) -> None:
    key = (after.account_id, after.ticket_id)
    current = store.inbox_entries.get(key)
    require(current is None if before is None else current is not None and current.revision == before.revision,
            _changed())
    store.inbox_entries[key] = replace(after, revision=(before.revision if before else 0) + 1)
    delta = rules.counted(after) - rules.counted(before)
    if delta:
        count_key = (after.account_id, after.project_id)
        store.inbox_counts[count_key] = store.inbox_counts.get(count_key, 0) + delta
