"""Which addresses were already emailed about a ticket event, so that a replayed batch mails no one twice."""
from pynamodb.exceptions import DoesNotExist

from chalicelib.adapters.dynamodb import models
from chalicelib.adapters.dynamodb.keys import NOTIFIED_SK, notified_pk
from chalicelib.adapters.dynamodb.models import NotifiedItem


class DynamoNotified:
    def __init__(self):
        models.bind()

    def notified(self, event_id: str) -> frozenset[str]:
        """The addresses already emailed about an event."""
        try:
            item = NotifiedItem.get(notified_pk(event_id), NOTIFIED_SK, consistent_read=True)
        except DoesNotExist:
            return frozenset()
        return frozenset(item.sent_to or ())

    def record_notified(self, event_id: str, addresses: list[str], expires_at: int) -> None:
        """Adds to the event's sent addresses; ADD makes a repeated record harmless."""
        item = NotifiedItem(notified_pk(event_id), NOTIFIED_SK)
        item.update(actions=[NotifiedItem.sent_to.add(set(addresses)), NotifiedItem.expires_at.set(expires_at),
                             NotifiedItem.kind.set(NotifiedItem)])
