"""A ticket's comments, in its item collection (sk `CMT#<timestamp>#<id>`). Each is written with
its COMMENT_ADDED history entry by the tickets writer, in the same transaction (and so are its
edits and its deletion, with theirs); this module reads them, merged with the entries of comments
made before comments had items of their own, and builds their items."""
from itertools import islice
from typing import Iterator

from chalicelib.adapters.dynamodb import models
from chalicelib.adapters.dynamodb.history import to_history
from chalicelib.adapters.dynamodb.keys import COMMENT_SK_PREFIX, HISTORY_SK_PREFIX, comment_sk, history_sk, ticket_pk
from chalicelib.adapters.dynamodb.models import CommentItem, HistoryItem
from chalicelib.domain import comments
from chalicelib.domain.comments import Comment, Revision
from chalicelib.domain.tickets import Events

# Above every character of a position (timestamp#id, ASCII): the end of a prefix's key range.
_PAST_EVERY_POSITION = "\uffff"
# History entries per Query page when only the COMMENT_ADDED ones are kept: a ticket changed
# often has few comments among many entries.
HISTORY_PAGE_SIZE = 100


class DynamoComments:
    def __init__(self):
        models.bind()

    def comment_page(self, ticket_id: str, after: str | None, limit: int) -> tuple[list[Comment], str | None]:
        """Up to `limit` comments, oldest first, after the position `after` (none: from the first);
        and the position to continue after, when there are more. Two Queries: the comment items and
        the COMMENT_ADDED entries, each read from `after` on."""
        stored = (to_comment(item) for item in _after(CommentItem, COMMENT_SK_PREFIX, ticket_id, after, limit + 1))
        recorded = (recorded_comment(item) for item in _after(
            HistoryItem, HISTORY_SK_PREFIX, ticket_id, after, max(limit + 1, HISTORY_PAGE_SIZE),
            filter_condition=HistoryItem.event == Events.COMMENT_ADDED))
        page = list(islice(comments.merged(stored, recorded), limit + 1))
        more = page[limit - 1].position if len(page) > limit else None
        return page[:limit], more

    def comment(self, ticket_id: str, comment_id: str) -> Comment | None:
        """One comment by its id: a Query of the ticket's comment items (their keys start with the
        comment's time, which the id does not tell), then, for a comment made before comment items,
        of its COMMENT_ADDED entries."""
        for item in CommentItem.query(ticket_pk(ticket_id), CommentItem.sk.startswith(COMMENT_SK_PREFIX),
                                      filter_condition=CommentItem.comment_id == comment_id, consistent_read=True):
            return to_comment(item)
        for item in HistoryItem.query(ticket_pk(ticket_id), HistoryItem.sk.startswith(HISTORY_SK_PREFIX),
                                      filter_condition=(HistoryItem.entry_id == comment_id)
                                      & (HistoryItem.event == Events.COMMENT_ADDED), consistent_read=True):
            return recorded_comment(item)
        return None

    def every_comment(self, ticket_id: str) -> Iterator[Comment]:
        """All of a ticket's comments as they are now, oldest first (for the search index, which
        rebuilds a ticket's comment words after an edit or a deletion)."""
        after = None
        while True:
            page, after = self.comment_page(ticket_id, after, 100)
            yield from page
            if after is None:
                return


def _after(model, prefix: str, ticket_id: str, after: str | None, page_size: int, **options) -> Iterator:
    lower = prefix + (after or "")
    results = model.query(ticket_pk(ticket_id), model.sk.between(lower, prefix + _PAST_EVERY_POSITION),
                          scan_index_forward=True, page_size=page_size, consistent_read=True, **options)
    # BETWEEN includes `after` itself: that comment ended the previous page.
    return (item for item in results if after is None or item.sk != lower)


def to_comment_item(comment: Comment) -> CommentItem:
    return CommentItem(
        ticket_pk(comment.ticket_id), comment_sk(comment.created_at, comment.id), comment_id=comment.id,
        ticket_id=comment.ticket_id, project_id=comment.project_id, author=comment.author, body=comment.body,
        created_at=comment.created_at, edited_at=comment.edited_at,
        revisions=[{"body": r.body, "edited_at": r.edited_at, "edited_by": r.edited_by} for r in comment.revisions]
        or None,
        visibility=comments.entry_visibility(comment.visibility), via=comment.via,
        mentions=list(comment.mentions) or None,
        version=comment.version or None, deleted_at=comment.deleted_at, deleted_by=comment.deleted_by,
        edit_entries=[HISTORY_SK_PREFIX + position for position in comment.edit_entries] or None,
    )


def to_comment(item: CommentItem) -> Comment:
    return Comment(
        id=item.comment_id, ticket_id=item.ticket_id, project_id=item.project_id, author=item.author,
        body=item.body, created_at=item.created_at, edited_at=item.edited_at,
        revisions=tuple(Revision(r["body"], r["edited_at"], r["edited_by"]) for r in item.revisions or ()),
        visibility=item.visibility or comments.INTERNAL, via=item.via, mentions=tuple(item.mentions or ()),
        version=int(item.version or 0), deleted_at=item.deleted_at, deleted_by=item.deleted_by,
        edit_entries=tuple(sk.removeprefix(HISTORY_SK_PREFIX) for sk in item.edit_entries or ()),
    )


def recorded_comment(item: HistoryItem) -> Comment:
    """The comment a COMMENT_ADDED entry records (all there is of a comment made before comment
    items existed)."""
    return comments.recorded_by(to_history(item))


def new_comment_condition():
    """A comment is written once, as its entry is."""
    return CommentItem.pk.does_not_exist()


def unchanged_comment_condition(comment: Comment):
    """The comment is still as it was read: at its version and not deleted. At version 0 its item
    may also be missing (a comment made before comment items, which its first edit writes)."""
    if comment.version:
        return (CommentItem.version == comment.version) & CommentItem.deleted_at.does_not_exist()
    return CommentItem.pk.does_not_exist() | (CommentItem.version.does_not_exist()
                                              & CommentItem.deleted_at.does_not_exist())


def check_fits(*items) -> None:
    """Refuses an edit before anything is written when DynamoDB would refuse one of its items for
    its size: the comment's item keeps every earlier text, and the edit's entry the text before
    and after it and the ticket."""
    if any(models.item_bytes(item) > models.MAX_ITEM_BYTES for item in items):
        raise comments.CommentTooLarge()


def entry_sk(position: str) -> str:
    """The sk of the history entry at `position` (domain.comments.entry_position)."""
    return HISTORY_SK_PREFIX + position

