"""The local stack's SMTP server: takes mail for any recipient and stores each message, raw, in the
inbound bucket under `inbound/<id>` with the headers SES's receipt rule adds in front of it (a
`Return-Path`, a `Received` line naming the recipient, and the spam, virus, SPF, DKIM and DMARC
verdicts), so that the S3 event reaches the same handler as on AWS.

A message that already carries `X-SES-Spam-Verdict` keeps the verdicts it brings: how a test sends
a message that failed a check. On AWS, SES's own headers always come first, and the handler reads
only the topmost of each.
"""
import logging
import secrets
from email.utils import formatdate
from typing import Callable

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session

log = logging.getLogger(__name__)

SERVER_NAME = "ticketry-local-smtp"
KEY_PREFIX = "inbound/"
# What SES's receiving takes: messages up to 40 MB, headers included.
MAX_MESSAGE_BYTES = 40 * 1024 * 1024
_ID_ALPHABET = "0123456789abcdefghijklmnopqrstuv"
VERDICT_HEADER = b"x-ses-spam-verdict:"


def message_id() -> str:
    """An id shaped like SES's object names: 40 lowercase base32 characters."""
    return "".join(secrets.choice(_ID_ALPHABET) for _ in range(40))


def received_headers(envelope: Envelope, session: Session, object_id: str, raw: bytes) -> bytes:
    """The lines SES writes in front of a message it stores; the verdicts only when the message
    brings none of its own."""
    sender = envelope.mail_from or ""
    sender_domain = sender.rpartition("@")[2] or "unknown"
    peer = session.peer[0] if isinstance(session.peer, tuple) else str(session.peer)
    lines = [
        f"Return-Path: <{sender}>",
        f"Received: from {session.host_name or 'unknown'} ({peer}) by {SERVER_NAME} with SMTP id {object_id} "
        f"for {envelope.rcpt_tos[0]}; {formatdate(usegmt=True)}",
    ]
    if not _carries_verdicts(raw):
        lines += [
            "X-SES-Spam-Verdict: PASS",
            "X-SES-Virus-Verdict: PASS",
            f"Received-SPF: pass ({SERVER_NAME}: domain of {sender} designates {peer} as permitted sender) "
            f"client-ip={peer}; envelope-from={sender};",
            f"Authentication-Results: {SERVER_NAME}; spf=pass smtp.mailfrom={sender}; dkim=pass; "
            f"dmarc=pass header.from={sender_domain}",
        ]
    return "".join(line + "\r\n" for line in lines).encode("utf-8", "replace")


def _carries_verdicts(raw: bytes) -> bool:
    header_block = raw.split(b"\r\n\r\n", 1)[0].split(b"\n\n", 1)[0]
    return any(line.lower().startswith(VERDICT_HEADER) for line in header_block.splitlines())


class StoringHandler:
    """aiosmtpd's handler: each message accepted is stored by `store(key, raw)` before the server
    answers 250, so a sender that got its 250 can count on the message being there."""

    def __init__(self, store: Callable[[str, bytes], None]):
        self.store = store

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        object_id = message_id()
        raw = envelope.original_content or b""
        stored = received_headers(envelope, session, object_id, raw) + raw
        try:
            self.store(KEY_PREFIX + object_id, stored)
        except Exception:  # noqa: BLE001 - any storage failure: the sender may try again later
            log.exception("could not store a message from %s", envelope.mail_from)
            return "451 Requested action aborted: local error in processing"
        log.info("received mail from=%s to=%s key=%s%s (%d bytes)", envelope.mail_from, ",".join(envelope.rcpt_tos),
                 KEY_PREFIX, object_id, len(stored))
        return "250 Message accepted for delivery"


def start(store: Callable[[str, bytes], None], host: str, port: int) -> Controller:
    """A running server; `stop()` on what is returned ends it."""
    controller = Controller(StoringHandler(store), hostname=host, port=port, server_hostname=SERVER_NAME,
                            data_size_limit=MAX_MESSAGE_BYTES, decode_data=False)
    controller.start()
    return controller
