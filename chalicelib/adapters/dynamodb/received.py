"""The marks of received messages that were ticketed (pk `INMAIL#<project id>#<hash>`), each
written by the ticket writes (adapters/dynamodb/tickets.py) in the transaction that ticketed its
message, on condition that it is new: a message is ticketed once however often it is delivered."""
import time

from pynamodb.exceptions import DoesNotExist

from chalicelib.adapters.dynamodb import models
from chalicelib.adapters.dynamodb.keys import RECEIVED_MARK_SK
from chalicelib.adapters.dynamodb.models import ReceivedMarkItem
from chalicelib.domain.mailbox import ReceivedMark

# Long past any redelivery of the message; then the table's TTL removes the mark.
RECEIVED_MARK_SECONDS = 400 * 24 * 3600


class DynamoReceivedMarks:
    def __init__(self):
        models.bind()

    def received_mark(self, key: str) -> ReceivedMark | None:
        try:
            item = ReceivedMarkItem.get(key, RECEIVED_MARK_SK, consistent_read=True)
        except DoesNotExist:
            return None
        return ReceivedMark(key=key, ticket_id=item.ticket_id, new_ticket=bool(item.new_ticket))


def claim_received(tx: models.Transaction, mark: ReceivedMark | None) -> None:
    """Adds the mark to a ticket write; the transaction fails if the message was ticketed already."""
    if mark is None:
        return
    tx.save(ReceivedMarkItem(mark.key, RECEIVED_MARK_SK, ticket_id=mark.ticket_id, new_ticket=mark.new_ticket,
                             expires_at=int(time.time()) + RECEIVED_MARK_SECONDS),
            condition=ReceivedMarkItem.pk.does_not_exist())
