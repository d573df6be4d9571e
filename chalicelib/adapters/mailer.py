"""Sends email through SES v2, as raw MIME built here, and keeps a copy in an outbox folder when
one is set (the local stack's way of showing what would have gone out)."""
import logging
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
from chalicelib.domain.notifications import Email

log = logging.getLogger(__name__)

SENDER_NAME = "Ticketry"
# 7-bit transfer encodings throughout: SES relays raw messages as given, and not every hop on the
# way takes 8-bit bodies.
UNFOLDED = SMTP.clone(cte_type="7bit", max_line_length=None)
ADDRESS_HEADERS = frozenset({"from", "to"})


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
        # the message goes only to its one recipient.
        request = {"FromEmailAddress": self.sender, "Destination": {"ToAddresses": [email.to]},
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
    message = EmailMessage(policy=POLICY)
    # Address objects, not formatted strings: a display name full of quotes and commas is then
    # encoded as one name instead of being read back as several addresses.
    message["From"] = Address(display_name=SENDER_NAME, addr_spec=sender)
    message["To"] = Address(display_name=email.to_name, addr_spec=email.to)
    message["Subject"] = email.subject
    message["Date"] = formatdate(usegmt=True)
    message["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or None)
    # Asks autoresponders not to answer (RFC 3834), which could otherwise loop with a ticket inbox.
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(email.text)
    message.add_alternative(email.html, subtype="html")
    raw = message.as_bytes()
    _check_written(raw, message, email)
    return raw


def _check_written(raw: bytes, message: EmailMessage, email: Email) -> None:
    """Reads the bytes back as a receiving server would: exactly the headers written, in order,
    and the one recipient. Text from people reaches the headers already cleaned; this holds the
    line whatever the interpreter's email package does with it."""
    parsed = BytesParser(policy=POLICY).parsebytes(raw)
    recipients = [address.addr_spec for address in parsed["To"].addresses] if parsed["To"] else []
    if parsed.keys() != message.keys() or recipients != [email.to] or len(parsed.get_payload()) != 2:
        raise ValueError(f"the message read back has headers {parsed.keys()} for {recipients}")


def from_settings() -> SesMailer:
    return SesMailer(ses_client(config.aws_endpoint(), config.region()), config.email_sender(),
                     config.ses_configuration_set(), config.email_outbox_dir())


@lru_cache(maxsize=4)
def ses_client(endpoint: str | None, region: str):
    """One client per endpoint for the life of a warm Lambda. boto3 is imported here, not at the top:
    every function of the app imports this module, and only the stream consumer sends mail."""
    import boto3

    return boto3.client("sesv2", endpoint_url=endpoint, region_name=region)
