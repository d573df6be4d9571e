"""Request and response shapes of saved views."""
from typing import Annotated, Literal

from pydantic import BaseModel, Field, StringConstraints

from chalicelib.schemas.tickets import SEVERITIES, STATUSES
from chalicelib.schemas.common import NOT_BLANK, Strict, omittable

ViewName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=80), *NOT_BLANK,
                     Field(description="1-80 characters, trimmed; not only spaces")]

def _one_of(values) -> str:
    return "(" + "|".join(values) + ")"


def _listed(values) -> str:
    return f"{_one_of(values)}(,{_one_of(values)})*"


# What the document promises to accept, in one spelling: the parameters in this order, sort last.
# The API accepts any query the ticket search accepts (see the description); the pattern is the
# part of that a schema can state.
_WORD = "[a-z0-9]{1,20}"
VIEW_QUERY_PATTERN = (
    "^$|^"
    f"(q={_WORD}(%20{_WORD}){{0,3}}&)?"
    f"(status={_listed(STATUSES + ('open',))}&)?"
    f"(severity={_listed(SEVERITIES)}&)?"
    "(tags=[a-z0-9_-]{1,64}(,[a-z0-9_-]{1,64}){0,19}&)?"
    "(assignee=none&)?"
    "(overdue=true&)?"
    f"sort={_one_of(('created', '-created', 'updated', 'due', 'severity'))}$"
)
ViewQuery = Annotated[str, StringConstraints(max_length=2048), Field(
    description="A query string the ticket search accepts (e.g. `status=new&severity=critical,high`), "
                "without `cursor` or `limit`; each parameter at most once. `me` is whoever runs the view. "
                "The pattern is one spelling every such query has: parameters in a fixed order, `sort` last",
    json_schema_extra={"pattern": VIEW_QUERY_PATTERN})]


class ViewCreate(Strict):
    name: ViewName
    query: ViewQuery
    shared: bool = Field(default=False, description="Visible to the whole project; otherwise only to "
                                                    "you. An automation key makes shared views only.")


class ViewPatch(Strict):
    name: ViewName | None = omittable()
    query: ViewQuery | None = omittable()


class ViewOut(BaseModel):
    id: str = Field(description="builtin:<name> for the built-in views")
    name: str
    query: str = Field(description="Normalised: each value percent-encoded the same way")
    kind: Literal["builtin", "shared", "personal"]
    owner: str | None = Field(description="Who made it: a user_id, or automation:<name>; null for built-ins")
    created_at: str | None = Field(description="null for built-ins")
    updated_at: str | None = Field(description="null for built-ins")
    # Absent rather than null when not exact: there is no count to give, not an unknown one.
    count: int = Field(default=None, description="Tickets the view finds; present only when it is exact, "
                                                 "never estimated")


class ViewList(BaseModel):
    data: list[ViewOut]
