"""Email notifications: turns one ticket event into the emails the rules call for and sends them."""
import logging
import time
from datetime import datetime, timezone

from chalicelib.adapters.mailer import MailRejected, SesMailer
from chalicelib.domain import notifications as rules
from chalicelib.domain.inbox import Heard
from chalicelib.domain.events import TicketEvent
from chalicelib.domain.people import Member, Team
from chalicelib.domain.tickets import TEAM_PREFIX
from chalicelib.domain.webhooks import Subscription
from chalicelib.services.ports import Notified, Recipients

log = logging.getLogger(__name__)

# Longer than a stream keeps records (24 h), so no replay can outlive its event's marker.
MARKER_LIFETIME_SECONDS = 3 * 24 * 3600


class NotificationService:
    """Meant to live for one stream batch: it remembers each project's members and teams for that
    long (a batch mostly holds one project), so a changed setting counts from the next batch on."""

    def __init__(self, directory: Recipients, tickets: Notified, mailer: SesMailer,
                 public_url: str, clock=time.time):
        self.directory = directory
        self.tickets = tickets
        self.mailer = mailer
        self.public_url = public_url
        self.clock = clock
        self._members: dict[str, dict[str, Member]] = {}
        self._teams: dict[tuple[str, str], Team | None] = {}

    def notify(self, event: TicketEvent) -> list[str]:
        """Emails everyone the event concerns; returns the addresses dealt with (sent to, or refused
        by SES for good).

        Delivery is at least once: the addresses mailed are recorded after sending (and checked
        before), so a replayed batch skips them, but a crash between a send and its record mails
        that address again on the retry. Recording before sending would instead lose mail on a
        crash, and SES cannot take a message back.
        """
        parties = rules.concerned(event)
        if not parties:
            return []
        people = self._people(event.project_id, [p.ref for p in parties] + rules.named_in_changes(event))
        recipients = rules.recipients(event, parties, people)
        if not recipients:
            return []
        already = {address.lower() for address in self.tickets.notified(event.id)}
        done: list[str] = []
        try:
            for number, recipient in enumerate(recipients, 1):
                if recipient.address.lower() in already:
                    continue
                email = rules.compose(event, recipient, people, self.public_url)
                try:
                    self.mailer.send(email, reference=f"{event.id}-{number}")
                except MailRejected as rejected:
                    # Retrying cannot help, and a failed record would hold up the whole shard.
                    log.error("email about %s to %s rejected: %s", event.id, recipient.address, rejected)
                done.append(recipient.address)
        finally:
            if done:
                self._record_sent(event.id, done)
        return done

    def audience(self, event: TicketEvent) -> list[Heard]:
        """The members the event concerns, whatever their email settings: the reporter and the
        assignee (a team without an address as its members), the admins of a breach."""
        parties = rules.concerned(event)
        people = self._people(event.project_id, [p.ref for p in parties])
        heard: dict[str, Heard] = {}
        for party in parties:
            if party.ref == rules.ADMINS:
                refs = [m.user_id for m in people.members.values() if m.role == "admin"]
            elif party.ref.startswith(TEAM_PREFIX):
                team = people.team(party.ref)
                refs = list(team.members) if team is not None and not team.email else []
            else:
                refs = [party.ref]
            for ref in refs:
                if ref in people.members and ref != event.actor:
                    heard.setdefault(ref, Heard(ref))
        return list(heard.values())

    def accounts(self, project_id: str) -> dict[str, str]:
        """The project's members' accounts by user id (from the batch's cached members)."""
        members = self._people(project_id, []).members
        return {user_id: m.account_id for user_id, m in members.items() if m.account_id is not None}

    def _record_sent(self, event_id: str, addresses: list[str]) -> None:
        """Records the addresses mailed. Failing that (after the storage's own retries), the mail
        is out all the same: the event must not be handled again for it, or they would be mailed
        twice. Only a replay of the event for another reason would mail them again."""
        try:
            self.tickets.record_notified(event_id, addresses, int(self.clock()) + MARKER_LIFETIME_SECONDS)
        except Exception:  # noqa: BLE001 - any storage failure; the mail itself has gone
            log.exception("could not record the email about %s sent to %d people", event_id, len(addresses))

    def webhook_disabled(self, subscription: Subscription) -> None:
        """Emails whoever made a subscription (every admin, when an automation made it) that it was
        switched off."""
        members = self.directory.members(subscription.project_id)
        owners = [m for m in members if m.user_id == subscription.created_by]
        if not owners:
            owners = [m for m in members if m.role == "admin"]
        since = datetime.fromtimestamp(subscription.failing_since or self.clock(), timezone.utc).isoformat()
        for number, owner in enumerate(owners, 1):
            email = rules.compose_webhook_disabled(subscription.name, subscription.url, since, owner.email, owner.name)
            try:
                self.mailer.send(email, reference=f"webhook-{subscription.id}-{number}")
            except MailRejected as rejected:
                log.error("email about disabled webhook %s to %s rejected: %s", subscription.id, owner.email, rejected)

    def _people(self, project_id: str, refs: list[str]) -> rules.People:
        """All members (one Query) and the teams among `refs` (one GetItem each), cached."""
        if project_id not in self._members:
            self._members[project_id] = {m.user_id: m for m in self.directory.members(project_id)}
        teams = {}
        for ref in refs:
            if ref.startswith(TEAM_PREFIX):
                team_id = ref[len(TEAM_PREFIX):]
                if (project_id, team_id) not in self._teams:
                    self._teams[(project_id, team_id)] = self.directory.team(project_id, team_id)
                if self._teams[(project_id, team_id)] is not None:
                    teams[team_id] = self._teams[(project_id, team_id)]
        return rules.People(members=self._members[project_id], teams=teams)
