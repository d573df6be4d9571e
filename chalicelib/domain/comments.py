"""A comment on a ticket: who said what and when, how it is edited (keeping each revision) and
deleted (leaving a placeholder without its text), and how a ticket's comments are listed.

A comment is recorded twice, in one transaction: as itself (what can later be edited, hidden or
mention someone) and as the COMMENT_ADDED history entry that history, events and webhooks show.
Both share their id and moment. Comments made before comments were stored on their own exist only
as their entry; the list of a ticket's comments reads both and takes each comment once.
"""
import heapq
from dataclasses import dataclass, replace
from typing import Iterable, Iterator

from chalicelib.domain import mentions
from chalicelib.domain.people import Principal
from chalicelib.domain.tickets import Events, HistoryEntry
from chalicelib.errors import Conflict, FieldError, Forbidden

# Who a comment is for: the team only (what every comment was before replies by email), or also
# the ticket's requester and those on its CC, to whom it is mailed.
INTERNAL = "internal"
PUBLIC = "public"
VISIBILITIES = (INTERNAL, PUBLIC)
# Edits a comment may have: its deletion then scrubs its text from its COMMENT_ADDED entry and
# every COMMENT_UPDATED entry in one transaction (DynamoDB's 100 actions, with room to spare).
MAX_COMMENT_REVISIONS = 50


class TooManyRevisions(Conflict):
    code = "too_many_revisions"


class CommentDeleted(Conflict):
    code = "comment_deleted"


class NoRequester(Conflict):
    """A public comment (a reply) on a ticket no one is to receive it: no requester."""
    code = "no_requester"

    def __init__(self):
        super().__init__("the ticket has no requester to reply to: add an internal comment instead",
                         [FieldError("visibility", "public needs a ticket with a requester (one that came by email)")])


class CommentTooLarge(Conflict):
    """An edit whose comment (holding every earlier text) or history entry (the text before and
    after, and the ticket) would be larger than the storage takes one item."""
    code = "comment_too_large"

    def __init__(self):
        super().__init__("the comment with its earlier versions would be too large to store: shorten the text, or "
                         "write a new comment", [FieldError("comment", "too large with the comment's earlier versions")])


@dataclass(frozen=True)
class Revision:
    """A text a comment had before an edit replaced it, when it was written (the comment's creation,
    or the edit that wrote it) and by whom."""
    body: str
    edited_at: str
    edited_by: str


@dataclass(frozen=True)
class Comment:
    id: str                       # the id of its COMMENT_ADDED entry
    ticket_id: str
    project_id: str
    author: str                   # the actor, as history records it
    body: str
    created_at: str
    edited_at: str | None = None
    revisions: tuple[Revision, ...] = ()
    visibility: str = INTERNAL
    via: str | None = None        # "email" for a comment that came by email
    mentions: tuple[str, ...] = ()
    version: int = 0              # edits made: the comment's ETag
    deleted_at: str | None = None
    deleted_by: str | None = None
    # The positions (timestamp#id) of its COMMENT_UPDATED entries, which its deletion scrubs.
    edit_entries: tuple[str, ...] = ()

    @property
    def deleted(self) -> bool:
        return self.deleted_at is not None

    @property
    def position(self) -> str:
        """Oldest-first order of a ticket's comments: creation time, ties broken by id (the order
        of their history entries too)."""
        return f"{self.created_at}#{self.id}"


def recorded_by(entry: HistoryEntry) -> Comment:
    """The comment a COMMENT_ADDED entry records: a new comment is made from its entry, and an
    older one, stored only as its entry, is read from it."""
    if entry.event != Events.COMMENT_ADDED:
        raise ValueError(f"a {entry.event} entry records no comment")
    return Comment(id=entry.id, ticket_id=entry.ticket_id, project_id=entry.project_id, author=entry.changed_by,
                   body=entry.comment or "", created_at=entry.timestamp, mentions=mentions.mentioned(entry.comment),
                   visibility=entry.visibility or INTERNAL, via=entry.via)


def check_visibility(visibility: str, requester: str | None) -> None:
    """A reply needs someone to go to: only a ticket with a requester takes a public comment."""
    if visibility == PUBLIC and requester is None:
        raise NoRequester()


def entry_visibility(visibility: str) -> str | None:
    """How a comment's visibility is kept on its entry: internal is the absence of one."""
    return None if visibility == INTERNAL else visibility


def entry_position(entry: HistoryEntry) -> str:
    """Where an entry sits in its ticket's history (timestamp#id), as a comment's position does."""
    return f"{entry.timestamp}#{entry.id}"


def about(comment: Comment) -> dict:
    """What a COMMENT_UPDATED or COMMENT_DELETED entry (and its event) tells of the comment besides
    its text."""
    return {"author": comment.author, "created_at": comment.created_at, "mentions": list(comment.mentions),
            "visibility": comment.visibility, "via": comment.via}


def check_may_edit(comment: Comment, principal: Principal) -> None:
    """Only the author changes what they said, whatever their role (an admin deletes instead)."""
    if comment.author != principal.actor:
        raise Forbidden("only the author of a comment may edit it")
    if comment.deleted:
        raise CommentDeleted("the comment was deleted")


def check_may_delete(comment: Comment, principal: Principal) -> None:
    if comment.author != principal.actor and not principal.is_admin:
        raise Forbidden("only the author of a comment or an admin may delete it")


def edited(comment: Comment, body: str, entry: HistoryEntry, mentions: tuple[str, ...] | None = None) -> Comment:
    """The comment after its edit `entry` (a COMMENT_UPDATED entry) gave it `body`: its text before
    becomes a revision. `mentions` None keeps those it had."""
    if comment.version >= MAX_COMMENT_REVISIONS:
        raise TooManyRevisions(f"a comment may be edited at most {MAX_COMMENT_REVISIONS} times; "
                               "write a new comment instead")
    revision = Revision(body=comment.body, edited_at=comment.edited_at or comment.created_at,
                        edited_by=comment.author)
    return replace(comment, body=body, edited_at=entry.timestamp, revisions=comment.revisions + (revision,),
                   version=comment.version + 1, edit_entries=comment.edit_entries + (entry_position(entry),),
                   mentions=comment.mentions if mentions is None else mentions)


def deleted(comment: Comment, entry: HistoryEntry) -> Comment:
    """The placeholder a deletion (its COMMENT_DELETED `entry`) leaves: who and when, no text."""
    return replace(comment, body="", revisions=(), mentions=(), deleted_at=entry.timestamp,
                   deleted_by=entry.changed_by)


def merged(stored: Iterable[Comment], recorded: Iterable[Comment]) -> Iterator[Comment]:
    """Both lists of one ticket's comments, each oldest first, as one: the comments stored on their
    own, and those their history entries record; a comment in both is the stored one."""
    # At one position, the stored comment comes first and the recorded one is skipped.
    ranked = heapq.merge(((c.position, 0, c) for c in stored), ((c.position, 1, c) for c in recorded))
    last = None
    for position, _, comment in ranked:
        if position != last:
            last = position
            yield comment
