"""The caller's own routes: who the credentials are and which projects they reach (GET
/v1/ce/session), a signed-in account's sessions, and the account itself."""
from typing import Annotated, Literal

from pydantic import BaseModel, Field, StringConstraints

from chalicelib.schemas.common import NOT_BLANK, Strict
from chalicelib.schemas.people import Role

AccountName = Annotated[str, StringConstraints(min_length=1, max_length=128, strip_whitespace=True), *NOT_BLANK]


class SessionPrincipal(BaseModel):
    kind: Literal["api_key", "session"] = Field(description="How the caller signed in: an API key, or a session "
                                                            "(a browser's cookie)")
    key_id: str | None = Field(description="The API key; null for a session")
    session_id: str | None = Field(description="The session; null for an API key")
    account_id: str | None = Field(description="The signed-in account; null for an API key")
    actor: str | None = Field(description="The caller as history records it (`changed_by`): a user_id, or "
                                          "automation:<name>; null for a session, whose account is a member (with a "
                                          "user_id of its own) in each of its projects")
    user_id: str | None = Field(description="The member the key acts as; null for an automation key and for a "
                                            "session")
    name: str | None = Field(description="The member's or account's name, or the automation key's name")
    email: str | None = Field(description="The member's or account's email; null for an automation key")


class SessionProject(BaseModel):
    id: str
    key: str
    name: str
    role: Role = Field(description="The caller's role in this project")


class SessionOut(BaseModel):
    principal: SessionPrincipal
    projects: list[SessionProject] = Field(description="Every project these credentials reach: an API key "
                                                       "reaches exactly its own; a session every project its "
                                                       "account is a member of")


class SignedInSession(BaseModel):
    id: str
    current: bool = Field(description="Whether this is the session the request was made with")
    created_at: str = Field(description="When the account signed in (ISO-8601 UTC)")
    last_used_at: str = Field(description="When it was last used, to within the touch interval (an hour by "
                                          "default)")
    ip: str | None = Field(description="The address it signed in from")
    user_agent: str | None = Field(description="The browser's User-Agent when it signed in")
    device: str | None = Field(description="A short name for that browser, e.g. \"Chrome on macOS\"; null when "
                                           "not recognised")
    method: str = Field(description="How it signed in: email_code, email_link, link, or oidc:<provider id>")


class SessionList(BaseModel):
    sessions: list[SignedInSession] = Field(description="The account's live sessions, the most recently used first")


class AccountOut(BaseModel):
    id: str
    email: str
    name: str
    created_at: str
    last_sign_in_at: str | None


class AccountPatch(Strict):
    name: AccountName = Field(description="Trimmed; not only spaces")
