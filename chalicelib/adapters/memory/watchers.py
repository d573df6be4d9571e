"""A ticket's watchers in memory, as adapters/dynamodb/watchers.py keeps them."""
from chalicelib.adapters.memory.store import MemoryRepository
from chalicelib.domain.watching import Watcher


class MemoryWatchers(MemoryRepository):
    def watchers(self, ticket_id: str) -> list[Watcher]:
        kept = self.store.watchers.get(ticket_id, {})
        return [kept[ref] for ref in sorted(kept)]

    def add_watchers(self, watchers: list[Watcher]) -> list[Watcher]:
        added = []
        for watcher in watchers:
            kept = self.store.watchers.setdefault(watcher.ticket_id, {})
            if watcher.watcher not in kept:
                kept[watcher.watcher] = watcher
                added.append(watcher)
        return added

    def save_watcher(self, watcher: Watcher) -> None:
        self.store.watchers.setdefault(watcher.ticket_id, {})[watcher.watcher] = watcher
