"""Hourly digests in memory, with the same conditions as adapters/dynamodb/digests.py."""
from chalicelib.adapters.memory.store import MemoryRepository
from chalicelib.domain.digest import Line


class MemoryDigests(MemoryRepository):
    def queue_digest_line(self, hour: str, address: str, line: Line, expires_at: int) -> None:
        self.store.digest_lines.setdefault(hour, {})[(address.lower(), line.event_id)] = (address, line)

    def digest_lines(self, hour: str) -> list[tuple[str, Line]]:
        return [found for _, found in sorted(self.store.digest_lines.get(hour, {}).items())]

    def digest_hours_done(self, hours: list[str]) -> set[str]:
        return {hour for hour in hours if hour in self.store.digest_hours_done}

    def claim_digest(self, hour: str, address: str, expires_at: int) -> bool:
        sent = self.store.digest_sent.setdefault(hour, set())
        if address.lower() in sent:
            return False
        sent.add(address.lower())
        return True

    def release_digest(self, hour: str, address: str) -> None:
        self.store.digest_sent.get(hour, set()).discard(address.lower())

    def finish_digest_hour(self, hour: str, expires_at: int) -> None:
        self.store.digest_hours_done.add(hour)
