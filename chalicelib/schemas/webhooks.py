"""Request and response shapes of webhook subscriptions and their delivery log."""
import re
from typing import Annotated, Literal, get_args

from pydantic import (AfterValidator, BaseModel, Field, StringConstraints, ValidationError, ValidatorFunctionWrapHandler,
                      field_validator)

from chalicelib.schemas.common import Strict
from chalicelib.schemas.tickets import Severity, Status, Tag

EventType = Literal["*", "TICKET_CREATED", "TICKET_UPDATED", "TICKET_DELETED", "COMMENT_ADDED", "COMMENT_UPDATED",
                    "COMMENT_DELETED", "ATTACHMENT_ADDED", "ATTACHMENT_REMOVED", "TICKET_OVERDUE", "DUPLICATE_RECEIVED", "SLA_AT_RISK", "SLA_BREACHED"]


STATUSES = get_args(Status)
_LABEL = "[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
# A name's last label starts with a letter, as every top-level domain does: all-digit hosts are
# addresses to the resolver (2852039166 is 169.254.169.254).
_NAME = f"({_LABEL}\\.)*[A-Za-z]([A-Za-z0-9-]{{0,61}}[A-Za-z0-9])?"
_OCTET = "(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])"
# Dotted IPv4 addresses outside the ranges never sent to (link-local, this network, multicast,
# reserved, metadata services elsewhere).
_IPV4 = (r"(?!(169\.254|0|22[4-9]|2[3-5][0-9])\.)(?!(100\.100\.100\.200|192\.0\.0\.192)([:/?#]|$))"
         f"{_OCTET}(\\.{_OCTET}){{3}}")
_PORT = "([1-9][0-9]{0,3}|[1-5][0-9]{4}|6[0-4][0-9]{3}|65[0-4][0-9]{2}|655[0-2][0-9]|6553[0-5])"
# The URLs the document promises to accept, and the API accepts: a host name or a dotted IPv4
# address not in a range never sent to, an optional port, then any printable ASCII.
URL_PATTERN = f"^https?://({_NAME}|{_IPV4})(:{_PORT})?([/?#][!-~]*)?$"
# An IPv6 address in brackets, which the pattern leaves out (which of them are never sent to is no
# pattern's to say): accepted as well, and judged by the address checks.
_IPV6_URL = re.compile(f"https?://\\[[0-9A-Fa-f:.]{{2,45}}\\](:{_PORT})?([/?#][!-~]*)?")
_URL = re.compile(URL_PATTERN)


# A user or password before the host: said by name, as the reason a URL with one is refused.
_CREDENTIALS = re.compile(r"https?://[^/?#]*@", re.IGNORECASE)
CREDENTIALS_REFUSED = ("must not hold credentials (user:password@); to authenticate deliveries, verify their "
                       "signature, or put a token in the path")


def _a_url_the_document_describes(url: str) -> str:
    if _CREDENTIALS.match(url):
        raise ValueError(CREDENTIALS_REFUSED)
    # fullmatch: Python's $ would also match before a final newline, ECMA's does not.
    if not (_URL.fullmatch(url) or _IPV6_URL.fullmatch(url)):
        raise ValueError("must be an http(s) URL whose host is a name, a dotted IPv4 address or an IPv6 address "
                         "in brackets, with an optional port, then only printable ASCII")
    return url


class WebhookFilters(Strict):
    status_changed_to: Status | Annotated[list[Status], Field(min_length=1, max_length=7)] | None = Field(
        default=None, description="A status, or a list of statuses: the change moved the status to one of them")
    severity: list[Severity] | None = Field(default=None, max_length=4)
    tags: list[Tag] | None = Field(default=None, max_length=20)
    assignee: Annotated[str, StringConstraints(min_length=1, max_length=128)] | None = None
    ticket_id: Annotated[str, StringConstraints(min_length=1, max_length=128, pattern=r"^[A-Za-z0-9_-]+$")] | None = Field(
        default=None, description="Only events of this ticket (its id or its key, such as OPS-42)")

    @field_validator("status_changed_to", mode="wrap")
    @classmethod
    def one_or_several_statuses(cls, value, handler: ValidatorFunctionWrapHandler):
        # One message for the field, not one per branch of the union.
        try:
            statuses = handler(value)
        except ValidationError:
            raise ValueError("must be a status or a list of 1 to 7 statuses, each one of "
                             + ", ".join(f"'{s}'" for s in STATUSES)) from None
        return list(dict.fromkeys(statuses)) if isinstance(statuses, list) else statuses


class WebhookCreate(Strict):
    name: Annotated[str, StringConstraints(min_length=1, max_length=128)]
    event_type: EventType
    url: Annotated[str, StringConstraints(min_length=8, max_length=2048), AfterValidator(_a_url_the_document_describes),
                   Field(description="http(s), with a host: a name, a dotted IPv4 address, or (beyond the pattern) an "
                                     "IPv6 address in brackets. The target is checked again on every delivery: a host "
                                     "that does not resolve, or resolves to an address never sent to, fails that "
                                     "delivery. Never sent to: link-local and cloud metadata addresses; on AWS also "
                                     "loopback, private and reserved ones (a URL naming such an address as its host "
                                     "is refused here)",
                         json_schema_extra={"pattern": URL_PATTERN})]
    filters: WebhookFilters | None = None
    once: bool = Field(default=False, description="Remove the subscription after its first successful delivery")


class FiltersOut(BaseModel):
    status_changed_to: Status | list[Status] | None
    severity: list[Severity]
    tags: list[str]
    assignee: str | None
    ticket_id: str | None


class WebhookOut(BaseModel):
    """A subscription as the key reading it may see it: whole for its owner (the member or the
    automation key that subscribed it) and admins; for other members without the rest of its URL."""
    id: str
    name: str
    event_type: EventType
    url: str | None = Field(description="The whole target URL, for those who may manage the webhook (`manageable`); "
                                        "null for other members, who see only `target`")
    target: str = Field(description="The target's scheme and host (and port, when the URL names one), shown to "
                                    "every member; the path, query and credentials are left out")
    filters: FiltersOut
    created_at: str
    created_by: str = Field(description="Who subscribed it: a member's user_id, or automation:<name> for an "
                                        "automation key")
    manageable: bool = Field(description="Whether this key may manage the webhook (delete, test, redeliver, rotate "
                                         "its secret): its owner's keys and admins may; others get 403")
    active: bool
    disabled_at: str | None
    once: bool


class WebhookCreated(WebhookOut):
    """A subscription as its owner or an admin sees it when subscribing or rotating: with its secret."""
    url: str = Field(description="The whole target URL")
    manageable: Literal[True]
    secret: str = Field(description="whsec_…: shown in full only here and after rotation")


class WebhookList(BaseModel):
    data: list[WebhookOut]


class AttemptOut(BaseModel):
    at: str
    status_code: int | None
    latency_ms: int
    error: str | None


class DeliveryOut(BaseModel):
    id: str = Field(description="Also the webhook-id header: the same on every attempt")
    event_id: str
    event_type: str
    created_at: str
    state: Literal["pending", "succeeded", "failed", "canceled"]
    attempt_count: int
    last_status_code: int | None
    last_latency_ms: int | None
    last_error: str | None
    next_attempt_at: str | None
    attempts: list[AttemptOut]


class DeliveryPage(BaseModel):
    data: list[DeliveryOut]
    cursor: str | None


class DeliveryQuery(Strict):
    limit: int = Field(default=20, ge=1, le=100)
    cursor: str | None = Field(default=None, max_length=2048)


class PingResult(BaseModel):
    webhook_id: str
    status_code: int | None
    latency_ms: int
    ok: bool
    error: str | None
