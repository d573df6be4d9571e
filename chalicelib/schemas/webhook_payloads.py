"""The JSON bodies webhooks deliver, one model per event type: the `webhooks` section of the OpenAPI
document is built from these. The bodies themselves are written by domain.events.TicketEvent.payload
(and the PING of services.webhooks); tests hold each body sent against its model here."""
from typing import Literal

from pydantic import BaseModel, Field

from chalicelib.schemas.common import omittable
from chalicelib.schemas.sla import TargetName
from chalicelib.schemas.tickets import Severity, Status, TicketFields

ACTOR = ("Who made the change: a member's user_id, automation:<name>, contact:<email> (a requester, by email), "
         "or system (the schedule)")


class EventTicket(TicketFields):
    """The whole ticket as the change left it (as it was, for a deletion): a ticket as
    `GET /tickets/{id}` answers it, without its history, attachments and SLA."""
    key: str = Field(description="The project's key and the ticket's number, such as OPS-42")
    version: int = Field(description="Grows by one with every change: an event with a lower version than one "
                                     "already handled is older")


# ---- changes: {field: {old, new}} ------------------------------------------------------------

class TextChange(BaseModel):
    old: str
    new: str


class OptionalTextChange(BaseModel):
    old: str | None
    new: str | None


class StatusChange(BaseModel):
    old: Status
    new: Status


class SeverityChange(BaseModel):
    old: Severity
    new: Severity


class TagsChange(BaseModel):
    old: list[str]
    new: list[str]


class InitialText(BaseModel):
    old: None
    new: str


class InitialOptionalText(BaseModel):
    old: None
    new: str | None


class InitialStatus(BaseModel):
    old: None
    new: Status


class InitialSeverity(BaseModel):
    old: None
    new: Severity


class InitialTags(BaseModel):
    old: None
    new: list[str]


class CreatedChanges(BaseModel):
    """The ticket's first values."""
    title: InitialText
    status: InitialStatus
    severity: InitialSeverity
    assignee: InitialOptionalText
    tags: InitialTags
    due_date: InitialOptionalText


class UpdatedChanges(BaseModel):
    """Only the fields the change really changed; resolved_at follows the status."""
    model_config = {"json_schema_extra": {"minProperties": 1}}
    title: TextChange | None = omittable()
    description: TextChange | None = omittable()
    status: StatusChange | None = omittable()
    severity: SeverityChange | None = omittable()
    due_date: OptionalTextChange | None = omittable()
    assignee: OptionalTextChange | None = omittable()
    tags: TagsChange | None = omittable()
    resolved_at: OptionalTextChange | None = omittable()


class DueDateReached(BaseModel):
    old: str = Field(description="The due date that passed")
    new: str = Field(description="The same due date")


class OverdueChanges(BaseModel):
    due_date: DueDateReached


class ReceivedDuplicate(BaseModel):
    title: str
    severity: Severity
    source: str


class DuplicateReceived(BaseModel):
    old: None
    new: ReceivedDuplicate


class DuplicateChanges(BaseModel):
    received: DuplicateReceived = Field(description="What the absorbed create asked for")


class EventAttachment(BaseModel):
    id: str
    file_name: str
    content_type: str
    size: int = Field(description="Bytes")


class AttachmentAdded(BaseModel):
    old: None
    new: EventAttachment


class AttachmentRemoved(BaseModel):
    old: EventAttachment
    new: None


class AttachmentAddedChanges(BaseModel):
    attachment: AttachmentAdded


class AttachmentRemovedChanges(BaseModel):
    attachment: AttachmentRemoved


class SlaEventDetail(BaseModel):
    target: TargetName
    state: Literal["at_risk", "breached"]
    due_at: str
    at_risk_at: str
    minutes: int | None = Field(description="The time the target allows")
    business_hours: bool | None = Field(description="Whether the target counts business hours only")
    policy_version: int | None = Field(description="The SLA policy the ticket runs under")


class SlaFired(BaseModel):
    old: None
    new: SlaEventDetail


class SlaChanges(BaseModel):
    sla: SlaFired


VISIBILITY = ("internal: a note only the team sees; public: a reply on the email thread, mailed to the requester "
              "and those on the ticket's CC")
VIA = "`email` when the comment came by email; else null"


class EventComment(BaseModel):
    id: str
    body: str = Field(description="Markdown, as written; a mention is a token, `<@USER_ID>` or `<@team:TEAM_ID>`")
    author: str
    created_at: str
    mentions: list[str] = Field(description="Whom the comment mentions, in the order first mentioned: user ids, "
                                            "and team:<team_id> for teams")
    visibility: Literal["internal", "public"] = Field(description=VISIBILITY)
    via: Literal["email"] | None = Field(description=VIA)


class EditedComment(BaseModel):
    id: str = Field(description="The comment's id (that of its COMMENT_ADDED entry)")
    body: str = Field(description="Markdown, as now written")
    author: str
    created_at: str
    edited_at: str = Field(description="When this edit was made")
    mentions: list[str] = Field(description="Who the comment mentions as edited (user_id, or team:<team_id>)")
    visibility: Literal["internal", "public"] = Field(description=VISIBILITY + " (an edit keeps it)")
    via: Literal["email"] | None = Field(description=VIA)


class DeletedComment(BaseModel):
    """A deleted comment: its text is gone everywhere, so the event carries none."""
    id: str
    author: str
    created_at: str
    deleted_at: str
    deleted_by: str = Field(description="The author, or an admin")
    visibility: Literal["internal", "public"] = Field(description=VISIBILITY)
    via: Literal["email"] | None = Field(description=VIA)


class CommentTextChange(BaseModel):
    old: str = Field(description="The text before the edit")
    new: str = Field(description="The text after it")


class CommentEditChanges(BaseModel):
    comment: CommentTextChange


# ---- data: what each event carries -------------------------------------------------------------

class EventData(BaseModel):
    project_id: str
    actor: str = Field(description=ACTOR)
    ticket: EventTicket


class TicketCreatedData(EventData):
    changes: CreatedChanges


class TicketUpdatedData(EventData):
    changes: UpdatedChanges


class CommentAddedData(EventData):
    comment: EventComment


class CommentUpdatedData(EventData):
    changes: CommentEditChanges
    comment: EditedComment


class CommentDeletedData(EventData):
    comment: DeletedComment


class AttachmentAddedData(EventData):
    changes: AttachmentAddedChanges
    attachment: EventAttachment = Field(description="The file added")


class AttachmentRemovedData(EventData):
    changes: AttachmentRemovedChanges
    attachment: EventAttachment = Field(description="The file removed")


class TicketOverdueData(EventData):
    actor: Literal["system"]
    changes: OverdueChanges


class DuplicateReceivedData(EventData):
    changes: DuplicateChanges


class SlaEventData(EventData):
    actor: Literal["system"]
    changes: SlaChanges


class PingData(BaseModel):
    project_id: str
    webhook_id: str = Field(description="The subscription tested")


# ---- the bodies --------------------------------------------------------------------------------

class TicketCreatedEvent(BaseModel):
    """A ticket was created."""
    type: Literal["TICKET_CREATED"]
    timestamp: str
    data: TicketCreatedData


class TicketUpdatedEvent(BaseModel):
    """Fields of a ticket changed."""
    type: Literal["TICKET_UPDATED"]
    timestamp: str
    data: TicketUpdatedData


class TicketDeletedEvent(BaseModel):
    """A ticket was deleted; `ticket` is as it was."""
    type: Literal["TICKET_DELETED"]
    timestamp: str
    data: EventData


class CommentAddedEvent(BaseModel):
    """A comment was added to a ticket."""
    type: Literal["COMMENT_ADDED"]
    timestamp: str
    data: CommentAddedData


class CommentUpdatedEvent(BaseModel):
    """A comment was edited by its author (comment.updated)."""
    type: Literal["COMMENT_UPDATED"]
    timestamp: str
    data: CommentUpdatedData


class CommentDeletedEvent(BaseModel):
    """A comment was deleted by its author or an admin (comment.deleted); its text is not sent."""
    type: Literal["COMMENT_DELETED"]
    timestamp: str
    data: CommentDeletedData


class AttachmentAddedEvent(BaseModel):
    """A file was attached to a ticket."""
    type: Literal["ATTACHMENT_ADDED"]
    timestamp: str
    data: AttachmentAddedData


class AttachmentRemovedEvent(BaseModel):
    """A file was removed from a ticket."""
    type: Literal["ATTACHMENT_REMOVED"]
    timestamp: str
    data: AttachmentRemovedData


class TicketOverdueEvent(BaseModel):
    """The due date passed while the ticket was open (once per due date)."""
    type: Literal["TICKET_OVERDUE"]
    timestamp: str
    data: TicketOverdueData


class DuplicateReceivedEvent(BaseModel):
    """A create with the dedup_key of an open ticket was absorbed by it."""
    type: Literal["DUPLICATE_RECEIVED"]
    timestamp: str
    data: DuplicateReceivedData


class SlaAtRiskEvent(BaseModel):
    """A running SLA target has under 25 % of its time left (once per target of a ticket)."""
    type: Literal["SLA_AT_RISK"]
    timestamp: str
    data: SlaEventData


class SlaBreachedEvent(BaseModel):
    """An SLA target passed its due time without being met (once per target of a ticket)."""
    type: Literal["SLA_BREACHED"]
    timestamp: str
    data: SlaEventData


class PingEvent(BaseModel):
    """Sent by POST /webhooks/{id}/test."""
    type: Literal["PING"]
    timestamp: str
    data: PingData


PAYLOADS: dict[str, type[BaseModel]] = {
    model.model_fields["type"].annotation.__args__[0]: model
    for model in (TicketCreatedEvent, TicketUpdatedEvent, TicketDeletedEvent, CommentAddedEvent, CommentUpdatedEvent,
                  CommentDeletedEvent, AttachmentAddedEvent, AttachmentRemovedEvent, TicketOverdueEvent, DuplicateReceivedEvent, SlaAtRiskEvent, SlaBreachedEvent,
                  PingEvent)
}
