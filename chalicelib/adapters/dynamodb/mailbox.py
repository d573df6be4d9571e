"""The email channel's directory items: which project receives an address's mail (`MAILADDR#`)
and a project's mail log (`MAILLOG#<received at>#<id>`, and the `MAILLOG#unrouted` partition of
mail no project received). Contacts: adapters/dynamodb/contacts.py."""
from typing import Iterable

from pynamodb.exceptions import DoesNotExist, PutError, UpdateError

from chalicelib.adapters.dynamodb.failures import failed_condition

from chalicelib.adapters.dynamodb import models
from chalicelib.adapters.dynamodb.keys import MAIL_ADDRESS_SK, MAIL_LOG_SK_PREFIX, mail_address_pk, mail_log_pk, mail_log_sk
from chalicelib.adapters.dynamodb.models import MailAddressItem, MailLogItem
from chalicelib.domain.mailbox import QUARANTINED, RELEASED, MailLogEntry, received_at_of
from chalicelib.errors import Conflict

BATCH_GET_KEYS = 100


class DynamoMailbox:
    def __init__(self):
        models.bind()

    # ---- addresses ---------------------------------------------------------------------------

    def address_owners(self, addresses: Iterable[str]) -> dict[str, str]:
        """The project of each address some project receives (BatchGetItem)."""
        wanted = list(dict.fromkeys(addresses))
        found: dict[str, str] = {}
        for start in range(0, len(wanted), BATCH_GET_KEYS):
            keys = [(mail_address_pk(address), MAIL_ADDRESS_SK) for address in wanted[start:start + BATCH_GET_KEYS]]
            for item in MailAddressItem.batch_get(keys, consistent_read=True):
                found[item.pk.removeprefix("MAILADDR#")] = item.project_id
        return found

    def claim_address(self, address: str, project_id: str) -> str:
        """Makes the address the project's unless another project has it; returns its owner."""
        item = MailAddressItem(mail_address_pk(address), MAIL_ADDRESS_SK, project_id=project_id)
        try:
            item.save(condition=MailAddressItem.pk.does_not_exist() | (MailAddressItem.project_id == project_id))
        except PutError as error:
            if not failed_condition(error):
                raise
            owner = self.address_owners([address]).get(address)
            return owner if owner is not None else self.claim_address(address, project_id)
        return project_id

    # ---- the mail log ------------------------------------------------------------------------

    def log_mail(self, entry: MailLogEntry) -> None:
        """Adds the entry; the same entry logged again (a delivery repeated) is written over itself."""
        _to_log_item(entry).save()

    def mail_log_entry(self, project_id: str | None, entry_id: str) -> MailLogEntry | None:
        received_at = received_at_of(entry_id)
        if received_at is None:
            return None
        try:
            item = MailLogItem.get(mail_log_pk(project_id), mail_log_sk(received_at, entry_id), consistent_read=True)
        except DoesNotExist:
            return None
        return _to_log_entry(item)

    def mail_log_page(self, project_id: str | None, status: str | None, limit: int,
                      after: str | None) -> tuple[list[MailLogEntry], str | None]:
        """Entries newest first (of one status, if given); returns the sk to continue after."""
        condition = (MailLogItem.sk.between(MAIL_LOG_SK_PREFIX, after) if after
                     else MailLogItem.sk.startswith(MAIL_LOG_SK_PREFIX))
        items = MailLogItem.query(mail_log_pk(project_id), range_key_condition=condition,
                                  filter_condition=(MailLogItem.status == status) if status else None,
                                  scan_index_forward=False, page_size=limit + 1, consistent_read=True)
        page: list[MailLogItem] = []
        for item in items:
            if item.sk == after:
                continue
            page.append(item)
            if len(page) > limit:
                break
        more = page[limit - 1].sk if len(page) > limit else None
        return [_to_log_entry(item) for item in page[:limit]], more

    def release_mail_log_entry(self, entry: MailLogEntry, ticket_id: str) -> None:
        """Quarantined -> released, naming the ticket; Conflict unless it was still quarantined."""
        try:
            MailLogItem(mail_log_pk(entry.project_id), mail_log_sk(entry.received_at, entry.id)).update(
                actions=[MailLogItem.status.set(RELEASED), MailLogItem.ticket_id.set(ticket_id)],
                condition=MailLogItem.status == QUARANTINED)
        except UpdateError as error:
            if failed_condition(error):
                raise Conflict("the entry was released or deleted meanwhile") from None
            raise

    def delete_mail_log_entry(self, entry: MailLogEntry) -> None:
        MailLogItem(mail_log_pk(entry.project_id), mail_log_sk(entry.received_at, entry.id)).delete()


def _to_log_item(entry: MailLogEntry) -> MailLogItem:
    return MailLogItem(mail_log_pk(entry.project_id), mail_log_sk(entry.received_at, entry.id), entry_id=entry.id,
                       project_id=entry.project_id, object_key=entry.key, sender=entry.sender, subject=entry.subject,
                       status=entry.status, reasons=list(entry.reasons), received_at=entry.received_at,
                       ticket_id=entry.ticket_id)


def _to_log_entry(item: MailLogItem) -> MailLogEntry:
    return MailLogEntry(id=item.entry_id, project_id=item.project_id, key=item.object_key, sender=item.sender or "",
                        subject=item.subject or "", status=item.status, reasons=tuple(item.reasons or ()),
                        received_at=item.received_at, ticket_id=item.ticket_id)
