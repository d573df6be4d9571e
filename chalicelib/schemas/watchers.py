"""Request and response shapes of a ticket's watchers."""
from typing import Literal

from pydantic import BaseModel, Field

REASON_DESCRIPTION = ("Why they watch: reporter, assignee, commenter or mentioned (made so by that event), "
                      "subscribed (they chose to), added (someone else added them)")


class WatcherOut(BaseModel):
    watcher: str = Field(description="A member's user_id, or team:<team_id>")
    state: Literal["watching", "unsubscribed"]
    reason: Literal["reporter", "assignee", "commenter", "mentioned", "subscribed", "added"] = Field(
        description=REASON_DESCRIPTION)
    since: str = Field(description="When they came to watch (or stopped)")
    added_by: str = Field(description="The actor whose event or request made them watch")


class WatcherList(BaseModel):
    data: list[WatcherOut] = Field(description="Those watching the ticket; those who stopped are not listed")
