"""Who hears about a ticket event, and their email: the event's automatic watchers are made, its
audience worked out (domain.watching) and mailed as the rules call for."""
import logging
import time
from dataclasses import replace
from datetime import datetime, timezone

from chalicelib.adapters.mailer import MailRejected, SesMailer
from chalicelib.domain import notifications as rules
from chalicelib.domain import digest, watching
from chalicelib.domain.events import TicketEvent
from chalicelib.domain.people import Member, Team
from chalicelib.domain.tickets import TEAM_PREFIX, parse_key
from chalicelib.domain.watching import Listener, Watcher
from chalicelib.domain.webhooks import Subscription
from chalicelib.services.ports import EventAudience, ToldTickets
from chalicelib.services.requester_mail import RequesterMail

log = logging.getLogger(__name__)

# Longer than a stream keeps records (24 h), so no replay can outlive its event's marker.
MARKER_LIFETIME_SECONDS = 3 * 24 * 3600


class NotificationService:
    """Meant to live for one stream batch: it remembers each project's members and teams for that
    long (a batch mostly holds one project), so a changed setting counts from the next batch on."""

    def __init__(self, directory: EventAudience, tickets: ToldTickets, mailer: SesMailer,
                 public_url: str, clock=time.time, requester_mail: RequesterMail | None = None):
        self.directory = directory
        self.tickets = tickets
        self.mailer = mailer
        self.public_url = public_url
        self.clock = clock
        # A project, its contacts and tickets' threads are read only for a public comment.
        self.requester_mail = requester_mail or RequesterMail(directory, tickets, mailer, clock=clock)
        self._members: dict[str, dict[str, Member]] = {}
        self._teams: dict[tuple[str, str], Team | None] = {}

    def notify(self, event: TicketEvent) -> list[Listener]:
        """The one place an event is told about: makes the watchers the event makes (before anyone
        hears of it, so that a new assignee or a person mentioned hears of it too), works out its
        audience, emails those the rules mail, and returns the audience (for the inbox).

        Delivery is at least once: the addresses mailed are recorded after sending (and checked
        before), so a replayed batch skips them, but a crash between a send and its record mails
        that address again on the retry. Recording before sending would instead lose mail on a
        crash, and SES cannot take a message back.
        """
        watchers = self.ensure_watchers(event)
        refs = [w.watcher for w in watchers if w.watching] + list(watching.mentioned_by(event))
        people = self._people(event.project_id, refs + rules.named_in_changes(event) + [event.ticket.get("assignee")])
        # Whether the event was told before matters only when someone came to watch after it.
        told = self.tickets.notified(event.id) if watching.came_later(event, watchers) else None
        listeners = watching.audience(event, watchers, people, retelling=bool(told))
        # The reply first: whoever it reaches is not mailed about the comment again below.
        if self.requester_mail.reply(event, people):
            told = None
        self._mail(event, rules.recipients(event, listeners, people), people, told, self._hourly(listeners, people))
        return listeners

    @staticmethod
    def _hourly(listeners: list[Listener], people: rules.People) -> set[str]:
        """The addresses of the members who chose an hourly digest for the kind the event is to them."""
        found = set()
        for listener in listeners:
            member = people.members.get(listener.user_id) if listener.user_id else None
            if member is not None and member.notification_delivery.hourly(listener.kind):
                found.add(member.email.lower())
        return found

    def ensure_watchers(self, event: TicketEvent) -> list[Watcher]:
        """The ticket's watchers once the event's automatic ones are added: one Query, and a
        conditional Put for each missing one (a replayed event finds them and adds none)."""
        ticket_id = str(event.ticket.get("id") or "")
        if not ticket_id:
            return []
        teams = {team_id: team for team_id in watching.teams_named(event)
                 if (team := self._team(event.project_id, team_id)) is not None}
        existing = self.tickets.watchers(ticket_id)
        missing = watching.missing(event, watching.subscriptions(event, teams), existing)
        if not missing:
            return existing
        added = {w.watcher for w in self.tickets.add_watchers(missing)}
        if len(added) < len(missing):
            existing = self.tickets.watchers(ticket_id)  # some were made meanwhile: as they are now
            return existing
        return existing + missing

    def _mail(self, event: TicketEvent, recipients: list[rules.Recipient], people: rules.People,
              told: frozenset[str] | None, hourly: set[str] = frozenset()) -> list[str]:
        """Emails each recipient not yet mailed about the event (`told`, when already read), or
        queues the event for the hourly digest of those in `hourly`; returns the addresses dealt
        with (sent to, queued, or refused by SES for good), which a replay passes over."""
        if not recipients:
            return []
        already = {address.lower() for address in (told if told is not None else self.tickets.notified(event.id))}
        done: list[str] = []
        try:
            for number, recipient in enumerate(recipients, 1):
                if recipient.address.lower() in already:
                    continue
                if recipient.address.lower() in hourly:
                    self.tickets.queue_digest_line(digest.hour_of(self.clock()), recipient.address,
                                                   digest.line(event, people, recipient.name, recipient.reason),
                                                   int(self.clock()) + digest.QUEUE_LIFETIME_SECONDS)
                    done.append(recipient.address)
                    continue
                email = replace(rules.compose(event, recipient, people, self.public_url),
                                reply_to=self._reply_address(event))
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

    def _reply_address(self, event: TicketEvent) -> str | None:
        """The ticket's reply address: an answer to its email becomes a comment on it."""
        key = parse_key(str(event.ticket.get("key") or ""))
        ticket_id = str(event.ticket.get("id") or "")
        return self.requester_mail.reply_address(event.project_id, key[0], ticket_id) if key and ticket_id else None

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

    def _people(self, project_id: str, refs: list) -> rules.People:
        """All members (one Query) and the teams among `refs` (one GetItem each), cached."""
        if project_id not in self._members:
            self._members[project_id] = {m.user_id: m for m in self.directory.members(project_id)}
        teams = {}
        for ref in refs:
            if isinstance(ref, str) and ref.startswith(TEAM_PREFIX):
                team = self._team(project_id, ref[len(TEAM_PREFIX):])
                if team is not None:
                    teams[team.id] = team
        return rules.People(members=self._members[project_id], teams=teams)

    def _team(self, project_id: str, team_id: str) -> Team | None:
        if (project_id, team_id) not in self._teams:
            self._teams[(project_id, team_id)] = self.directory.team(project_id, team_id)
        return self._teams[(project_id, team_id)]
