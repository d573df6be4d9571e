"""The email channel's own records: a project's email settings and addresses, the mail log
(messages received and not ticketed), and the mark that tickets a received message once; and the
rules of what a received message makes (its title, text, notes, the status a reply reopens to).
Pure: the inbound service reads and writes them through its ports. Contacts: domain.contacts."""
import hashlib
import re
from dataclasses import dataclass
from datetime import datetime, timezone

from chalicelib.domain import text
from chalicelib.domain.clock import iso
from chalicelib.errors import Conflict, ValidationFailed

REOPEN, FOLLOW_UP = "reopen", "follow_up"
REPLY_TO_CLOSED = (REOPEN, FOLLOW_UP)
MAX_ALIASES = 10
MAX_ACKNOWLEDGEMENT_LENGTH = 2000
DEFAULT_ACKNOWLEDGEMENT = "We received your request {key}: {title}. Reply to this email to add to it."
# An acknowledgement goes to one sender at most this often, however many requests they send.
ACKNOWLEDGEMENT_INTERVAL_SECONDS = 3600

# Mail log statuses: what became of a message that was not ticketed, or was only when released.
QUARANTINED, FAILED, IGNORED, RELEASED = "quarantined", "failed", "ignored", "released"
MAIL_LOG_STATUSES = (QUARANTINED, FAILED, IGNORED, RELEASED)

# A ticket made from an email: its severity and source, and the limits of its title and text (the API's).
EMAIL_SOURCE = "email"
EMAIL_SEVERITY = "medium"
NO_SUBJECT = "(no subject)"
MAX_TITLE_LENGTH = 256
MAX_TEXT_LENGTH = 65536
CUT_NOTE = "\n\n[The email was longer; the rest was cut.]"
# A ticket's status after a reply reopens it: the first of these its workflow allows.
REOPEN_TARGETS = ("acknowledged", "in_progress", "new")
CLOSED_STATUSES = frozenset({"closed", "canceled"})

_LOCAL_PART = re.compile(r"^[^@\s]+$")


class AddressTaken(Conflict):
    """An alias asked for is another project's address."""
    code = "address_taken"


@dataclass(frozen=True)
class EmailSettings:
    """How a project answers email: its aliases (full addresses beside its own), what a reply to a
    closed or canceled ticket does, and whether (and how) a new request is acknowledged."""
    aliases: tuple[str, ...] = ()
    reply_to_closed: str = REOPEN
    acknowledge: bool = False
    acknowledgement: str = DEFAULT_ACKNOWLEDGEMENT
    # The project's own address once claimed for it, kept so that reading the project never writes.
    address: str | None = None


@dataclass(frozen=True)
class MailLogEntry:
    """A received message that was not ticketed (or only when an admin released it). `project_id`
    is None for a message no project's address received."""
    id: str
    project_id: str | None
    key: str                 # the stored message's object key
    sender: str
    subject: str
    status: str
    reasons: tuple[str, ...]
    received_at: str
    ticket_id: str | None = None   # the ticket a release made or added to


@dataclass(frozen=True)
class ReceivedMark:
    """Written in the transaction that tickets a received message (a new ticket, a comment), so
    that the message is ticketed once however often it is delivered; it names what it made, for a
    delivery that finds it to finish what the first one may have left (attachments, threading)."""
    key: str
    ticket_id: str
    new_ticket: bool


def normalise_address(raw: str) -> str:
    """An address as it is compared and kept: one spelling, lower case."""
    return text.identifier(raw).lower()


def domain_of(address: str) -> str:
    return address.rpartition("@")[2].lower()


def checked_aliases(raw: list[str], own_address: str, domain: str, sender: str) -> tuple[str, ...]:
    """The aliases in their one spelling, each once, in the order given; refuses what could never
    receive a project's mail (ValidationFailed on `email.aliases`)."""
    aliases: list[str] = []
    for value in raw:
        alias = normalise_address(value)
        local, _, alias_domain = alias.rpartition("@")
        if not local or not alias_domain or not _LOCAL_PART.match(local):
            raise ValidationFailed.on("email.aliases", f"{value!r} is not an email address")
        if alias == own_address:
            raise ValidationFailed.on("email.aliases", f"{alias} is the project's own address already")
        if alias == normalise_address(sender):
            raise ValidationFailed.on("email.aliases", f"{alias} is the address Ticketry sends from")
        if alias_domain == domain and "+" in local:
            raise ValidationFailed.on("email.aliases", f"an address at {domain} with a + is a ticket's reply address")
        if alias not in aliases:
            aliases.append(alias)
    if len(aliases) > MAX_ALIASES:
        raise ValidationFailed.on("email.aliases", f"at most {MAX_ALIASES} aliases")
    return tuple(aliases)


def received_key(project_id: str, message_id: str | None, raw: bytes) -> str:
    """The key of a received message's mark: by its Message-ID (the same message delivered twice
    keeps it), or by its bytes when it has none."""
    digest = hashlib.sha256(message_id.strip().lower().encode() if message_id else raw).hexdigest()
    return f"INMAIL#{project_id}#{digest}"


_ID_ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz"


def derived_id(seed: str, length: int = 16) -> str:
    """An id of the usual alphabet that is always the same for the same seed: what a delivery of a
    message that was delivered before makes is what the first one made."""
    number = int.from_bytes(hashlib.sha256(seed.encode()).digest(), "big")
    return "".join(_ID_ALPHABET[(number >> (5 * i)) & 31] for i in range(length))


_STAMP = re.compile(r"([0-9]{4})([0-9]{2})([0-9]{2})([0-9]{2})([0-9]{2})([0-9]{2})([0-9]{3})")


def log_entry_id(received_at: str, key: str) -> str:
    """A mail log entry's id: when the message came (17 digits, so the id alone finds the entry's
    place in its partition) and which stored message it is (one entry per message and moment)."""
    return re.sub(r"[^0-9]", "", received_at)[:17] + derived_id(key, 10)


def received_at_of(entry_id: str) -> str | None:
    """The moment a mail log entry's id holds; None for an id no entry has."""
    match = _STAMP.match(entry_id)
    if match is None or len(entry_id) != 27:
        return None
    year, month, day, hour, minute, second, millisecond = (int(part) for part in match.groups())
    try:
        moment = datetime(year, month, day, hour, minute, second, millisecond * 1000, tzinfo=timezone.utc)
    except ValueError:
        return None
    return iso(moment)


def ticket_title(subject: str) -> str:
    title = " ".join(subject.split())
    return (title or NO_SUBJECT)[:MAX_TITLE_LENGTH]


def cut_text(body: str, limit: int = MAX_TEXT_LENGTH) -> str:
    """A ticket's description or comment from an email's text, within `limit` characters (the
    API's, unless less room is left), saying so when it was cut."""
    if len(body) <= limit:
        return body
    return body[:max(0, limit - len(CUT_NOTE))] + CUT_NOTE


def with_notes(body: str, notes: list[str]) -> str:
    """The text with a line for each file that was not attached; the notes are kept whole, the
    text cut to make room for them."""
    if not notes:
        return cut_text(body)
    tail = "\n\n" + "\n".join(notes)
    return cut_text(body)[:MAX_TEXT_LENGTH - len(tail)] + tail


def size_in_words(size: int) -> str:
    megabytes = size / (1024 * 1024)
    if megabytes >= 1:
        return f"{megabytes:.0f} MB"
    return f"{max(1, round(size / 1024))} KB"


def reopen_status(allowed_from_status: list[str]) -> str | None:
    """The status a reply moves a finished ticket to: the first of REOPEN_TARGETS that the workflow
    allows from its status; None when it allows none (the reply then makes a follow-up)."""
    return next((status for status in REOPEN_TARGETS if status in allowed_from_status), None)


def follow_up_description(original_key: str, body: str) -> str:
    return f"Follow-up to {original_key}.\n\n{body}"

