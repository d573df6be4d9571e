"""A ticket's email thread: the Message-IDs of the messages on it (so that an answer to any of
them finds the ticket), who is on its CC, the autoresponders' answers it drew, and the reply
address whose token names the ticket without any lookup.

The reply address of a ticket is `<project address's local part>+<token>@<domain>`, the token the
ticket's id followed by 16 characters of a keyed hash of the project and ticket ids: only
Ticketry can make one, and a token copied into another project's address names nothing."""
import base64
import hashlib
import hmac
from dataclasses import dataclass

from chalicelib.domain.clock import new_id

# The ids a thread keeps: the first message's (every answer's References starts with it) and the
# latest ones. An answer quotes the ids of its thread, and some clients keep only the last few.
MAX_THREAD_MESSAGE_IDS = 20
MAX_AUTO_REPLIES = 20
# The part of a token that proves it: 80 bits of the keyed hash.
TOKEN_MAC_LENGTH = 16
TICKET_ID_LENGTH = len(new_id())
TOKEN_LENGTH = TICKET_ID_LENGTH + TOKEN_MAC_LENGTH
# RFC 5321 limits a local part to 64 octets and an address to 254.
MAX_LOCAL_PART = 64


@dataclass(frozen=True)
class AutoReply:
    """An autoresponder's answer (an out-of-office) to mail of the thread: listed, never a comment."""
    sender: str
    subject: str
    at: str


@dataclass(frozen=True)
class MailThread:
    ticket_id: str
    cc: tuple[str, ...] = ()             # lowercased, sorted
    message_ids: tuple[str, ...] = ()    # without <>, oldest first
    auto_replies: tuple[AutoReply, ...] = ()

    @property
    def latest_message_id(self) -> str | None:
        return self.message_ids[-1] if self.message_ids else None


def message_id_key(message_id: str) -> str:
    """A Message-ID as the index compares it: without its angle brackets and spaces, lowercased."""
    return message_id.strip().strip("<>").strip().lower()


def bare_message_id(message_id: str) -> str:
    """A Message-ID without its angle brackets, as written (ids are compared lowercased)."""
    return message_id.strip().strip("<>").strip()


def grown(thread: MailThread | None, ticket_id: str, message_ids: list[str] | tuple[str, ...],
          cc: list[str] | tuple[str, ...] = (), auto_reply: AutoReply | None = None) -> MailThread:
    """The thread once these ids, CC addresses and autoresponder's answer are added: an id already
    on it is not added again, and the oldest ids (but the first) and answers go past the limits."""
    thread = thread or MailThread(ticket_id)
    ids = list(thread.message_ids)
    seen = {message_id_key(one) for one in ids}
    for one in message_ids:
        bare, key = bare_message_id(one), message_id_key(one)
        if key and key not in seen:
            seen.add(key)
            ids.append(bare)
    if len(ids) > MAX_THREAD_MESSAGE_IDS:
        ids = ids[:1] + ids[len(ids) - MAX_THREAD_MESSAGE_IDS + 1:]
    replies = thread.auto_replies + ((auto_reply,) if auto_reply is not None else ())
    return MailThread(ticket_id=ticket_id, cc=tuple(sorted(set(thread.cc) | {a.strip().lower() for a in cc if a.strip()})),
                      message_ids=tuple(ids), auto_replies=replies[-MAX_AUTO_REPLIES:])


def references(thread: MailThread | None, own_id: str) -> tuple[str, ...]:
    """The References of a message sent on the thread: its ids, oldest first, with `own_id` last,
    at most MAX_THREAD_MESSAGE_IDS (the first kept, as the thread keeps it)."""
    return grown(thread, thread.ticket_id if thread else "", [own_id]).message_ids


# ---- addresses and tokens ----------------------------------------------------------------------

def project_address(project_key: str, domain: str) -> str:
    """A project's own address: its key, lowercased, at the inbound domain."""
    return f"{project_key.lower()}@{domain.lower()}"


def reply_token(secret: bytes, project_id: str, ticket_id: str) -> str:
    """The ticket's id and the proof that Ticketry made the token for this project and ticket."""
    mac = hmac.new(secret, f"reply:{project_id}:{ticket_id}".encode(), hashlib.sha256).digest()
    return (ticket_id + base64.b32encode(mac).decode()[:TOKEN_MAC_LENGTH]).lower()


def ticket_of_token(secret: bytes, project_id: str, token: str) -> str | None:
    """The ticket a token names in this project; None for anything Ticketry did not make so."""
    token = token.strip().lower()
    if len(token) != TOKEN_LENGTH:
        return None
    ticket_id = token[:TICKET_ID_LENGTH]
    expected = reply_token(secret, project_id, ticket_id)
    return ticket_id if hmac.compare_digest(expected.encode(), token.encode()) else None


def reply_address(project_address: str, token: str) -> str:
    """`local+token@domain` of the project's address (any `+tag` it has is replaced)."""
    local, _, domain = project_address.rpartition("@")
    return f"{local.split('+', 1)[0]}+{token}@{domain}".lower()


def token_of_address(address: str) -> tuple[str, str] | None:
    """(the address without its tag, the tag) of `local+tag@domain`; None without a tag."""
    local, at, domain = address.strip().lower().rpartition("@")
    if not at or "+" not in local:
        return None
    base, _, tag = local.partition("+")
    return f"{base}@{domain}", tag


def ses_message_id(ses_id: str, region: str) -> str:
    """The Message-ID SES gives a message it sends (without <>), from the id its API answers:
    SES replaces the one Ticketry wrote, so answers to the message quote this one."""
    return f"{ses_id}@{region}.amazonses.com"


def ses_message_ids(ses_id: str, region: str) -> list[str]:
    """Every Message-ID SES may have given the message: in us-east-1 it writes the domain
    `email.amazonses.com` rather than the region's."""
    ids = [ses_message_id(ses_id, region)]
    if region == "us-east-1":
        ids.append(f"{ses_id}@email.amazonses.com")
    return ids


def own_message_id(event_id: str, domain: str) -> str:
    """The Message-ID Ticketry writes on mail about one event (without <>)."""
    return f"ticketry.{event_id}@{domain}"
