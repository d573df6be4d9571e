"""A public reply end to end, on DynamoDB Local and SES (moto): the comment's stream record
carries its visibility, the stream handler mails it once to the requester with the thread's CC,
and the Message-IDs it kept find the ticket."""
from dataclasses import replace
from email.utils import getaddresses

from moto.core import DEFAULT_ACCOUNT_ID
from moto.ses.models import ses_backends

from chalicelib import config
from chalicelib.domain import mail_threads
from chalicelib.domain.tickets import Events, history_entry
from chalicelib.services.registry import services
from tests.api.test_notifications import Mailbox
from tests.streams import handle_records, new_records


def test_a_public_reply_is_mailed_once_on_the_thread_and_an_internal_note_never(api):
    ticket_id = api.create_ticket(title="Printer on fire")["id"]
    tickets = services().ticket_repo
    ticket = tickets.get(ticket_id)
    after = replace(ticket, requester="ana@example.com")
    tickets.update(ticket, after, history_entry(after, Events.TICKET_UPDATED, "system", ticket.updated_at, {}))
    tickets.add_to_thread(ticket_id, ["first@mail.example.com"], ["carl@example.com"])
    new_records()
    mailbox = Mailbox()
    api.post(f"/tickets/{ticket_id}/comments", {"comment": "Ana's printer again"})
    reply = api.post(f"/tickets/{ticket_id}/comments", {"comment": "On our way", "visibility": "public"}).json
    records = new_records()
    assert handle_records(records) == {"batchItemFailures": []}
    assert handle_records(records) == {"batchItemFailures": []}  # replayed: nothing goes twice
    [message] = mailbox.new()  # the note reached no one: the admin wrote it, and no requester hears of notes
    assert message.get_body(("plain",)).get_content().startswith("On our way")
    assert [a.addr_spec for a in message["To"].addresses] == ["ana@example.com"]
    assert [a.addr_spec for a in message["Cc"].addresses] == ["carl@example.com"]
    token = mail_threads.reply_token(config.reply_token_secret(), api.project_id, ticket_id)
    assert message["Reply-To"] == f"ops+{token}@{config.inbound_domain()}"
    assert message["In-Reply-To"] == "<first@mail.example.com>"
    sent = ses_backends[DEFAULT_ACCOUNT_ID][config.region()].sent_messages[-1]
    assert {address for _, address in getaddresses(sent.destinations)} == {"ana@example.com", "carl@example.com"}
    own = mail_threads.own_message_id(reply["id"], config.inbound_domain())
    assert tickets.ticket_by_message_id(api.project_id, [own]) == ticket_id
    assert tickets.thread(ticket_id).message_ids[:2] == ("first@mail.example.com", own)
