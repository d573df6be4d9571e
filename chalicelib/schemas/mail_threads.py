"""Response shapes of a ticket's email thread."""
from pydantic import BaseModel, Field


class RequesterOut(BaseModel):
    email: str = Field(description="Lowercased")
    name: str | None = Field(description="As their latest message gave it; null when not known")
    bounced_at: str | None = Field(description="When mail to them last bounced; null if it never did")


class AutoReplyOut(BaseModel):
    from_: str = Field(alias="from", description="Who answered automatically (an out-of-office, an autoresponder)")
    subject: str
    at: str = Field(description="When the answer came")


class MailThreadOut(BaseModel):
    requester: RequesterOut | None = Field(description="Whom public comments are mailed to; null for a ticket that "
                                                       "did not come by email")
    cc: list[str] = Field(description="Who else public comments are mailed to (copied on the thread), lowercased")
    reply_address: str = Field(description="The ticket's own address: mail to it becomes a comment on this ticket. "
                                           "Ticket email carries it as Reply-To")
    auto_replies: list[AutoReplyOut] = Field(description="Automatic answers to the thread's mail, oldest first (at "
                                                         "most 20): listed here, never made comments")
