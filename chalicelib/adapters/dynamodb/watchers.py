"""A ticket's watchers, in a partition of their own (pk `WATCHERS#<ticket id>`, sk the watcher), so
that the ticket detail's Query never reads them. Those watching carry the key of the watched-tickets
index (`by_watcher`), which `watching=` searches read."""
from pynamodb.exceptions import PutError

from chalicelib.adapters.dynamodb import models
from chalicelib.adapters.dynamodb.keys import scoped, watchers_pk
from chalicelib.adapters.dynamodb.models import WatcherItem
from chalicelib.domain.watching import Watcher


class DynamoWatchers:
    def __init__(self):
        models.bind()

    def watchers(self, ticket_id: str) -> list[Watcher]:
        """Every watcher of the ticket, whatever their state, in one Query (pages aside)."""
        return [to_watcher(item) for item in WatcherItem.query(watchers_pk(ticket_id), consistent_read=True)]

    def add_watchers(self, watchers: list[Watcher]) -> list[Watcher]:
        """Adds each watcher the ticket has no item for; one it has (watching or not) is left as it
        is, which is how an unsubscribe outlives the events that would subscribe again. Returns
        those added."""
        added = []
        for watcher in watchers:
            try:
                to_item(watcher).save(condition=WatcherItem.pk.does_not_exist())
            except PutError as error:
                if error.cause_response_code != "ConditionalCheckFailedException":
                    raise
                continue
            added.append(watcher)
        return added

    def save_watcher(self, watcher: Watcher) -> None:
        """Writes a watcher as a person decided it (subscribing, unsubscribing), over any before."""
        to_item(watcher).save()


def to_item(watcher: Watcher) -> WatcherItem:
    person = watcher.watching and not watcher.is_team
    return WatcherItem(watchers_pk(watcher.ticket_id), watcher.watcher, ticket_id=watcher.ticket_id,
                       project_id=watcher.project_id, watcher=watcher.watcher, state=watcher.state,
                       reason=watcher.reason, added_by=watcher.added_by, since=watcher.since,
                       created_key=watcher.created_key,
                       watcher_idx=scoped(watcher.project_id, watcher.watcher) if person else None)


def to_watcher(item: WatcherItem) -> Watcher:
    return Watcher(ticket_id=item.ticket_id, project_id=item.project_id, watcher=item.watcher, state=item.state,
                   reason=item.reason, added_by=item.added_by, since=item.since, created_key=item.created_key)
