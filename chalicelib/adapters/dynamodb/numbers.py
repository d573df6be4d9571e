"""The guards that point a project's ticket number, and its dedup key, at a ticket. Both are
written by the ticket writer in the ticket's own transaction (`number_guard`, `dedup_claim`)."""
from itertools import islice
from typing import Iterable

from pynamodb.exceptions import DoesNotExist

from chalicelib.adapters.dynamodb import models
from chalicelib.adapters.dynamodb.keys import DEDUP_SK, NUMBER_SK, dedup_pk, number_of, number_pk
from chalicelib.adapters.dynamodb.models import DedupGuardItem, NumberGuardItem, TicketItem
from chalicelib.domain.tickets import Ticket

BATCH_GET_LIMIT = 100  # keys per BatchGetItem call


class DynamoNumbers:
    def __init__(self):
        models.bind()

    def dedup_owner(self, project_id: str, dedup_key: str) -> str | None:
        try:
            return DedupGuardItem.get(dedup_pk(project_id, dedup_key), DEDUP_SK, consistent_read=True).ticket_id
        except DoesNotExist:
            return None

    def ticket_id_for_number(self, project_id: str, number: int) -> str | None:
        """The id of the project's ticket with this number, deleted or not."""
        try:
            return NumberGuardItem.get(number_pk(project_id, number), NUMBER_SK, consistent_read=True).ticket_id
        except DoesNotExist:
            return None

    def ticket_ids_for_numbers(self, project_id: str, numbers: Iterable[int]) -> dict[int, str]:
        """Number -> ticket id for the numbers of the project that were issued."""
        guards = NumberGuardItem.batch_get([(number_pk(project_id, n), NUMBER_SK) for n in set(numbers)],
                                           consistent_read=True)
        return {number_of(guard.pk): guard.ticket_id for guard in guards}

    def backfill_number_guards(self, project_id: str | None = None, page_size: int = 500) -> tuple[int, int]:
        """Writes the number guard of every ticket (of one project, or of all) that lacks one
        (tickets made before guards existed); returns (tickets seen, guards written). An operator's
        maintenance command: it scans the whole table, page by page. Running it again writes
        nothing new."""
        seen = written = 0
        condition = TicketItem.project_id == project_id if project_id is not None else None
        tickets = TicketItem.scan(condition, page_size=page_size,
                                  attributes_to_get=["pk", "sk", "kind", "ticket_id", "project_id", "number"])
        while chunk := list(islice(tickets, BATCH_GET_LIMIT)):
            seen += len(chunk)
            keys = {(number_pk(item.project_id, int(item.number)), NUMBER_SK): item for item in chunk}
            present = {(guard.pk, guard.sk) for guard in NumberGuardItem.batch_get(list(keys), consistent_read=True,
                                                                                  attributes_to_get=["pk", "sk"])}
            missing = [item for key, item in keys.items() if key not in present]
            # A guard's content follows from its ticket, so writing one twice (a concurrent run)
            # is harmless, and an unconditional batch write is enough.
            with NumberGuardItem.batch_write() as batch:
                for item in missing:
                    batch.save(NumberGuardItem(number_pk(item.project_id, int(item.number)), NUMBER_SK,
                                               ticket_id=item.ticket_id))
            written += len(missing)
        return seen, written


def number_guard(ticket: Ticket) -> NumberGuardItem:
    return NumberGuardItem(number_pk(ticket.project_id, ticket.number), NUMBER_SK, ticket_id=ticket.id)


def claim_number(tx: models.Transaction, ticket: Ticket) -> None:
    # Numbers come from the project's counter, so the guard is new; the condition keeps a number
    # from ever pointing at a second ticket.
    tx.save(number_guard(ticket), condition=NumberGuardItem.pk.does_not_exist())


def dedup_guard(project_id: str, dedup_key: str, ticket_id: str) -> DedupGuardItem:
    return DedupGuardItem(dedup_pk(project_id, dedup_key), DEDUP_SK, ticket_id=ticket_id)


def claim_dedup(tx: models.Transaction, ticket: Ticket, previous_owner: str | None) -> None:
    """Points the ticket's dedup key at it, if no one claimed it since `previous_owner` was read."""
    claim = DedupGuardItem.pk.does_not_exist()
    if previous_owner is not None:
        claim = DedupGuardItem.ticket_id == previous_owner
    tx.save(dedup_guard(ticket.project_id, ticket.dedup_key, ticket.id), condition=claim)
