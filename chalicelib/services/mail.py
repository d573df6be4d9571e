"""What the mail use cases need of the outside: sending one message at a time, and reading a
received one. SES sends (adapters/mailer.py, `SesMailer`) and S3 holds what SES received
(adapters/raw_mail.py, `S3RawMail`); in memory an outbox keeps what is sent and a dict what is
received (adapters/memory/), for tests."""
from typing import Protocol

from chalicelib.domain.notifications import Email


class Mail(Protocol):
    def send(self, email: Email, reference: str) -> str:
        """Sends `email`; returns the message id. `reference` names the copy an outbox keeps."""
        ...


class RawMail(Protocol):
    """Received messages as stored, by object key."""

    def get(self, key: str) -> bytes | None:
        """The message's bytes; None when it is not (or no longer) stored."""
        ...

    def delete(self, key: str) -> None: ...
