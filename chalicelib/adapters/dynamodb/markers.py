"""The markers the sweeps read: one overdue marker per ticket with a due date (sk `DUE`) and one
SLA marker per target (sk `SLA#<target>`), in the `by_due` index while something may fire. The
ticket writer arms and disarms them in its own transactions (`arm_due`, `disarm_due`,
`sla_marker`, `rearm_sla`); the sweeps fire them here, each once."""
from pynamodb.exceptions import UpdateError

from chalicelib.adapters.dynamodb import models
from chalicelib.adapters.dynamodb import history
from chalicelib.adapters.dynamodb.keys import (
    DUE_SK,
    TICKET_SK,
    due_key,
    due_shard,
    due_shards,
    sla_marker_key,
    sla_marker_sk,
    sla_shard,
    sla_shards,
    ticket_pk,
)
from chalicelib.adapters.dynamodb.models import DueItem, HistoryItem, SlaMarkerItem, TicketItem
from chalicelib.domain import sla as slas
from chalicelib.domain.sla import SlaMarker
from chalicelib.domain.tickets import HistoryEntry, StaleTicket, Ticket


class DynamoMarkers:
    def __init__(self):
        models.bind()

    def overdue(self, now: str) -> list[tuple[str, str]]:
        """(ticket id, due date) of armed tickets whose due date has passed."""
        found = []
        for shard in due_shards():
            for item in DueItem.by_due.query(shard, DueItem.due_key < now):
                found.append((item.ticket_id, item.due_date))
        return found

    def fire_overdue(self, ticket: Ticket, entry: HistoryEntry) -> None:
        """Records the overdue event once: the marker leaves the index in the same transaction,
        and only if the ticket is still open with that due date."""
        marker = DueItem(ticket_pk(ticket.id), DUE_SK)
        with _transaction() as tx:
            tx.update(marker, actions=[DueItem.due_shard.remove(), DueItem.due_key.remove()],
                      condition=DueItem.due_shard.exists() & (DueItem.due_date == ticket.due_date))
            tx.condition_check(TicketItem, ticket_pk(ticket.id), TICKET_SK,
                               condition=TicketItem.deleted_at.does_not_exist()
                               & (TicketItem.due_date == ticket.due_date) & (TicketItem.status == ticket.status))
            tx.save(history.to_history_item(entry), condition=HistoryItem.pk.does_not_exist())

    def sla_markers_due(self, now: str) -> list[SlaMarker]:
        """The SLA markers whose next moment has come, from every shard of the sweep's index."""
        found = []
        for shard in sla_shards():
            for item in SlaMarkerItem.by_due.query(shard, SlaMarkerItem.due_key < now):
                found.append(SlaMarker(item.ticket_id, item.target, item.due_key, item.at_risk_fired,
                                       item.breached_fired))
        return found

    def move_sla_marker(self, ticket: Ticket, marker: SlaMarker, next_moment: str | None) -> None:
        """Moves a marker on without firing (a ticket changed since it was armed), unless it
        moved meanwhile."""
        actions = _marker_key_actions(ticket, marker.target, next_moment)
        try:
            SlaMarkerItem(ticket_pk(ticket.id), sla_marker_sk(marker.target)).update(
                actions=actions, condition=SlaMarkerItem.due_key == marker.due_key)
        except UpdateError as error:
            if error.cause_response_code != "ConditionalCheckFailedException":
                raise

    def fire_sla(self, ticket: Ticket, marker: SlaMarker, fired: str, next_moment: str | None,
                 entry: HistoryEntry) -> None:
        """Records an SLA event once: `fired` (at_risk_fired or breached_fired, and at_risk_fired
        too for a breach) is set only if it was not, the marker moves to its next moment (or leaves
        the index), and the ticket must be as read. Raises StaleTicket otherwise."""
        marker_item = SlaMarkerItem(ticket_pk(ticket.id), sla_marker_sk(marker.target))
        flags = ["at_risk_fired"] if fired == "at_risk_fired" else ["breached_fired", "at_risk_fired"]
        actions = _marker_key_actions(ticket, marker.target, next_moment)
        condition = (SlaMarkerItem.due_key == marker.due_key) & getattr(SlaMarkerItem, fired).does_not_exist()
        for flag in flags:
            if flag == fired or getattr(marker, flag) is None:
                actions.append(getattr(SlaMarkerItem, flag).set(entry.timestamp))
        with _transaction() as tx:
            tx.update(marker_item, actions=actions, condition=condition)
            tx.condition_check(TicketItem, ticket_pk(ticket.id), TICKET_SK,
                               condition=TicketItem.deleted_at.does_not_exist() & (TicketItem.version == ticket.version))
            tx.save(history.to_history_item(entry), condition=HistoryItem.pk.does_not_exist())


def _transaction():
    return models.Transaction(StaleTicket("the ticket was changed or removed by another request"))


def is_armed(ticket: Ticket) -> bool:
    """An open ticket with a due date has an overdue event to come."""
    return ticket.due_date is not None and ticket.is_open


def due_item(ticket: Ticket) -> DueItem:
    return DueItem(ticket_pk(ticket.id), DUE_SK, ticket_id=ticket.id, project_id=ticket.project_id,
                   due_date=ticket.due_date, due_shard=due_shard(ticket.id),
                   due_key=due_key(ticket.due_date, ticket.id))


def due_marker(ticket_id: str) -> DueItem:
    """The overdue marker's key alone, to delete it."""
    return DueItem(ticket_pk(ticket_id), DUE_SK)


def sla_marker(ticket: Ticket, mark: slas.Mark) -> SlaMarkerItem:
    return SlaMarkerItem(ticket_pk(ticket.id), sla_marker_sk(mark.target), ticket_id=ticket.id,
                         project_id=ticket.project_id, target=mark.target, due_shard=sla_shard(ticket.id),
                         due_key=sla_marker_key(ticket.id, mark.target, mark.at_risk_at))


def sla_marker_of(ticket_id: str, target: str) -> SlaMarkerItem:
    """A target's marker's key alone, to delete it."""
    return SlaMarkerItem(ticket_pk(ticket_id), sla_marker_sk(target))


def _marker_key_actions(ticket: Ticket, target: str, moment: str | None) -> list:
    """Sets the marker's identity (an update may be its first write) and puts it in the sweep's
    index at `moment`, or takes it out."""
    actions = [SlaMarkerItem.kind.set(SlaMarkerItem), SlaMarkerItem.ticket_id.set(ticket.id),
               SlaMarkerItem.project_id.set(ticket.project_id), SlaMarkerItem.target.set(target)]
    if moment is None:
        return actions + [SlaMarkerItem.due_shard.remove(), SlaMarkerItem.due_key.remove()]
    return actions + [SlaMarkerItem.due_shard.set(sla_shard(ticket.id)),
                      SlaMarkerItem.due_key.set(sla_marker_key(ticket.id, target, moment))]


def rearm_sla(tx: models.Transaction, ticket: Ticket, target: str, mark: slas.Mark | None) -> None:
    """From the target's at-risk moment (the sweep passes over what already fired)."""
    tx.update(sla_marker_of(ticket.id, target),
              actions=_marker_key_actions(ticket, target, mark.at_risk_at if mark else None))
