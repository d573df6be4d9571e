"""Sends email through SES v2, as raw MIME built here, and keeps a copy in an outbox folder when
one is set (the local stack's way of showing what would have gone out)."""
import logging
import re
from datetime import datetime, timezone
from email.errors import HeaderParseError
from email.headerregistry import Address
from email.message import EmailMessage
from email.parser import BytesParser
from email.policy import SMTP, EmailPolicy
from email.utils import formatdate, make_msgid
from functools import lru_cache
from pathlib import Path

from botocore.exceptions import ClientError

from chalicelib import config
from chalicelib.domain.notifications import MAX_NAME_LENGTH, MAX_SUBJECT_LENGTH, Email, header_safe

log = logging.getLogger(__name__)

SENDER_NAME = "Ticketry"
# 7-bit transfer encodings throughout: SES relays raw messages as given, and not every hop on the
# way takes 8-bit bodies.
UNFOLDED = SMTP.clone(cte_type="7bit", max_line_length=None)
ADDRESS_HEADERS = frozenset({"from", "to", "cc", "reply-to"})
# A Message-ID as written between its angle brackets (RFC 5322 msg-id: dot-atom text on both sides,
# or a domain literal on the right). Ids from received mail that are anything else, or hold the
# start of an encoded word, are not repeated.
_ATEXT = r"A-Za-z0-9!#$%&'*+\-/=?^_`{|}~."
MESSAGE_ID = re.compile(rf"[{_ATEXT}]{{1,250}}@([{_ATEXT}]{{1,250}}|\[[!-Z^-~]{{1,250}}\])")
MAX_REFERENCES = 20


class _Policy(EmailPolicy):
    """Writes address headers on one line. Folding a long display name can drop the quotes around
    it (CPython's folder does), and "Cc: x@y" inside a name then reads back as another address."""

    def fold_binary(self, name, value):
        if name.lower() in ADDRESS_HEADERS:
            return UNFOLDED.fold_binary(name, value)
        return super().fold_binary(name, value)


POLICY = _Policy(linesep="\r\n", cte_type="7bit")
# SES's answers that will not change on a retry of the same message (a refused recipient, a
# malformed message); anything else (throttling, an outage) is worth retrying.
PERMANENT_ERRORS = frozenset({"MessageRejected", "BadRequestException"})


class MailRejected(Exception):
    """SES refused this message for good."""


class SesMailer:
    def __init__(self, client, sender: str, configuration_set: str | None = None, outbox: str | None = None):
        self.client = client
        self.sender = sender
        self.configuration_set = configuration_set
        self.outbox = Path(outbox) if outbox else None

    def send(self, email: Email, reference: str) -> str:
        """Sends one message and returns SES's message id. `reference` names the outbox copy."""
        try:
            raw = mime(email, self.sender)
        except (ValueError, HeaderParseError) as error:  # an address no header can carry; the directory lets some in
            raise MailRejected(f"no message can be written to {email.to!r}: {error}") from error
        # Recipients named here, never read from the message's headers: whatever a header says,
        # the message goes only to its recipient and those on its Cc.
        destination = {"ToAddresses": [email.to]}
        if cc := carried(email.cc):
            destination["CcAddresses"] = cc
        request = {"FromEmailAddress": email.from_address or self.sender, "Destination": destination,
                   "Content": {"Raw": {"Data": raw}}}
        if self.configuration_set:
            request["ConfigurationSetName"] = self.configuration_set
        try:
            message_id = self.client.send_email(**request)["MessageId"]
        except ClientError as error:
            code = error.response.get("Error", {}).get("Code", "")
            if code in PERMANENT_ERRORS:
                raise MailRejected(f"{code}: {error.response['Error'].get('Message', '')}") from error
            raise
        if self.outbox is not None:
            self._keep(raw, email, reference)
        return message_id

    def _keep(self, raw: bytes, email: Email, reference: str) -> None:
        self.outbox.mkdir(parents=True, exist_ok=True)
        stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S%fZ")
        path = self.outbox / f"{stamp}-{reference}.eml"
        path.write_bytes(raw)
        log.info("email to=%s subject=%s file=%s", email.to, email.subject, path.name)


def mime(email: Email, sender: str) -> bytes:
    """The message as sent. Text from people (names, the subject) is made one safe line here too,
    whatever the caller did; a Message-ID that is not one is left out."""
    message = EmailMessage(policy=POLICY)
    # Address objects, not formatted strings: a display name full of quotes and commas is then
    # encoded as one name instead of being read back as several addresses.
    message["From"] = Address(display_name=header_safe(email.from_name or SENDER_NAME, MAX_NAME_LENGTH),
                              addr_spec=email.from_address or sender)
    message["To"] = Address(display_name=header_safe(email.to_name, MAX_NAME_LENGTH), addr_spec=email.to)
    if cc := carried(email.cc):
        message["Cc"] = [Address(addr_spec=address) for address in cc]
    if email.reply_to:
        message["Reply-To"] = Address(addr_spec=email.reply_to)
    message["Subject"] = header_safe(email.subject, MAX_SUBJECT_LENGTH)
    message["Date"] = formatdate(usegmt=True)
    own = email.message_id if is_message_id(email.message_id) else None
    message["Message-ID"] = f"<{own}>" if own else make_msgid(domain=sender.rpartition("@")[2] or None)
    if is_message_id(email.in_reply_to):
        message["In-Reply-To"] = f"<{email.in_reply_to}>"
    references = [one for one in email.references if is_message_id(one)][-MAX_REFERENCES:]
    if references:
        message["References"] = " ".join(f"<{one}>" for one in references)
    # Asks autoresponders not to answer (RFC 3834), which could otherwise loop with a ticket inbox.
    message["Auto-Submitted"] = email.auto_submitted
    message.set_content(email.text)
    message.add_alternative(email.html, subtype="html")
    raw = message.as_bytes()
    _check_written(raw, message, email)
    return raw


def is_message_id(value: str | None) -> bool:
    """Whether `value` can be written as a Message-ID (without its brackets) and read back as it is."""
    return bool(value) and "=?" not in value and MESSAGE_ID.fullmatch(value) is not None


def carried(addresses: tuple[str, ...]) -> list[str]:
    """The addresses of `addresses` a header can carry, each once: one that none can (a Cc copied
    from received mail may be anything) is left out rather than losing the message."""
    kept: list[str] = []
    for address in addresses:
        try:
            Address(addr_spec=address)
        except (ValueError, HeaderParseError, IndexError):
            log.warning("left out of Cc: %r", address)
            continue
        if address.lower() not in (k.lower() for k in kept):
            kept.append(address)
    return kept


def _check_written(raw: bytes, message: EmailMessage, email: Email) -> None:
    """Reads the bytes back as a receiving server would: exactly the headers written, in order,
    and the recipients. Text from people reaches the headers already cleaned; this holds the
    line whatever the interpreter's email package does with it."""
    parsed = BytesParser(policy=POLICY).parsebytes(raw)
    recipients = [address.addr_spec for address in parsed["To"].addresses] if parsed["To"] else []
    copied = [address.addr_spec for address in parsed["Cc"].addresses] if parsed["Cc"] else []
    if (parsed.keys() != message.keys() or recipients != [email.to] or copied != carried(email.cc)
            or len(parsed.get_payload()) != 2):
        raise ValueError(f"the message read back has headers {parsed.keys()} for {recipients} and {copied}")


def from_settings() -> SesMailer:
    return SesMailer(ses_client(config.aws_endpoint(), config.region()), config.email_sender(),
                     config.ses_configuration_set(), config.email_outbox_dir())


@lru_cache(maxsize=4)
def ses_client(endpoint: str | None, region: str):
    """One client per endpoint for the life of a warm Lambda. boto3 is imported here, not at the top:
    every function of the app imports this module, and only the stream consumer sends mail."""
    import boto3

    return boto3.client("sesv2", endpoint_url=endpoint, region_name=region)
