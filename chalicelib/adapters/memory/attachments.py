"""Attachment records in memory, with the same conditions as the DynamoDB attachment records: each change only
while the ticket is live, and an addition only while the ticket's additions stand as read."""
import copy
from dataclasses import replace

from chalicelib.adapters.memory.store import MemoryRepository, require
from chalicelib.adapters.memory.tickets import add_entry
from chalicelib.domain.attachments import AVAILABLE, PENDING, Additions, Attachment, AttachmentChanged, StoredObject
from chalicelib.domain.tickets import HistoryEntry, Ticket


def _changed() -> AttachmentChanged:
    return AttachmentChanged("the attachment or its ticket was changed by another request")


class MemoryAttachments(MemoryRepository):
    def get(self, ticket_id: str, attachment_id: str) -> Attachment | None:
        return self.store.attachments.get(ticket_id, {}).get(attachment_id)

    def for_ticket(self, ticket_id: str) -> list[Attachment]:
        return sorted(self.store.attachments.get(ticket_id, {}).values(), key=lambda a: (a.created_at, a.id))

    def ticket_for_upload(self, ticket_id: str) -> tuple[Ticket, Additions] | None:
        stored = self.store.tickets.get(ticket_id)
        if stored is None or not stored.live:
            return None
        return stored.ticket, Additions(version=stored.ticket.version, count=stored.attachment_adds or 0)

    def add_pending(self, attachment: Attachment, seen: Additions) -> None:
        store = self.store
        with store.transaction():
            stored = store.tickets.get(attachment.ticket_id)
            require(stored is not None and stored.live and stored.ticket.version == seen.version
                    and stored.attachment_adds == (seen.count or None), _changed())
            stored.attachment_adds = seen.count + 1
            records = store.attachments.setdefault(attachment.ticket_id, {})
            require(attachment.id not in records, _changed())
            records[attachment.id] = copy.deepcopy(attachment)

    def mark_available(self, attachment: Attachment, uploaded_at: str, stored: StoredObject,
                       entry: HistoryEntry) -> None:
        store = self.store
        with store.transaction():
            self._require_live(attachment.ticket_id)
            kept = store.attachments.get(attachment.ticket_id, {}).get(attachment.id)
            require(kept is not None and kept.status == PENDING, _changed())
            changes = dict(status=AVAILABLE, uploaded_at=uploaded_at, expires_at=None)
            if stored.version_id is not None:
                changes["version_id"] = stored.version_id
            if stored.etag is not None:
                changes["etag"] = stored.etag
            store.attachments[attachment.ticket_id][attachment.id] = replace(kept, **changes)
            add_entry(store, entry)

    def remove(self, attachment: Attachment, entry: HistoryEntry | None) -> None:
        store = self.store
        with store.transaction():
            self._require_live(attachment.ticket_id)
            kept = store.attachments.get(attachment.ticket_id, {}).get(attachment.id)
            require(kept is not None and kept.status == attachment.status, _changed())
            del store.attachments[attachment.ticket_id][attachment.id]
            if entry is not None:
                add_entry(store, entry)

    def _require_live(self, ticket_id: str) -> None:
        stored = self.store.tickets.get(ticket_id)
        require(stored is not None and stored.live, _changed())
