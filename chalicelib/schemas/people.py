"""Request and response shapes of projects, members, teams and API keys."""
from typing import Annotated, Literal

from pydantic import BaseModel, Field, StringConstraints, model_validator

from chalicelib.schemas.common import INVISIBLE_CLASS, NOT_BLANK, Strict, omittable
from chalicelib.schemas.mailbox import EmailSettingsOut, EmailSettingsPatch

Role = Literal["admin", "member", "viewer"]
# \x85 is a space to pydantic's (Unicode) regex and not to ECMA's \s: named, so both read it alike.
# Invisible characters are refused: an address compared without them would be another address.
_EMAIL_CHAR = rf"[^@\s\x85{INVISIBLE_CLASS}]"
EMAIL_PATTERN = rf"^{_EMAIL_CHAR}+@{_EMAIL_CHAR}+\.{_EMAIL_CHAR}+$"
Email = Annotated[str, StringConstraints(min_length=3, max_length=254, pattern=EMAIL_PATTERN)]
Name = Annotated[str, StringConstraints(min_length=1, max_length=128)]
ProjectName = Annotated[str, StringConstraints(min_length=1, max_length=128, strip_whitespace=True), *NOT_BLANK]


class Limits(BaseModel):
    attachment_bytes: int = Field(description="The largest file a ticket accepts")
    attachments_per_ticket: int


class ProjectOut(BaseModel):
    id: str
    name: str
    key: str
    created_at: str
    default_assignee: str | None = Field(description="Who a ticket created without an assignee goes to: a "
                                                     "user_id or team:<team_id>; null leaves it unassigned")
    limits: Limits
    require_sso: bool = Field(description="Members (not admins) reach the project only when signed in through "
                                          "an OIDC provider; API keys are unaffected")
    email: EmailSettingsOut


class ProjectPatch(Strict):
    name: ProjectName | None = omittable(description="Trimmed; not only spaces")
    default_assignee: Annotated[str, StringConstraints(min_length=1, max_length=128)] | None = Field(
        default=None, description="A user_id or team:<team_id>; null: tickets created without an assignee "
                                  "stay unassigned")
    require_sso: bool | None = omittable(description="true: members signed in any other way than single sign-on "
                                                     "(OIDC) get 403 sso_required on this project; admins may "
                                                     "still sign in by email")
    email: EmailSettingsPatch | None = omittable(description="The project's email settings to change")


class MemberCreate(Strict):
    """Adds the account with this email (case does not matter), made and invited when there is none."""
    email: Email
    name: Name | None = omittable(description="The member's name in this project; by default the account's "
                                              "name (for a new account, the address's part before the @)")
    role: Role


class NotificationsPatch(Strict):
    """Kinds of ticket email to turn on (true) or off (false); kinds left out keep their setting."""
    ticket_created: bool | None = omittable()
    ticket_updated: bool | None = omittable()
    comment_added: bool | None = omittable()
    ticket_overdue: bool | None = omittable()
    sla: bool | None = omittable("SLA at-risk and breach emails")
    mentioned: bool | None = omittable("Email when someone mentions you (or a team you are in), whatever the "
                                       "event's own kind says")


class Notifications(BaseModel):
    """Which kinds of ticket email the member gets."""
    ticket_created: bool
    ticket_updated: bool
    comment_added: bool
    ticket_overdue: bool
    sla: bool
    mentioned: bool


Delivery = Literal["each", "hourly"]


class DeliveryPatch(Strict):
    """How each kind of ticket email is sent: "each" (one email per event, as it happens) or "hourly"
    (gathered into one email an hour, grouped by ticket); kinds left out keep their mode."""
    ticket_created: Delivery | None = omittable()
    ticket_updated: Delivery | None = omittable()
    comment_added: Delivery | None = omittable()
    ticket_overdue: Delivery | None = omittable()
    sla: Delivery | None = omittable()
    mentioned: Delivery | None = omittable()


class NotificationDelivery(BaseModel):
    """How each kind of ticket email the member gets is sent: each event, or an hourly digest."""
    ticket_created: Delivery
    ticket_updated: Delivery
    comment_added: Delivery
    ticket_overdue: Delivery
    sla: Delivery
    mentioned: Delivery


class MemberPatch(Strict):
    name: Name | None = omittable()
    role: Role | None = omittable()
    notifications: NotificationsPatch | None = omittable()
    notification_delivery: DeliveryPatch | None = omittable()


class OwnMemberPatch(Strict):
    """What members may change about themselves: not their role (an admin's call), nor their email."""
    name: Name | None = omittable()
    notifications: NotificationsPatch | None = omittable()
    notification_delivery: DeliveryPatch | None = omittable()


class MemberOut(BaseModel):
    user_id: str
    email: str
    name: str
    role: Role
    notifications: Notifications
    notification_delivery: NotificationDelivery
    account_id: str | None = Field(description="The account this member is a membership of; null only for a "
                                               "member stored before accounts, until the migration runs")
    state: Literal["invited", "active"] = Field(description="invited until the account first signs in")
    last_sign_in_at: str | None = Field(description="When the account last signed in; null while invited")


class MemberList(BaseModel):
    data: list[MemberOut]


class TeamCreate(Strict):
    name: Name
    email: Email | None = None
    members: list[str] = Field(default_factory=list, max_length=100)


class TeamPatch(Strict):
    name: Name | None = omittable()
    email: Email | None = Field(default=None, description="null removes the team's address")
    members: Annotated[list[str], Field(max_length=100)] | None = omittable()


class TeamOut(BaseModel):
    id: str
    name: str
    email: str | None
    members: list[str]


class TeamList(BaseModel):
    data: list[TeamOut]


class Person(BaseModel):
    user_id: str
    name: str


class TeamRef(BaseModel):
    id: str
    name: str
    members: list[str]


class PeopleDirectory(BaseModel):
    """Who tickets can be assigned to, for every member of the project to see; no emails or roles."""
    members: list[Person]
    teams: list[TeamRef]


def _one_kind_of_key(schema: dict) -> None:
    # Either a member's key (user_id; the key takes the member's role) or an automation's key
    # (automation: true and a role): the two bodies one_kind_of_key accepts.
    schema["oneOf"] = [
        {"title": "A member's key", "required": ["user_id"],
         "properties": {"automation": {"const": False}}, "not": {"required": ["role"]}},
        {"title": "An automation's key", "required": ["automation", "role"],
         "properties": {"automation": {"const": True}}, "not": {"required": ["user_id"]}},
    ]


class ApiKeyCreate(Strict):
    model_config = Strict.model_config | {"json_schema_extra": _one_kind_of_key}
    name: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9 ._-]*$")
    user_id: Annotated[str, StringConstraints(min_length=1, max_length=64)] | None = omittable(
        description="The member the key acts as")
    automation: bool = False
    role: Literal["member", "viewer"] | None = omittable(description="An automation key's role")

    @model_validator(mode="after")
    def one_kind_of_key(self):
        if self.automation:
            if self.user_id is not None:
                raise ValueError("an automation key has no user_id")
            if self.role is None:
                raise ValueError("an automation key needs a role: member or viewer")
        else:
            if self.user_id is None:
                raise ValueError("give user_id, or automation: true with a role")
            if self.role is not None:
                raise ValueError("a member's key takes the member's role; omit role")
        return self


class ApiKeyOut(BaseModel):
    id: str
    name: str
    role: Role
    user_id: str | None
    automation: bool
    created_at: str


class ApiKeyCreated(ApiKeyOut):
    secret: str = Field(description="Shown only in this response")


class ApiKeyList(BaseModel):
    data: list[ApiKeyOut]
