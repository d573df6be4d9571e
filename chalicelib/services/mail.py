"""What the use cases that write to people need to send it: one message at a time. SES sends it
(adapters/mailer.py, `SesMailer`); in memory an outbox keeps it (adapters/memory/outbox.py), for
tests to read."""
from typing import Protocol

from chalicelib.domain.notifications import Email


class Mail(Protocol):
    def send(self, email: Email, reference: str) -> str:
        """Sends `email`; returns the message id. `reference` names the copy an outbox keeps."""
        ...
