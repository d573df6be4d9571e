"""Request and response shapes of tickets, history, search and the workflow."""
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, StringConstraints, field_validator, model_validator

from chalicelib.schemas.common import INVISIBLE_CLASS, VISIBLE, DateTime, ErrorInfo, Strict, omittable
from chalicelib.schemas.sla import SlaOut

Status = Literal["new", "acknowledged", "in_progress", "resolved", "closed", "deferred", "canceled"]
Severity = Literal["critical", "high", "medium", "low"]
HistoryEvent = Literal["TICKET_CREATED", "TICKET_UPDATED", "TICKET_DELETED", "COMMENT_ADDED", "COMMENT_UPDATED",
                       "COMMENT_DELETED", "DUPLICATE_RECEIVED", "TICKET_OVERDUE", "ATTACHMENT_ADDED", "ATTACHMENT_REMOVED", "SLA_AT_RISK", "SLA_BREACHED"]

Title = Annotated[str, StringConstraints(min_length=1, max_length=256)]
Description = Annotated[str, StringConstraints(max_length=65536)]
Assignee = Annotated[str, StringConstraints(min_length=1, max_length=128),
                     Field(description="A member's user_id, or team:<team_id>")]
STATUSES = ("new", "acknowledged", "in_progress", "resolved", "closed", "deferred", "canceled")
SEVERITIES = ("critical", "high", "medium", "low")
# Tags are stored trimmed, in lower case and in one spelling (normalise_tags); the limits are on
# what is sent.
Tag = Annotated[str, StringConstraints(min_length=1, max_length=64, pattern=VISIBLE), Field(
    description="1-64 characters, not only spaces; stored trimmed, in lower case, composed (NFC) and without "
                "zero-width or bidi control characters, so that tags which look the same are the same")]
# One tag of a comma-separated list, as the document states it: no spaces or invisible characters.
_LISTED_TAG = rf"[^,\s\x1c-\x1f\x85{INVISIBLE_CLASS}]{{1,64}}"


def _csv_pattern(values: tuple[str, ...]) -> str:
    one = "(" + "|".join(values) + ")"
    return f"^{one}(,{one})*$"


class TicketCreate(Strict):
    title: Title
    description: Description
    severity: Severity
    due_date: DateTime | None = None
    assignee: Assignee | None = None
    source: str = Field(default="api", min_length=1, max_length=64)
    tags: list[Tag] = Field(default_factory=list, max_length=20)
    dedup_key: str | None = Field(default=None, min_length=1, max_length=255,
                                  description="An open ticket with the same key absorbs this one. Compared and "
                                              "stored trimmed, composed (NFC) and without zero-width or bidi "
                                              "control characters",
                                  json_schema_extra={"pattern": VISIBLE})


NULL_REFUSED = "cannot be null; only due_date and assignee can be cleared"


class TicketPatch(Strict):
    title: Title | None = omittable()
    description: Description | None = omittable()
    status: Status | None = omittable()
    severity: Severity | None = omittable()
    due_date: DateTime | None = Field(default=None, description="null clears")
    assignee: Assignee | None = Field(default=None, description="null unassigns")
    tags: Annotated[list[Tag], Field(max_length=20)] | None = omittable()

    null_refused = NULL_REFUSED


class TicketChangeHeaders(BaseModel):
    if_match: Annotated[str, StringConstraints(min_length=1, max_length=255)] | None = omittable(
        'The ETag of the version the change expects, as read (`"3"`; also weak, `W/"3"`), several separated by '
        "commas, or `*` for any version. When none is the ticket's version (text of another form never is), "
        "nothing is written and the answer is 412", alias="If-Match")


class IdempotentHeaders(BaseModel):
    idempotency_key: Annotated[str, StringConstraints(min_length=1, max_length=255)] | None = omittable(
        "The same request sent again with the same key within 24 hours is done once", alias="Idempotency-Key")


class TicketFields(BaseModel):
    """A ticket's own fields, as the API, the events and the webhooks show them: the one list of them."""
    id: str
    number: int
    key: str
    project_id: str
    title: str
    description: str
    status: Status
    severity: Severity
    created_at: str
    updated_at: str
    resolved_at: str | None
    due_date: str | None
    reporter: str
    assignee: str | None
    source: str
    tags: list[str]
    dedup_key: str | None
    version: int
    requester: str | None = Field(description="The email address the ticket is for (its requester), lowercased; "
                                              "null unless it came by email")


class TicketOut(TicketFields):
    sla: SlaOut | None = Field(description="The SLA targets as they stand now; null when the ticket started "
                                           "under no SLA policy")


class HistoryOut(BaseModel):
    id: str
    ticket_id: str
    event: HistoryEvent
    timestamp: str
    changed_by: str
    changes: dict[str, Any]
    comment: str | None = None
    comment_id: str | None = Field(description="The comment a COMMENT_UPDATED or COMMENT_DELETED "
                                                             "entry is about; null on every other entry")
    visibility: Literal["internal", "public"] | None = Field(
        default=None, description="On a COMMENT_ADDED entry: `public` for a reply on the email thread (mailed to "
                                  "the requester), `internal` for a note only the team sees; null on every other "
                                  "entry")
    via: Literal["email"] | None = Field(default=None, description="`email` when the comment or ticket came by "
                                                                   "email; else null")


class AttachmentOut(BaseModel):
    id: str
    file_name: str = Field(description="The name given at upload, made safe: no path, no control characters, "
                                       "at most 255 characters")
    content_type: str
    size: int = Field(description="Bytes")
    status: Literal["pending", "available"]
    uploaded_by: str
    uploaded_at: str | None = Field(description="When the upload was confirmed; null while pending")
    download_url: str | None = Field(default=None, description="A presigned S3 GET, valid 5 minutes; "
                                                               "null while pending")


class TicketDetailOut(TicketOut):
    history: list[HistoryOut] = Field(description="Newest first; history_cursor continues it")
    history_cursor: str | None
    attachments: list[AttachmentOut]
    allowed_transitions: list[Status]


class TicketPage(BaseModel):
    data: list[TicketOut]
    cursor: str | None


class HistoryPage(BaseModel):
    data: list[HistoryOut]
    cursor: str | None


class TicketSearch(Strict):
    q: str | None = Field(default=None, min_length=1, max_length=1024,
                          description="Words that every ticket found contains (in its title, description, "
                                      "comments, tags or key); the last one may also be the start of a word")
    sort: Literal["created", "-created", "updated", "due", "severity", "sla"] = Field(
        default="created", description="created: newest first; -created: oldest first; updated: most recently "
                                       "changed first; due: soonest due first, then the tickets without a due "
                                       "date, newest first; severity: critical first, newest first within a "
                                       "severity; sla: soonest SLA breach first (the soonest due time of a target "
                                       "not met), then the tickets with no running target, newest first")
    sla: Literal["at_risk", "breached"] | None = Field(
        default=None, description="at_risk: open tickets with a running target under 25 % of its time left, by "
                                  "when they became at risk; breached: open tickets with a target past due and "
                                  "not met, soonest breach first. Either comes in that order, whatever `sort` says")
    status: str | None = Field(default=None, description="Comma-separated statuses, any of; `open` stands for "
                                                         "every status but resolved, closed and canceled",
                               json_schema_extra={"pattern": _csv_pattern(STATUSES + ("open",))})
    severity: str | None = Field(default=None, description="Comma-separated severities, any of",
                                 json_schema_extra={"pattern": _csv_pattern(SEVERITIES)})
    reporter: str | None = Field(default=None, min_length=1, max_length=128,
                                 description="A user_id, or `me` for the caller's own")
    assignee: str | None = Field(default=None, min_length=1, max_length=128,
                                 description="A user_id, team:<team_id>, `none` (unassigned) or `me`")
    requester: str | None = Field(default=None, min_length=3, max_length=254, pattern=r"^[^@\s,]+@[^@\s,]+$",
                                  description="An email address, in any case: the tickets it is the requester of "
                                              "(those that came by email from it)")
    overdue: Literal["true"] | None = Field(default=None, description="true: open tickets whose due date has passed")
    watching: str | None = Field(default=None, min_length=1, max_length=64,
                                 description="Tickets a member watches: a user_id, or `me` for the caller's own. "
                                             "They come in created order (newest first; -created: oldest first) "
                                             "whatever else `sort` says: only the index of watched tickets knows "
                                             "who watches, and it holds them in that order",
                                 pattern=r"^(me|[0-9a-z_]{1,64})$")
    tags: str | None = Field(default=None, description="Comma-separated tags, any of (at most 20, each 1-64 "
                                                       "characters once trimmed)",
                             json_schema_extra={"pattern": f"^{_LISTED_TAG}(,{_LISTED_TAG}){{0,19}}$"})
    created_after: DateTime | None = Field(default=None, description="Inclusive")
    created_before: DateTime | None = Field(default=None, description="Exclusive")
    due_after: DateTime | None = Field(default=None, description="Inclusive")
    due_before: DateTime | None = Field(default=None, description="Exclusive")
    limit: int = Field(default=20, ge=1, le=100)
    cursor: str | None = Field(default=None, max_length=2048)


class HistoryQuery(Strict):
    event: HistoryEvent | None = None
    limit: int = Field(default=50, ge=1, le=100)
    cursor: str | None = Field(default=None, max_length=2048)


def _transitions_schema(schema: dict[str, Any]) -> None:
    # Each status lists the others it may move to; never itself (see domain Workflow.parse).
    schema["properties"]["transitions"] = {
        "type": "object", "additionalProperties": False,
        "description": "Status -> the statuses it may move to; a status left out may not move",
        "properties": {source: {"type": "array", "items": {"enum": [t for t in STATUSES if t != source]}}
                       for source in STATUSES}}


class Workflow(Strict):
    model_config = Strict.model_config | {"json_schema_extra": _transitions_schema}
    transitions: dict[Status, list[Status]]


MAX_BULK_TICKETS = 100
# Ids are lower case without "-", keys hold one; the document asks for keys in upper case, so that
# one ticket is never listed twice under two spellings (the API also reads keys in any case).
TICKET_REF_PATTERN = r"^([0-9a-z_]{1,64}|[A-Z][A-Z0-9]{1,9}-[1-9][0-9]{0,15})$"
# What is read: the same, keys in any case. Anything else names no ticket and is refused.
_TICKET_REF_READ = r"^([0-9a-z_]{1,64}|[A-Za-z][A-Za-z0-9]{1,9}-[1-9][0-9]{0,15})$"
TicketRef = Annotated[str, StringConstraints(min_length=1, max_length=64, pattern=_TICKET_REF_READ),
                      Field(description="A ticket's id, or its key (OPS-42)",
                            json_schema_extra={"pattern": TICKET_REF_PATTERN})]
BULK_FIELDS = ("status", "severity", "assignee", "add_tags", "remove_tags", "due_date")
TagList = Annotated[list[Tag], Field(min_length=1, max_length=20)]


class BulkChange(Strict):
    """The one change made to every ticket; at least one field."""
    model_config = Strict.model_config | {"json_schema_extra": {"minProperties": 1}}
    status: Status | None = omittable()
    severity: Severity | None = omittable()
    assignee: Assignee | None = Field(default=None, description="null unassigns")
    add_tags: TagList | None = omittable()
    remove_tags: TagList | None = omittable()
    due_date: DateTime | None = Field(default=None, description="null clears")

    null_refused = NULL_REFUSED

    @model_validator(mode="after")
    def _changes_something(self):
        if not self.model_fields_set:
            raise ValueError(f"name at least one of {', '.join(BULK_FIELDS)}")
        return self


def _versions_schema(schema: dict[str, Any]) -> None:
    # pydantic states a key pattern as patternProperties, which leaves other keys unchecked: every
    # key is a ticket reference and every value a version.
    for branch in schema.get("anyOf", []):
        if branch.get("type") == "object":
            branch.pop("patternProperties", None)
            branch["propertyNames"] = {"minLength": 1, "maxLength": 64, "pattern": TICKET_REF_PATTERN}
            branch["additionalProperties"] = {"type": "integer", "minimum": 1}


class TicketBulk(Strict):
    ticket_ids: list[TicketRef] = Field(min_length=1, max_length=MAX_BULK_TICKETS,
                                        description="Ids or keys, each once; answered in this order",
                                        json_schema_extra={"uniqueItems": True})
    change: BulkChange
    comment: str | None = Field(default=None, min_length=1, max_length=65536,
                                description="Added to every ticket the change reaches (not to those it fails on)")
    expected_versions: dict[TicketRef, Annotated[int, Field(ge=1)]] | None = Field(
        default=None, json_schema_extra=_versions_schema, description="Ticket (as given in ticket_ids) -> the version the change expects, as If-Match; "
                                  "entries for tickets not in ticket_ids are ignored")

    @field_validator("ticket_ids")
    @classmethod
    def _each_once(cls, refs: list[str]) -> list[str]:
        seen: set[str] = set()
        for ref in refs:
            # Keys hold a "-" (ids never do) and are read in any case.
            same = ref.upper() if "-" in ref else ref
            if same in seen:
                raise ValueError(f"{ref} appears more than once")
            seen.add(same)
        return refs



class BulkResult(BaseModel):
    ticket_id: str = Field(description="As given in the request")
    id: str | None = Field(description="The ticket's id; null when it was not found")
    key: str | None = Field(description="The ticket's key; null when it was not found")
    status: Literal[200, 400, 404, 409, 412] = Field(description="What a PATCH of this ticket alone would have "
                                                                 "answered")
    version: int | None = Field(description="The ticket's version after the change (unchanged if the change "
                                            "changed nothing); null on error")
    error: ErrorInfo | None = Field(description="Why this ticket was not changed; null on success")
    allowed_transitions: list[Status] | None = Field(
        default=None, description="With a 409 transition_not_allowed: where the ticket's status may move")


class BulkResults(BaseModel):
    results: list[BulkResult] = Field(description="One per requested ticket, in the request's order")
