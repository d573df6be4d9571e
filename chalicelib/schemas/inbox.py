"""Request and response shapes of a person's inbox."""
from typing import Any

from pydantic import BaseModel, Field

from chalicelib.schemas.common import Strict


class InboxQuery(Strict):
    archived: bool = Field(default=False, description="true: the archived entries instead of the inbox")
    limit: int = Field(default=50, ge=1, le=100)
    cursor: str | None = Field(default=None, max_length=2048)


class InboxSummary(BaseModel):
    """What happened on the ticket since the entry was last read (kept, once read, until the next event)."""
    comments: int = Field(description="Comments added")
    changes: dict[str, Any] = Field(description="Changed fields with their latest value (null: changed, value not "
                                                "shown, e.g. description); also created, deleted, overdue, sla "
                                                "(\"at risk\" or \"breached\"), attachments, comment_edited, "
                                                "comment_deleted")
    mentioned: bool = Field(description="Whether one of the events mentions you")
    events: int = Field(description="Events counted")
    actors: list[str] = Field(description="The latest distinct people who acted (user_id), at most 5, oldest first")
    text: str = Field(description="The summary in words, e.g. \"2 comments, status \u2192 resolved, you were "
                                  "mentioned\"")


class InboxEntryOut(BaseModel):
    ticket_id: str
    project_id: str
    key: str = Field(description="The ticket's key, e.g. OPS-42")
    title: str = Field(description="The ticket's title as of its last event")
    status: str = Field(description="The ticket's status as of its last event (\"deleted\" once deleted)")
    unread: bool
    archived: bool
    updated_at: str = Field(description="When the ticket's last event happened")
    last_read_at: str | None = Field(description="When the entry was last marked read")
    first_unread: str | None = Field(description="The history entry id of the first unread event: the ticket page "
                                                 "scrolls to its timeline element event-<id>")
    summary: InboxSummary


class InboxPage(BaseModel):
    data: list[InboxEntryOut] = Field(description="Newest event first; cursor continues it")
    cursor: str | None
    unread: int = Field(description="Unread entries in the projects this list covers")


class InboxUnread(BaseModel):
    unread: int = Field(description="Unread entries across the projects the credentials reach")
    projects: dict[str, int] = Field(description="Unread entries by project id (projects with none are left out)")


class InboxReadAll(BaseModel):
    marked: int = Field(description="How many entries were marked read")
    more: bool = Field(description="Unread entries are left (a call marks at most 300): call again")
