"""A project's received mail: the mail log (messages not ticketed) and the contacts who write in."""
import re

from chalice import Blueprint

from chalicelib.api.routing import Call, Reply, endpoint, services
from chalicelib.schemas import mailbox as s

bp = Blueprint(__name__)
PROJECT = "/v1/ce/projects/{project_id}"
# An address as a path segment: no spaces or slashes, one @.
EMAIL_PARAM = re.compile(r"[^\s/@]{1,64}@[^\s/@]{1,253}")


@endpoint(bp, "GET", PROJECT + "/mail-log", summary="Received mail that was not ticketed (quarantined, unreadable, "
          "ignored) and what was released, newest first", role="admin", query=s.MailLogQuery,
          response=s.MailLogPage, tag="email")
def list_mail_log(call: Call, project_id: str):
    return services().mailbox.mail_log(call.principal, call.query)


@endpoint(bp, "POST", PROJECT + "/mail-log/{entry_id}/release", summary="Ticket a quarantined message whatever "
          "its verdicts (as a new ticket, or on the ticket it answers)", role="admin",
          response=s.MailLogEntryOut, tag="email")
def release_mail(call: Call, project_id: str, entry_id: str):
    return services().inbound.release(call.principal, entry_id)


@endpoint(bp, "DELETE", PROJECT + "/mail-log/{entry_id}", summary="Delete a mail log entry and the message it "
          "kept", status=204, role="admin", tag="email")
def delete_mail(call: Call, project_id: str, entry_id: str):
    services().mailbox.delete(call.principal, entry_id)
    return Reply(None)


@endpoint(bp, "GET", PROJECT + "/contacts", summary="The people who write to the project by email, by address",
          role="admin", query=s.ContactsQuery, response=s.ContactPage, tag="email")
def list_contacts(call: Call, project_id: str):
    return services().mailbox.contacts(call.principal, call.query)


@endpoint(bp, "GET", PROJECT + "/contacts/{email}", summary="One contact, by email address (any case)",
          role="admin", response=s.ContactOut, tag="email", ids={"email": EMAIL_PARAM})
def get_contact(call: Call, project_id: str, email: str):
    return services().mailbox.contact(call.principal, email)
