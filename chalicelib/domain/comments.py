"""A comment on a ticket: who said what and when, and how a ticket's comments are listed.

A comment is recorded twice, in one transaction: as itself (what can later be edited, hidden or
mention someone) and as the COMMENT_ADDED history entry that history, events and webhooks show.
Both share their id and moment. Comments made before comments were stored on their own exist only
as their entry; the list of a ticket's comments reads both and takes each comment once.
"""
import heapq
from dataclasses import dataclass
from typing import Iterable, Iterator

from chalicelib.domain import mentions
from chalicelib.domain.tickets import Events, HistoryEntry

PUBLIC = "public"


@dataclass(frozen=True)
class Revision:
    """What a comment said before an edit, and who changed it when."""
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
    visibility: str = PUBLIC
    mentions: tuple[str, ...] = ()

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
                   body=entry.comment or "", created_at=entry.timestamp, mentions=mentions.mentioned(entry.comment))


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
