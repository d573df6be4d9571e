"""Request and response shapes of the email channel: a project's email settings, its mail log and
its contacts."""
from typing import Annotated, Literal

from pydantic import BaseModel, Field, StringConstraints

from chalicelib.schemas.common import INVISIBLE_CLASS, NOT_BLANK, Strict, omittable

ReplyToClosed = Literal["reopen", "follow_up"]
MailLogStatus = Literal["quarantined", "failed", "ignored", "released"]
Acknowledgement = Annotated[str, StringConstraints(min_length=1, max_length=2000), *NOT_BLANK]
# An address with no space, control or invisible character (\x85 named: a space to pydantic's
# regex, not to ECMA's), so that the document says which strings can be one.
_ADDRESS_CHAR = rf"[^@\s\x00-\x1f\x7f\x85{INVISIBLE_CLASS}]"
Alias = Annotated[str, StringConstraints(min_length=3, max_length=254,
                                         pattern=rf"^{_ADDRESS_CHAR}+@{_ADDRESS_CHAR}+\.{_ADDRESS_CHAR}+$")]


class EmailSettingsOut(BaseModel):
    """How the project receives email and answers it."""
    address: str | None = Field(description="The project's own address (its key in lower case at the deployment's "
                                            "mail domain); null while another project holds that address")
    aliases: list[str] = Field(description="Further addresses whose mail the project receives (forwarded to it)")
    reply_to_closed: ReplyToClosed = Field(description="What an email reply to a closed or canceled ticket does: "
                                                       "reopen it, or start a follow-up ticket that names it")
    acknowledge: bool = Field(description="Whether a new request by email is answered with the acknowledgement "
                                          "(at most once an hour per sender, never to automatic mail)")
    acknowledgement: str = Field(description="The acknowledgement's text; {key} and {title} stand for the new "
                                             "ticket's key and title")


class EmailSettingsPatch(Strict):
    """Settings left out keep their value."""
    aliases: Annotated[list[Alias], Field(max_length=10)] | None = omittable(
        description="Every alias the project is to have (the list replaces the one it had): full addresses, at most "
                    "10; an address another project has is refused (409 address_taken)")
    reply_to_closed: ReplyToClosed | None = omittable()
    acknowledge: bool | None = omittable()
    acknowledgement: Acknowledgement | None = omittable(description="{key} and {title} are replaced; at most 2000 "
                                                                    "characters")


class MailLogQuery(Strict):
    status: MailLogStatus | None = Field(default=None, description="Only entries with this status")
    limit: int = Field(default=50, ge=1, le=100)
    cursor: str | None = Field(default=None, max_length=2048)


class MailLogEntryOut(BaseModel):
    id: str
    sender: str = Field(description="The From address, lower case")
    subject: str
    status: MailLogStatus = Field(description="quarantined: a verdict failed (spam, virus, SPF, DKIM or DMARC); "
                                              "failed: the message could not be read; ignored: automatic or bulk "
                                              "mail, a bounce, or mail from Ticketry itself; released: ticketed "
                                              "by an admin's release")
    reasons: list[str] = Field(description="Why, in words (e.g. `spam: FAIL`, `bulk`)")
    received_at: str
    ticket_id: str | None = Field(description="The ticket its release made or added to; null otherwise")


class MailLogPage(BaseModel):
    data: list[MailLogEntryOut] = Field(description="Newest first; cursor continues it")
    cursor: str | None


class ContactsQuery(Strict):
    limit: int = Field(default=50, ge=1, le=100)
    cursor: str | None = Field(default=None, max_length=2048)


class ContactOut(BaseModel):
    email: str = Field(description="Lower case; as an actor, a contact is `contact:<email>`")
    name: str = Field(description="The display name of their latest message; may be empty")
    created_at: str = Field(description="When their first message came")
    last_message_at: str
    bounced_at: str | None = Field(description="When mail to them last bounced; null if it never did")
    bounce_reason: str | None


class ContactPage(BaseModel):
    data: list[ContactOut] = Field(description="By email address; cursor continues it")
    cursor: str | None
