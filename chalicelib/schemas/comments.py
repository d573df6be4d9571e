"""Request and response shapes of a ticket's comments."""
from typing import Annotated, Literal

from pydantic import BaseModel, Field, StringConstraints

from chalicelib.schemas.common import Strict, omittable


class CommentCreate(Strict):
    comment: str = Field(min_length=1, max_length=65536,
                         description="Markdown. Mention a member with <@USER_ID> (or @ and their email address) and a "
                                     "team with <@team:TEAM_ID>; at most 20 different ones. Other tokens are kept "
                                     "as plain text")
    visibility: Literal["internal", "public"] = Field(
        default="internal", description="internal: a note only the team sees (never mailed to the requester); "
                                        "public: a reply on the email thread, mailed to the ticket's requester and "
                                        "those on its CC (409 `no_requester` for a ticket without one)")


class CommentEdit(Strict):
    comment: str = Field(min_length=1, max_length=65536,
                         description="The comment's new text (Markdown, with mentions as in a new comment); those "
                                     "it newly mentions are told")


class CommentEditHeaders(BaseModel):
    # Required, but read as optional: its absence is answered 428 (precondition_required), not 400.
    model_config = {"json_schema_extra": {"required": ["If-Match"]}}
    if_match: Annotated[str, StringConstraints(min_length=1, max_length=255)] | None = omittable(
        'The ETag of the comment as read (`"2"`; also weak, `W/"2"`), several separated by commas, or `*`. '
        "Missing: 428; when none is the comment's version, nothing is written and the answer is 412",
        alias="If-Match")


class CommentDeleteHeaders(BaseModel):
    if_match: Annotated[str, StringConstraints(min_length=1, max_length=255)] | None = omittable(
        "The ETag of the comment as read; when none is its version, nothing is deleted and the answer is 412",
        alias="If-Match")


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
    visibility: Literal["internal", "public"] = Field(
        description="internal: a note only the team sees; public: a reply on the email thread, mailed to the "
                    "requester and those on the ticket's CC. Edits keep it")
    via: Literal["email"] | None = Field(description="`email` when the comment came by email; else null")
    mentions: list[str] = Field(description="Whom the comment mentions, in the order first mentioned: user_id, "
                                            "and team:<team_id> for a team")
    version: int = Field(description="Edits made (0 for a comment never edited): its ETag is this number in quotes")
    deleted_at: str | None = Field(description="When the comment was deleted (its body is then empty); null if not")
    deleted_by: str | None = Field(description="Who deleted it (its author or an admin); null if not deleted")


class CommentPage(BaseModel):
    data: list[CommentOut] = Field(description="Oldest first; cursor continues it")
    cursor: str | None


class RevisionOut(BaseModel):
    body: str = Field(description="A text the comment had before an edit replaced it")
    edited_at: str = Field(description="When that text was written: the comment's creation, or an edit")
    edited_by: str


class RevisionList(BaseModel):
    data: list[RevisionOut] = Field(description="Oldest first, the comment's current text not included (it is the "
                                                "comment itself); empty for a comment never edited, or deleted")
