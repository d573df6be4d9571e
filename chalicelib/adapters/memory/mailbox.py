"""The email channel's directory items in memory (addresses, the mail log), with the same
conditions and orders as adapters/dynamodb/mailbox.py."""
from dataclasses import replace
from typing import Iterable

from chalicelib.adapters.dynamodb.keys import mail_log_sk
from chalicelib.adapters.memory.store import MemoryRepository
from chalicelib.domain.mailbox import QUARANTINED, RELEASED, MailLogEntry, received_at_of
from chalicelib.errors import Conflict


class MemoryMailbox(MemoryRepository):
    # ---- addresses ---------------------------------------------------------------------------

    def address_owners(self, addresses: Iterable[str]) -> dict[str, str]:
        return {address: self.store.mail_addresses[address] for address in dict.fromkeys(addresses)
                if address in self.store.mail_addresses}

    def claim_address(self, address: str, project_id: str) -> str:
        return self.store.mail_addresses.setdefault(address, project_id)

    # ---- the mail log ------------------------------------------------------------------------

    def log_mail(self, entry: MailLogEntry) -> None:
        self.store.mail_log[(entry.project_id, mail_log_sk(entry.received_at, entry.id))] = entry

    def mail_log_entry(self, project_id: str | None, entry_id: str) -> MailLogEntry | None:
        received_at = received_at_of(entry_id)
        if received_at is None:
            return None
        return self.store.mail_log.get((project_id, mail_log_sk(received_at, entry_id)))

    def mail_log_page(self, project_id: str | None, status: str | None, limit: int,
                      after: str | None) -> tuple[list[MailLogEntry], str | None]:
        found = sorted(((sk, entry) for (pid, sk), entry in self.store.mail_log.items()
                        if pid == project_id and (after is None or sk < after)
                        and (status is None or entry.status == status)), key=lambda pair: pair[0], reverse=True)
        page = found[:limit + 1]
        more = page[limit - 1][0] if len(page) > limit else None
        return [entry for _, entry in page[:limit]], more

    def release_mail_log_entry(self, entry: MailLogEntry, ticket_id: str) -> None:
        position = (entry.project_id, mail_log_sk(entry.received_at, entry.id))
        kept = self.store.mail_log.get(position)
        if kept is None or kept.status != QUARANTINED:
            raise Conflict("the entry was released or deleted meanwhile")
        self.store.mail_log[position] = replace(kept, status=RELEASED, ticket_id=ticket_id)

    def delete_mail_log_entry(self, entry: MailLogEntry) -> None:
        self.store.mail_log.pop((entry.project_id, mail_log_sk(entry.received_at, entry.id)), None)
