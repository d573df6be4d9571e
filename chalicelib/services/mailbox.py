"""What admins see of a project's received mail: the mail log (messages not ticketed), deleting an
entry with its stored message, and the contacts who write in. (Releasing a quarantined message
tickets it: services.inbound.)"""
from chalicelib import config
from chalicelib.domain import cursor as cursors
from chalicelib.domain.contacts import Contact
from chalicelib.domain.mailbox import MailLogEntry, normalise_address
from chalicelib.domain.people import Principal
from chalicelib.errors import NotFound
from chalicelib.schemas import mailbox as schemas
from chalicelib.services.mail import RawMail
from chalicelib.services.ports import ReceivedMail


class MailboxService:
    def __init__(self, directory: ReceivedMail, raw_mail: RawMail):
        self.directory = directory
        self.raw_mail = raw_mail

    # ---- the mail log ------------------------------------------------------------------------

    def mail_log(self, principal: Principal, query: schemas.MailLogQuery) -> dict:
        entries, more = self.log_page(principal.project.id, query.status, query.limit, query.cursor)
        return {"data": [log_entry_view(entry) for entry in entries], "cursor": more}

    def log_page(self, project_id: str | None, status: str | None, limit: int,
                 cursor: str | None) -> tuple[list[MailLogEntry], str | None]:
        """A page of one project's log (None: the log of mail no project received), newest first."""
        scope = f"mail-log:{project_id or ''}:{status or ''}"
        key = config.cursor_signing_key()
        after = cursors.decode(cursor, scope, key) if cursor else None
        entries, more = self.directory.mail_log_page(project_id, status, limit, after)
        return entries, cursors.encode(more, scope, key) if more else None

    def delete(self, principal: Principal, entry_id: str) -> None:
        """Deletes the stored message, then the entry (which a failure in between leaves to retry)."""
        entry = self.entry(principal, entry_id)
        self.raw_mail.delete(entry.key)
        self.directory.delete_mail_log_entry(entry)

    def entry(self, principal: Principal, entry_id: str) -> MailLogEntry:
        entry = self.directory.mail_log_entry(principal.project.id, entry_id)
        if entry is None:
            raise NotFound("mail log entry not found")
        return entry

    # ---- contacts ----------------------------------------------------------------------------

    def contacts(self, principal: Principal, query: schemas.ContactsQuery) -> dict:
        scope = f"contacts:{principal.project.id}"
        key = config.cursor_signing_key()
        after = cursors.decode(query.cursor, scope, key) if query.cursor else None
        found, more = self.directory.contact_page(principal.project.id, query.limit, after)
        return {"data": [contact_view(contact) for contact in found],
                "cursor": cursors.encode(more, scope, key) if more else None}

    def contact(self, principal: Principal, email: str) -> dict:
        found = self.directory.contact(principal.project.id, normalise_address(email))
        if found is None:
            raise NotFound("no such email")  # as the route answers an address that is none
        return contact_view(found)


def log_entry_view(entry: MailLogEntry) -> dict:
    return {"id": entry.id, "sender": entry.sender, "subject": entry.subject, "status": entry.status,
            "reasons": list(entry.reasons), "received_at": entry.received_at, "ticket_id": entry.ticket_id}


def contact_view(contact: Contact) -> dict:
    return {"email": contact.email, "name": contact.name, "created_at": contact.created_at,
            "last_message_at": contact.last_message_at, "bounced_at": contact.bounced_at,
            "bounce_reason": contact.bounce_reason}
