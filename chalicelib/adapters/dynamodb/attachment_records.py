"""Attachment records in their ticket's item collection; every visible change commits with its
history entry, and only while the ticket is live. A new record also counts itself on its ticket's
item, which is what holds the per-ticket limit against concurrent requests."""
from pynamodb.exceptions import DoesNotExist

from chalicelib.adapters.dynamodb import models
from chalicelib.adapters.dynamodb.attachments import to_attachment, to_attachment_item
from chalicelib.adapters.dynamodb.history import to_history_item
from chalicelib.adapters.dynamodb.keys import ATTACHMENT_SK_PREFIX, TICKET_SK, attachment_sk, ticket_pk
from chalicelib.adapters.dynamodb.tickets import to_ticket
from chalicelib.adapters.dynamodb.models import AttachmentItem, HistoryItem, TicketItem
from chalicelib.domain.attachments import AVAILABLE, PENDING, Additions, Attachment, AttachmentChanged, StoredObject
from chalicelib.domain.tickets import HistoryEntry, Ticket


class AttachmentRepository:
    def __init__(self):
        models.bind()

    def get(self, ticket_id: str, attachment_id: str) -> Attachment | None:
        try:
            item = AttachmentItem.get(ticket_pk(ticket_id), attachment_sk(attachment_id), consistent_read=True)
        except DoesNotExist:
            return None
        return to_attachment(item)

    def for_ticket(self, ticket_id: str) -> list[Attachment]:
        """Every record of the ticket, pending and expired ones included, oldest first."""
        items = AttachmentItem.query(ticket_pk(ticket_id), AttachmentItem.sk.startswith(ATTACHMENT_SK_PREFIX),
                                     consistent_read=True)
        return sorted((to_attachment(item) for item in items), key=lambda a: (a.created_at, a.id))

    def ticket_for_upload(self, ticket_id: str) -> tuple[Ticket, Additions] | None:
        """The live ticket and where its additions stand, from one strongly consistent read. Read
        it before counting the records: an addition committed before the read is in the count, one
        committed after makes `add_pending` fail."""
        try:
            item = TicketItem.get(ticket_pk(ticket_id), TICKET_SK, consistent_read=True)
        except DoesNotExist:
            return None
        if item.deleted_at:
            return None
        return to_ticket(item), Additions(version=int(item.version), count=int(item.attachment_adds or 0))

    def add_pending(self, attachment: Attachment, seen: Additions) -> None:
        """Adds a pending record if its ticket is live and nothing was added to it, nor the ticket
        changed, since `seen` was read. The ticket's version, and with it its ETag, stays put: an
        upload is no change of the ticket."""
        adds = TicketItem.attachment_adds
        unchanged = (TicketItem.version == seen.version) & (
            adds == seen.count if seen.count else adds.does_not_exist())
        with self._transaction() as tx:
            tx.update_unversioned(TicketItem, ticket_pk(attachment.ticket_id), TICKET_SK,
                                  actions=[adds.set(seen.count + 1)], condition=_ticket_is_live() & unchanged)
            tx.save(to_attachment_item(attachment), condition=AttachmentItem.pk.does_not_exist())

    def mark_available(self, attachment: Attachment, uploaded_at: str, stored: StoredObject,
                       entry: HistoryEntry) -> None:
        """Pending -> available with the object version confirmed, once: a second confirmation
        fails its condition and writes nothing."""
        item = to_attachment_item(attachment)
        actions = [AttachmentItem.status.set(AVAILABLE), AttachmentItem.uploaded_at.set(uploaded_at),
                   AttachmentItem.expires_at.remove()]
        if stored.version_id is not None:
            actions.append(AttachmentItem.version_id.set(stored.version_id))
        if stored.etag is not None:
            actions.append(AttachmentItem.etag.set(stored.etag))
        with self._transaction() as tx:
            tx.condition_check(TicketItem, ticket_pk(attachment.ticket_id), TICKET_SK, condition=_ticket_is_live())
            tx.update(item, actions=actions, condition=AttachmentItem.status == PENDING)
            tx.save(to_history_item(entry), condition=HistoryItem.pk.does_not_exist())

    def remove(self, attachment: Attachment, entry: HistoryEntry | None) -> None:
        """Deletes the record, with its history entry when there is one (a pending upload has none)."""
        with self._transaction() as tx:
            tx.condition_check(TicketItem, ticket_pk(attachment.ticket_id), TICKET_SK, condition=_ticket_is_live())
            tx.delete(to_attachment_item(attachment), condition=AttachmentItem.status == attachment.status)
            if entry is not None:
                tx.save(to_history_item(entry), condition=HistoryItem.pk.does_not_exist())

    def _transaction(self):
        return models.Transaction(AttachmentChanged("the attachment or its ticket was changed by another request"))


def _ticket_is_live():
    return TicketItem.pk.exists() & TicketItem.deleted_at.does_not_exist()
