"""Saved views: named ticket searches, the built-in ones every project has, and the form of a
view's query string."""
from dataclasses import dataclass
from urllib.parse import parse_qsl, quote, urlencode

from chalicelib.errors import Conflict, FieldError, ValidationFailed

BUILTIN = "builtin"
SHARED = "shared"
PERSONAL = "personal"
BUILTIN_ID_PREFIX = "builtin:"

# Each limit is held by a counter item written in the same transaction as the view.
MAX_SHARED_VIEWS = 100       # per project
MAX_PERSONAL_VIEWS = 50      # per member

MAX_QUERY_LENGTH = 2048
# Search parameters that page through results rather than choose them.
NOT_IN_A_VIEW = ("cursor", "limit")


@dataclass(frozen=True)
class View:
    id: str
    name: str
    query: str
    kind: str                    # builtin | shared | personal
    owner: str | None            # who made it: a user id, or automation:<name>; None for built-ins
    created_at: str | None       # None for built-ins
    updated_at: str | None

    @property
    def shared(self) -> bool:
        return self.kind == SHARED


def _builtin(key: str, name: str, query: str) -> View:
    return View(id=BUILTIN_ID_PREFIX + key, name=name, query=query, kind=BUILTIN, owner=None,
                created_at=None, updated_at=None)


BUILTIN_VIEWS = (
    _builtin("mine", "My tickets", "assignee=me&status=open&sort=updated"),
    _builtin("unassigned", "Unassigned", "assignee=none&status=open"),
    _builtin("critical", "Open critical and high", "status=open&severity=critical,high&sort=severity"),
    _builtin("overdue", "Overdue", "overdue=true&sort=due"),
    _builtin("recent", "Recently updated", "sort=updated"),
    _builtin("sla_at_risk", "At risk", "sla=at_risk&sort=sla"),
    _builtin("sla_breached", "Breached", "sla=breached&sort=sla"),
    _builtin("watching", "Watching", "watching=me&status=open"),
)
BUILTIN_BY_ID = {view.id: view for view in BUILTIN_VIEWS}


def is_builtin_id(view_id: str) -> bool:
    return view_id.startswith(BUILTIN_ID_PREFIX)


def parse_query(raw: str) -> dict[str, str]:
    """A view's query string as search parameters, in the order given. Stricter than a search
    request: every field must be `name=value`, and a parameter may appear only once."""
    text = raw.removeprefix("?")
    try:
        pairs = parse_qsl(text, keep_blank_values=True, strict_parsing=True, errors="strict")
    except ValueError as error:  # UnicodeDecodeError included: a %-escape that is not UTF-8
        raise query_error(f"not a query string ({error})") from None
    params: dict[str, str] = {}
    for name, value in pairs:
        if name in params:
            raise query_error(f"{name}: given more than once")
        params[name] = value
    paging = [name for name in NOT_IN_A_VIEW if name in params]
    if paging:
        raise query_error(f"{', '.join(paging)}: not part of a view (a view chooses tickets, not a page)")
    return params


def normalise_query(params: dict[str, str]) -> str:
    """One spelling for one query: each value percent-encoded the same way (spaces as %20), commas
    and colons left readable (`severity=critical,high`, `assignee=team:<id>`)."""
    return urlencode(list(params.items()), quote_via=quote, safe=",:")


def query_error(message: str) -> ValidationFailed:
    return ValidationFailed(f"query: {message}", [FieldError("query", message)])


class ScopeFull(Conflict):
    """The scope (the project's shared views, or one member's own) already holds its limit."""
