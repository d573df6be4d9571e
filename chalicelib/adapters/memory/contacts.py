"""A project's contacts in memory, as adapters/dynamodb/contacts.py keeps them."""
from chalicelib.adapters.memory.store import MemoryRepository
from chalicelib.domain.contacts import Contact


class MemoryContacts(MemoryRepository):
    def contact(self, project_id: str, email: str) -> Contact | None:
        return self.store.contacts.get((project_id, email.lower()))
