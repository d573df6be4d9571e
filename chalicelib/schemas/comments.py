"""Request and response shapes of a ticket's comments."""
from typing import Literal

from pydantic import BaseModel, Field

from chalicelib.schemas.common import Strict


class CommentCreate(Strict):
    comment: str = Field(min_length=1, max_length=65536,
                         description="Markdown. Mention a member with <@USER_ID> (or @ and their email address) and a "
                                     "team with <@team:TEAM_ID>; at most 20 different ones. Other tokens are kept "
                                     "as plain text")


class CommentsQuery(Strict):
    limit: int = Field(default=50, ge=1, le=100)
    cursor: str | None = Field(default=None, max_length=2048)


class CommentOut(BaseModel):
    id: str = Field(description="The id of the comment's COMMENT_ADDED history entry")
    ticket_id: str
    author: str = Field(description="Who commented, as history's changed_by records it")
    body: str
    created_at: str
    edited_at: str | None = Field(description="When the comment was last edited; null if never")
    visibility: Literal["public"] = Field(description="Who may read the comment: everyone who may read the ticket")
    mentions: list[str] = Field(description="Whom the comment mentions, in the order first mentioned: user_id, "
                                            "and team:<team_id> for a team")


class CommentPage(BaseModel):
    data: list[CommentOut] = Field(description="Oldest first; cursor continues it")
    cursor: str | None
