"""A project's contacts in memory, as adapters/dynamodb/contacts.py keeps them."""
from dataclasses import replace

from chalicelib.adapters.memory.store import MemoryRepository
from chalicelib.domain.contacts import Contact


class MemoryContacts(MemoryRepository):
    def contact(self, project_id: str, email: str) -> Contact | None:
        return self.store.contacts.get((project_id, email.lower()))

    def contact_page(self, project_id: str, limit: int, after: str | None) -> tuple[list[Contact], str | None]:
        found = sorted((contact for (pid, email), contact in self.store.contacts.items()
                        if pid == project_id and (after is None or email > after.lower())), key=lambda c: c.email)
        page = found[:limit + 1]
        more = page[limit - 1].email if len(page) > limit else None
        return page[:limit], more

    def save_contact_message(self, project_id: str, email: str, name: str, at: str) -> None:
        email = email.lower()
        kept = self.store.contacts.get((project_id, email))
        if kept is None:
            kept = Contact(project_id=project_id, email=email, name="", created_at=at, last_message_at=at)
        self.store.contacts[(project_id, email)] = replace(kept, name=name or kept.name, last_message_at=at)

    def record_bounce(self, project_id: str, email: str, at: str, reason: str) -> bool:
        kept = self.store.contacts.get((project_id, email.lower()))
        if kept is None:
            return False
        self.store.contacts[(project_id, email.lower())] = replace(kept, bounced_at=at, bounce_reason=reason)
        return True

    def claim_acknowledgement(self, project_id: str, email: str, at: str, not_since: str) -> bool:
        kept = self.store.contacts.get((project_id, email.lower()))
        if kept is None or (kept.acknowledged_at is not None and kept.acknowledged_at >= not_since):
            return False
        self.store.contacts[(project_id, email.lower())] = replace(kept, acknowledged_at=at)
        return True
