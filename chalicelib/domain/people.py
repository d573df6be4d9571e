"""Projects, members, teams, API keys and who may do what."""
import re
from dataclasses import asdict, dataclass, field, fields, replace

from chalicelib.domain import text
from chalicelib.domain.mailbox import EmailSettings
from chalicelib.errors import Forbidden, ValidationFailed

ROLES = ("viewer", "member", "admin")
_RANK = {role: rank for rank, role in enumerate(ROLES)}
AUTOMATION_ROLES = ("member", "viewer")
PROJECT_KEY_PATTERN = re.compile(r"^[A-Z][A-Z0-9]{1,9}$")


@dataclass(frozen=True)
class Project:
    id: str
    name: str
    key: str
    created_at: str
    workflow: dict[str, list[str]] | None = None
    default_assignee: str | None = None  # who a ticket created without an assignee goes to
    sla_policy_version: int | None = None  # the SLA policy new tickets start under
    require_sso: bool = False  # members sign in through an OIDC provider (admins may still use email)
    email: EmailSettings = EmailSettings()  # how the project answers the mail it receives


@dataclass(frozen=True)
class NotificationSettings:
    """Which kinds of ticket email a member wants. Every kind is on until the member turns it off,
    and a kind added later starts on for everyone."""
    ticket_created: bool = True
    ticket_updated: bool = True
    comment_added: bool = True
    ticket_overdue: bool = True
    sla: bool = True                     # SLA_AT_RISK and SLA_BREACHED
    mentioned: bool = True               # any event that mentions the member (or a team they are in)

    def wants(self, kind: str) -> bool:
        return bool(getattr(self, kind))

    def merged(self, changes: dict[str, bool]) -> "NotificationSettings":
        return replace(self, **changes)

    def as_dict(self) -> dict[str, bool]:
        return asdict(self)

    @classmethod
    def from_stored(cls, stored: dict | None) -> "NotificationSettings":
        """Kinds no longer known are dropped; kinds never stored take their default."""
        stored = stored or {}
        return cls(**{kind: bool(stored[kind]) for kind in NOTIFICATION_KINDS if kind in stored})


NOTIFICATION_KINDS = tuple(f.name for f in fields(NotificationSettings))
EACH, HOURLY = "each", "hourly"
DELIVERY_MODES = (EACH, HOURLY)


@dataclass(frozen=True)
class NotificationDelivery:
    """How a member gets each kind of ticket email they want: one email per event as it happens
    (each), or gathered into one email an hour (hourly). Every kind is each until changed."""
    modes: tuple[tuple[str, str], ...] = ()   # (kind, mode) for the kinds not sent each

    def hourly(self, kind: str) -> bool:
        return dict(self.modes).get(kind) == HOURLY

    def merged(self, changes: dict[str, str]) -> "NotificationDelivery":
        return NotificationDelivery.from_stored(self.as_dict() | changes)

    def as_dict(self) -> dict[str, str]:
        return {kind: dict(self.modes).get(kind, EACH) for kind in NOTIFICATION_KINDS}

    @classmethod
    def from_stored(cls, stored: dict | None) -> "NotificationDelivery":
        """Kinds no longer known, and modes no longer known, are dropped (each)."""
        stored = stored or {}
        return cls(tuple((kind, HOURLY) for kind in NOTIFICATION_KINDS if stored.get(kind) == HOURLY))


@dataclass(frozen=True)
class Member:
    user_id: str
    email: str
    name: str
    role: str
    created_at: str
    notifications: NotificationSettings = NotificationSettings()
    account_id: str | None = None  # None only for a member stored before accounts existed
    notification_delivery: NotificationDelivery = NotificationDelivery()
    # How many times the member was changed: each change is written on the revision it read, so
    # two changes read at once never merge one over the other. Bookkeeping, not the member's value.
    revision: int = field(default=0, compare=False)


@dataclass(frozen=True)
class Team:
    id: str
    name: str
    email: str | None
    members: tuple[str, ...]
    created_at: str


@dataclass(frozen=True)
class ApiKey:
    id: str
    name: str
    role: str
    user_id: str | None
    automation: bool
    created_at: str
    secret_hash: str = field(repr=False, default="")

    @property
    def actor(self) -> str:
        return f"automation:{self.name}" if self.automation else (self.user_id or "")


@dataclass(frozen=True)
class Principal:
    """Who is calling: the actor recorded in history, the role the key or membership grants, and
    the member the credentials belong to (None for an automation key). Signed in by an API key,
    `key_id` names it; signed in by a session, `account_id` and `session_id` name that."""
    project: Project
    actor: str
    role: str
    key_id: str | None
    user_id: str | None = None
    account_id: str | None = None
    session_id: str | None = None
    sign_in_method: str | None = None

    def require(self, role: str) -> None:
        if _RANK[self.role] < _RANK[role]:
            holder = "the key" if self.key_id is not None else "your membership"
            raise Forbidden(f"this needs the {role} role; {holder} has {self.role}")

    def own_user_id(self) -> str:
        # 403, not 404: the key is valid, but an automation has no member record of its own to
        # show or change, and no other key would find one for it.
        if self.user_id is None:
            raise Forbidden(f"this key belongs to {self.actor}, not to a member; only a member's own key "
                            "has a member record")
        return self.user_id

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"


@dataclass(frozen=True)
class AccountPrincipal:
    """A signed-in account on a route that names no project (its session, its sessions, its name):
    there is no project, so no role and no member, only the account and the session."""
    account_id: str
    session_id: str
    sign_in_method: str


def check_project_key(key: str) -> None:
    if not PROJECT_KEY_PATTERN.match(key):
        raise ValidationFailed.on("key", "2-10 characters, uppercase letters and digits, starting with a letter")


def normalise_email(email: str) -> str:
    """The spelling an address is compared and kept in: one project never has two members whose
    addresses differ only in case or in how an accented letter was typed."""
    return text.identifier(email).lower()
