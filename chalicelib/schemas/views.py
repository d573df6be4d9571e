"""Request and response shapes of saved views."""
from typing import Annotated, Literal

from pydantic import BaseModel, Field, StrictBool, StringConstraints

from chalicelib.schemas.common import Strict, refuse_null

ViewName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=80),
                     Field(description="1-80 characters, trimmed")]
ViewQuery = Annotated[str, StringConstraints(max_length=2048), Field(
    description="A query string the ticket search accepts (e.g. `status=new&severity=critical,high`), "
                "without `cursor` or `limit`; each parameter at most once. `me` is whoever runs the view.")]


class ViewCreate(Strict):
    name: ViewName
    query: ViewQuery
    shared: StrictBool = Field(default=False, description="Visible to the whole project; otherwise only to "
                                                          "you. An automation key makes shared views only.")


class ViewPatch(Strict):
    name: ViewName | None = None
    query: ViewQuery | None = None

    _not_null = refuse_null("name", "query")


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
