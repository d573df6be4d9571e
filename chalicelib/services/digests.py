"""Hourly digests: each minute, the finished hours not yet done are sent, one email per recipient
per hour with that hour's lines grouped by ticket (domain.digest). A recipient is claimed before
their digest goes out, so overlapping sweeps send it once; a failed send releases the claim and
the hour stays open for the next sweep. A crash between a claim and its send loses that digest:
an hourly summary sent twice is worse than one, now and then, not sent."""
import logging
import time
from typing import Callable

from chalicelib.adapters.mailer import MailRejected
from chalicelib.domain import digest as rules
from chalicelib.domain.digest import Line
from chalicelib.services.mail import Mail
from chalicelib.services.ports import Digests

log = logging.getLogger(__name__)
# Lines are queued by the stream's clock: a sweep leaves an hour alone for this long after it ends,
# so a line queued in its last moment is read with the rest.
GRACE_SECONDS = 120
SENT_RECORD_LIFETIME_SECONDS = 3 * 24 * 3600


class DigestService:
    def __init__(self, digests: Digests, mail: Callable[[], Mail], public_url: Callable[[], str],
                 clock: Callable[[], float] = time.time):
        self.digests = digests
        self.mail = mail
        self.public_url = public_url
        self.clock = clock

    def send_due(self) -> int:
        """Sends the digests of the finished hours not done yet; returns how many went out."""
        now = self.clock()
        hours = rules.finished_hours(now - GRACE_SECONDS)
        done = self.digests.digest_hours_done(hours)
        sent = 0
        for hour in (h for h in hours if h not in done):
            lines: dict[str, list[Line]] = {}
            for address, line in self.digests.digest_lines(hour):
                lines.setdefault(address, []).append(line)
            complete = True
            expires_at = int(now) + SENT_RECORD_LIFETIME_SECONDS
            for number, (address, theirs) in enumerate(sorted(lines.items()), 1):
                if not self.digests.claim_digest(hour, address, expires_at):
                    continue  # another sweep sent it
                try:
                    self.mail().send(rules.compose(address, hour, theirs, self.public_url()),
                                     reference=f"digest-{hour}-{number}")
                    sent += 1
                except MailRejected as rejected:
                    log.error("digest of %s to %s rejected: %s", hour, address, rejected)
                except Exception:  # noqa: BLE001 - the next sweep tries again
                    log.exception("digest of %s to %s failed; it will be retried", hour, address)
                    self.digests.release_digest(hour, address)
                    complete = False
            if complete:
                self.digests.finish_digest_hour(hour, expires_at)
        return sent
