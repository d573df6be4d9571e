"""Contacts: the people who write in by email (a ticket's requester, those on its CC), known by
their address alone: no sign-in, no access to the project."""
from dataclasses import dataclass

from chalicelib.domain.tickets import CONTACT_PREFIX


@dataclass(frozen=True)
class Contact:
    project_id: str
    email: str                          # lowercased
    name: str                           # as the latest message gave it; may be ""
    created_at: str
    last_message_at: str | None = None
    bounced_at: str | None = None       # when mail to them last bounced
    bounce_reason: str | None = None
    acknowledged_at: str | None = None  # when they were last sent an acknowledgement

    @property
    def actor(self) -> str:
        return contact_actor(self.email)


def contact_actor(email: str) -> str:
    """The actor string of what a contact wrote: `contact:<email lowercased>`."""
    return CONTACT_PREFIX + email.strip().lower()


def contact_email(actor: str) -> str | None:
    """The address of a contact's actor string; None for any other actor."""
    return actor[len(CONTACT_PREFIX):] if actor.startswith(CONTACT_PREFIX) else None
