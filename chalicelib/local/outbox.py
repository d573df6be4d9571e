"""Watches the outbox for sign-in codes and logs each one ("sign-in code for x@y: 123456"): whoever
runs the stack signs in from its log, without opening the .eml. Also reads a sign-in email's code
and link token, as a person would (the tests and the sign-in benchmark do)."""
import logging
import os
import re
import threading
from email import message_from_bytes
from email.message import EmailMessage
from email.parser import BytesHeaderParser
from email.policy import default
from pathlib import Path

log = logging.getLogger("chalicelib.local.stack")

CODE_SUBJECT = re.compile(r"sign-in code: (\d+)\s*$")
LINK_TOKEN = re.compile(r"#link=([A-Za-z0-9_-]+)")


def newest_email(outbox: Path) -> EmailMessage:
    newest = max(outbox.glob("*.eml"), key=lambda path: (path.stat().st_mtime_ns, path.name))
    return message_from_bytes(newest.read_bytes(), policy=default)


def code_and_token(outbox: Path) -> tuple[str, str]:
    """The code and the link token of the newest email, which must be a sign-in email."""
    message = newest_email(outbox)
    code = CODE_SUBJECT.search(message["Subject"]).group(1)
    token = LINK_TOKEN.search(message.get_body(("plain",)).get_content()).group(1)
    return code, token


class CodeWatcher:
    """Reads the emails written after it started, every `interval` seconds, in a thread of its own."""

    def __init__(self, outbox: Path, interval: float = 0.25):
        self.outbox = outbox
        self.interval = interval
        self._seen = self._names()
        self._stop = threading.Event()
        self.thread = threading.Thread(target=self._run, name="outbox", daemon=True)

    def start(self) -> None:
        self.thread.start()

    def stop(self) -> None:
        self._stop.set()
        self.thread.join()

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self.look()
        self.look()  # a code sent just before the stop

    def look(self) -> None:
        for name in sorted(self._names() - self._seen):
            try:
                raw = (self.outbox / name).read_bytes()
            except OSError:
                continue
            if b"\r\n\r\n" not in raw:
                continue  # still being written (the mailer writes in place): read again next time
            self._seen.add(name)
            try:
                headers = BytesHeaderParser(policy=default).parsebytes(raw)
                found = CODE_SUBJECT.search(str(headers.get("Subject", "")))
                recipients = headers["To"].addresses if found and headers["To"] else ()
            except Exception:  # noqa: BLE001 - an email it cannot read is no reason to stop the stack
                log.warning("the outbox's %s could not be read", name, exc_info=True)
                continue
            if recipients:
                log.info("sign-in code for %s: %s", recipients[0].addr_spec, found.group(1))

    def _names(self) -> set[str]:
        try:
            with os.scandir(self.outbox) as entries:
                return {entry.name for entry in entries if entry.name.endswith(".eml")}
        except FileNotFoundError:
            return set()
