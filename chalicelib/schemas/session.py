"""The answer of GET /v1/ce/session: who the credentials are and which projects they reach."""
from typing import Literal

from pydantic import BaseModel, Field

from chalicelib.schemas.people import Role


class SessionPrincipal(BaseModel):
    kind: Literal["api_key"] = Field(description="How the caller signed in; today always an API key")
    key_id: str
    actor: str = Field(description="The caller as history records it (`changed_by`): a user_id, or automation:<name>")
    user_id: str | None = Field(description="The member the key acts as; null for an automation key")
    name: str | None = Field(description="The member's name, or the automation key's name")
    email: str | None = Field(description="The member's email; null for an automation key")


class SessionProject(BaseModel):
    id: str
    key: str
    name: str
    role: Role = Field(description="The caller's role in this project")


class SessionOut(BaseModel):
    principal: SessionPrincipal
    projects: list[SessionProject] = Field(description="Every project these credentials reach; an API key "
                                                       "reaches exactly its own")
