"""A ticket's history entries, in its item collection (sk `EVT#<timestamp>#<id>`). Entries are
written by the writers of the change they record (tickets, markers, attachments), in the same
transaction; this module reads them and builds their items."""
from chalicelib.adapters.dynamodb import models
from chalicelib.adapters.dynamodb.keys import HISTORY_SK_PREFIX, history_sk, ticket_pk
from chalicelib.adapters.dynamodb.models import HistoryItem
from chalicelib.domain.tickets import HistoryEntry


class DynamoHistory:
    def __init__(self):
        models.bind()

    def history(self, ticket_id: str, event: str | None, limit: int,
                after_sk: str | None) -> tuple[list[HistoryEntry], str | None]:
        """A page of history, newest first; returns the sk to continue after, if more exist."""
        if after_sk:
            # BETWEEN includes after_sk itself; that entry was the last of the previous page.
            condition = HistoryItem.sk.between(HISTORY_SK_PREFIX, after_sk)
        else:
            condition = HistoryItem.sk.startswith(HISTORY_SK_PREFIX)
        filter_condition = (HistoryItem.event == event) if event else None
        results = HistoryItem.query(
            ticket_pk(ticket_id), range_key_condition=condition, filter_condition=filter_condition,
            scan_index_forward=False, page_size=limit + 1, consistent_read=True,
        )
        page: list[HistoryItem] = []
        for item in results:
            if item.sk == after_sk:
                continue
            page.append(item)
            if len(page) > limit:
                break
        more = page[limit - 1].sk if len(page) > limit else None
        return [to_history(item) for item in page[:limit]], more


def to_history_item(entry: HistoryEntry) -> HistoryItem:
    return HistoryItem(
        ticket_pk(entry.ticket_id), history_sk(entry.timestamp, entry.id), entry_id=entry.id,
        ticket_id=entry.ticket_id, project_id=entry.project_id, event=entry.event, timestamp=entry.timestamp,
        changed_by=entry.changed_by, changes=entry.changes, comment=entry.comment, ticket=entry.ticket,
        comment_id=entry.comment_id, about_comment=entry.about_comment, visibility=entry.visibility, via=entry.via,
    )


def to_history(item: HistoryItem) -> HistoryEntry:
    return HistoryEntry(
        id=item.entry_id, ticket_id=item.ticket_id, project_id=item.project_id, event=item.event,
        timestamp=item.timestamp, changed_by=item.changed_by, changes=item.changes or {},
        comment=item.comment, ticket=item.ticket, comment_id=item.comment_id, about_comment=item.about_comment,
        visibility=item.visibility, via=item.via,
    )


def new_entry_condition():
    """An entry is written once: a second write of the same id and moment fails the transaction."""
    return HistoryItem.pk.does_not_exist()


def history_from_stream_image(image: dict) -> HistoryEntry | None:
    """The history entry a stream record's NewImage holds, or None for any other kind of item."""
    kind = image.get("kind", {}).get("S")
    if kind != "history":
        return None
    return to_history(HistoryItem.from_raw_data(image))
