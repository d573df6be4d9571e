"""Tickets' email threads on the tickets table: the thread item in the ticket's collection (sk
`MAIL`) and the Message-ID index (pk `MSGID#<project id>#<id>`), which finds the ticket an answer
is about from the ids it quotes."""
from pynamodb.exceptions import DoesNotExist, PutError

from chalicelib.adapters.dynamodb import models
from chalicelib.adapters.dynamodb.keys import MAIL_THREAD_SK, MESSAGE_ID_SK, message_id_pk, ticket_pk
from chalicelib.adapters.dynamodb.models import MailThreadItem, MessageIdItem
from chalicelib.domain import mail_threads
from chalicelib.domain.mail_threads import AutoReply, MailThread
from chalicelib.errors import Conflict

CONDITION_FAILED = "ConditionalCheckFailedException"
# Writers of one thread at once (a reply sent while an answer comes in): each re-reads and tries again.
THREAD_WRITE_ATTEMPTS = 5


class DynamoMailThreads:
    def __init__(self):
        models.bind()

    def thread(self, ticket_id: str) -> MailThread | None:
        item = _thread_item(ticket_id)
        return to_thread(item) if item is not None else None

    def add_to_thread(self, ticket_id: str, message_ids: list[str], cc: list[str],
                      auto_reply: AutoReply | None = None) -> MailThread:
        """Adds to the thread (making it), rewriting it against the revision read; an id or address
        it has already is not added again, so adding twice is adding once."""
        for _ in range(THREAD_WRITE_ATTEMPTS):
            item = _thread_item(ticket_id)
            before = to_thread(item) if item is not None else None
            after = mail_threads.grown(before, ticket_id, message_ids, cc, auto_reply)
            if after == before:
                return after
            revision = int(item.revision) if item is not None else 0
            condition = (MailThreadItem.revision == revision) if item is not None else MailThreadItem.pk.does_not_exist()
            try:
                to_item(after, revision + 1).save(condition=condition)
            except PutError as error:
                if error.cause_response_code != CONDITION_FAILED:
                    raise
                continue
            return after
        raise Conflict("the ticket's email thread is changing too often; try again")

    def ticket_by_message_id(self, project_id: str, message_ids: list[str]) -> str | None:
        """The ticket of the first of these ids the index knows, in the order given (one BatchGet)."""
        keys = list(dict.fromkeys(message_id_pk(project_id, key) for one in message_ids
                                  if (key := mail_threads.message_id_key(one))))
        if not keys:
            return None
        found = {item.pk: item.ticket_id for item in MessageIdItem.batch_get(
            [(pk, MESSAGE_ID_SK) for pk in keys], consistent_read=True)}
        return next((found[pk] for pk in keys if pk in found), None)

    def record_message_ids(self, project_id: str, ticket_id: str, message_ids: list[str]) -> None:
        """Points each id at the ticket (the latest record of an id wins)."""
        keys = list(dict.fromkeys(message_id_pk(project_id, key) for one in message_ids
                                  if (key := mail_threads.message_id_key(one))))
        with MessageIdItem.batch_write() as batch:
            for pk in keys:
                batch.save(MessageIdItem(pk, MESSAGE_ID_SK, ticket_id=ticket_id))


def _thread_item(ticket_id: str) -> MailThreadItem | None:
    try:
        return MailThreadItem.get(ticket_pk(ticket_id), MAIL_THREAD_SK, consistent_read=True)
    except DoesNotExist:
        return None


def to_item(thread: MailThread, revision: int) -> MailThreadItem:
    return MailThreadItem(
        ticket_pk(thread.ticket_id), MAIL_THREAD_SK, ticket_id=thread.ticket_id, cc=set(thread.cc) or None,
        message_ids=list(thread.message_ids) or None,
        auto_replies=[{"from": r.sender, "subject": r.subject, "at": r.at} for r in thread.auto_replies] or None,
        revision=revision)


def to_thread(item: MailThreadItem) -> MailThread:
    return MailThread(
        ticket_id=item.ticket_id, cc=tuple(sorted(item.cc or ())), message_ids=tuple(item.message_ids or ()),
        auto_replies=tuple(AutoReply(r["from"], r["subject"], r["at"]) for r in item.auto_replies or ()))
