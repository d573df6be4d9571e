"""Who watches a ticket, and who hears about each of its events.

A watcher is a member (their user id) or a team (`team:<id>`). Some are made by events (the
reporter, the assignee, whoever comments or is mentioned), others by people (subscribed to a ticket
themselves, or added by someone). Unsubscribing is remembered: an event never makes an existing
watcher again, whatever its state. The audience of an event is who hears about it: its watchers,
whoever it mentions, and the admins for a breach; never the actor, never an automation, each once.
"""
from dataclasses import dataclass
from typing import Any, Iterable, Mapping

from chalicelib.domain import mentions
from chalicelib.domain.events import SYSTEM_ACTOR, TicketEvent
from chalicelib.domain.people import Member, Team
from chalicelib.domain.tickets import AUTOMATION_PREFIX, CONTACT_PREFIX, TEAM_PREFIX, Events

WATCHING = "watching"
UNSUBSCRIBED = "unsubscribed"
STATES = (WATCHING, UNSUBSCRIBED)
# Why someone watches: made by an event (the first four) or by a person (themselves, or another).
REPORTER, ASSIGNEE, COMMENTER, MENTIONED, SUBSCRIBED, ADDED = (
    "reporter", "assignee", "commenter", "mentioned", "subscribed", "added")
REASONS = (REPORTER, ASSIGNEE, COMMENTER, MENTIONED, SUBSCRIBED, ADDED)
# A listener who hears about a breach for being an admin rather than a watcher.
ADMIN = "admin"

# The member setting (NotificationSettings field) each event comes under; `mentioned` when the
# event mentions the listener.
KIND_OF_EVENT = {
    Events.TICKET_CREATED: "ticket_created",
    Events.TICKET_UPDATED: "ticket_updated",
    Events.TICKET_DELETED: "ticket_updated",
    Events.DUPLICATE_RECEIVED: "ticket_updated",
    Events.ATTACHMENT_ADDED: "ticket_updated",
    Events.ATTACHMENT_REMOVED: "ticket_updated",
    Events.COMMENT_ADDED: "comment_added",
    Events.COMMENT_UPDATED: "comment_added",
    Events.COMMENT_DELETED: "comment_added",
    Events.TICKET_OVERDUE: "ticket_overdue",
    Events.SLA_AT_RISK: "sla",
    Events.SLA_BREACHED: "sla",
}
MENTIONED_KIND = "mentioned"
# The events every watcher is emailed about (a TICKET_UPDATED only for these changes); any other
# event is emailed only to those it newly mentions.
MAILED_EVENTS = frozenset({Events.TICKET_CREATED, Events.COMMENT_ADDED, Events.TICKET_UPDATED, Events.TICKET_OVERDUE,
                           Events.SLA_AT_RISK, Events.SLA_BREACHED})
NOTIFYING_CHANGES = ("status", "assignee")


@dataclass(frozen=True)
class Watcher:
    ticket_id: str
    project_id: str
    watcher: str         # a member's user id, or `team:<id>`
    state: str           # WATCHING or UNSUBSCRIBED
    reason: str          # one of REASONS: why they came to watch
    added_by: str        # the actor whose event or request made them a watcher
    since: str           # when they came to watch (or stopped)
    created_key: str     # the ticket's order (Ticket.sort_key), which lists watched tickets newest first

    @property
    def watching(self) -> bool:
        return self.state == WATCHING

    @property
    def is_team(self) -> bool:
        return self.watcher.startswith(TEAM_PREFIX)


@dataclass(frozen=True)
class Subscription:
    """A watcher an event makes, unless the ticket already has one by that ref."""
    ref: str
    reason: str


@dataclass(frozen=True)
class People:
    """The project's members (all of them) and the teams an event names."""
    members: dict[str, Member]
    teams: dict[str, Team]

    def team(self, ref: str) -> Team | None:
        return self.teams.get(ref[len(TEAM_PREFIX):])


@dataclass(frozen=True)
class Listener:
    """Someone who hears about an event: a member (user_id, and their address) or a team's own
    address (no user_id)."""
    user_id: str | None
    address: str | None
    name: str
    reason: str          # the watcher's reason, MENTIONED for one who does not watch, ADMIN for a breach
    kind: str            # the NotificationSettings kind the event comes under for them
    mentioned: bool      # the event mentions them (or a team they are in), newly
    team: str | None = None  # the team they hear through, when the team watches or is mentioned


def is_person(ref: str | None) -> bool:
    """A member's user id, as opposed to a team, an automation, the system or a contact (who writes
    in by email, watches nothing and hears only of public replies, on the ticket's email thread)."""
    return bool(ref) and ref != SYSTEM_ACTOR and not ref.startswith(
        (TEAM_PREFIX, AUTOMATION_PREFIX, CONTACT_PREFIX))


def ticket_order(event: TicketEvent) -> str:
    """Ticket.sort_key of the event's ticket."""
    return f"{event.ticket.get('created_at', '')}#{event.ticket.get('id', '')}"


def mentioned_by(event: TicketEvent) -> tuple[str, ...]:
    """Whom the event mentions for the first time: a new comment's or a new ticket's mentions, and
    those an edit (of a comment or the description) adds."""
    if event.type == Events.COMMENT_ADDED:
        return mentions.mentioned((event.comment or {}).get("body"))
    if event.type == Events.TICKET_CREATED:
        return mentions.mentioned(event.ticket.get("description"))
    edited = {Events.TICKET_UPDATED: "description", Events.COMMENT_UPDATED: "comment"}.get(event.type)
    change = event.changes.get(edited) if edited else None
    if isinstance(change, dict):
        return mentions.newly_mentioned(_text(change.get("old")), _text(change.get("new")))
    return ()


def teams_named(event: TicketEvent) -> list[str]:
    """The team ids whose teams the event's subscriptions and audience need."""
    refs = [event.ticket.get("assignee"), *mentioned_by(event)]
    return [ref[len(TEAM_PREFIX):] for ref in dict.fromkeys(refs) if isinstance(ref, str) and ref.startswith(TEAM_PREFIX)]


def subscriptions(event: TicketEvent, teams: Mapping[str, Team]) -> list[Subscription]:
    """Whom the event makes a watcher, each once, by the first reason that applies: the reporter
    and the assignee (on any event, so tickets made before watchers get theirs), the commenter, and
    each person or team newly mentioned. A team with an address watches as itself, one without
    through its members. Automations never watch; a deleted ticket makes no one."""
    if event.type == Events.TICKET_DELETED:
        return []
    wanted: dict[str, str] = {}

    def add(ref: Any, reason: str) -> None:
        if not isinstance(ref, str):
            return
        if ref.startswith(TEAM_PREFIX):
            team = teams.get(ref[len(TEAM_PREFIX):])
            if team is None:
                return
            if team.email:
                wanted.setdefault(ref, reason)
            else:
                for user_id in team.members:
                    wanted.setdefault(user_id, reason)
        elif is_person(ref):
            wanted.setdefault(ref, reason)

    add(event.ticket.get("reporter"), REPORTER)
    add(event.ticket.get("assignee"), ASSIGNEE)
    if event.type == Events.COMMENT_ADDED:
        add(event.actor, COMMENTER)
    for ref in mentioned_by(event):
        add(ref, MENTIONED)
    return [Subscription(ref, reason) for ref, reason in wanted.items()]


def missing(event: TicketEvent, wanted: Iterable[Subscription], existing: Iterable[Watcher]) -> list[Watcher]:
    """The watchers to add for `wanted`: those the ticket has no watcher for at all (an
    unsubscribed one is remembered, and stays so)."""
    known = {watcher.watcher for watcher in existing}
    return [Watcher(ticket_id=str(event.ticket.get("id", "")), project_id=event.project_id, watcher=sub.ref,
                    state=WATCHING, reason=sub.reason, added_by=event.actor, since=event.timestamp,
                    created_key=ticket_order(event))
            for sub in wanted if sub.ref not in known]


def came_later(event: TicketEvent, watchers: Iterable[Watcher]) -> bool:
    """Whether someone watches since after the event: made by a later event handled first (a
    retried stream record), or subscribed meanwhile."""
    return any(watcher.watching and watcher.since > event.timestamp for watcher in watchers)


def audience(event: TicketEvent, watchers: Iterable[Watcher], people: People, *,
             retelling: bool = False) -> list[Listener]:
    """Who hears about `event`: the watching watchers (a team through its address, or its members
    when it has none), whoever the event mentions (even one who stopped watching: they were named),
    and the admins for a breach; never the actor, never an automation, each person and team address
    once (a person sharing a team's address is still a person: the email rules mail it once).

    `retelling`: the event was told to someone before (a retried stream record). Then those who
    came to watch after it do not hear of it, so that it reaches the same people however often it
    is retried; told for the first time, it reaches whoever watches now."""
    mentioned = set(mentioned_by(event))
    event_kind = KIND_OF_EVENT.get(event.type, "ticket_updated")
    found: list[Listener] = []
    people_seen: set[str] = set()
    addresses_seen: set[str] = set()

    def add_member(user_id: str, reason: str, team: Team | None = None) -> None:
        member = people.members.get(user_id)
        if member is None or user_id == event.actor or user_id in people_seen:
            return
        in_mentioned_team = team is not None and f"{TEAM_PREFIX}{team.id}" in mentioned
        is_mentioned = user_id in mentioned or in_mentioned_team
        people_seen.add(user_id)
        found.append(Listener(user_id=user_id, address=member.email, name=member.name, reason=reason,
                              kind=MENTIONED_KIND if is_mentioned else event_kind, mentioned=is_mentioned,
                              team=team.name if team is not None and user_id not in mentioned else None))

    def add_ref(ref: str, reason: str) -> None:
        if ref.startswith(TEAM_PREFIX):
            team = people.team(ref)
            if team is None:
                return
            if team.email:
                if team.email.lower() in addresses_seen:
                    return
                addresses_seen.add(team.email.lower())
                is_mentioned = ref in mentioned
                found.append(Listener(user_id=None, address=team.email, name=team.name, reason=reason,
                                      kind=MENTIONED_KIND if is_mentioned else event_kind, mentioned=is_mentioned,
                                      team=team.name))
            else:
                for user_id in team.members:
                    add_member(user_id, reason, team)
        elif is_person(ref):
            add_member(ref, reason)

    for watcher in watchers:
        if watcher.watching and not (retelling and watcher.since > event.timestamp):
            add_ref(watcher.watcher, watcher.reason)
    for ref in mentioned_by(event):
        add_ref(ref, MENTIONED)
    if event.type == Events.SLA_BREACHED:
        for member in people.members.values():
            if member.role == "admin":
                add_member(member.user_id, ADMIN)
    return found


def emailed(event: TicketEvent, listener: Listener) -> bool:
    """Whether the rules mail `listener` about `event` (their settings aside): every listener of the
    events that move a ticket along, only those newly mentioned of any other."""
    if listener.mentioned:
        return True
    if event.type not in MAILED_EVENTS:
        return False
    if event.type == Events.TICKET_UPDATED:
        return any(name in event.changes for name in NOTIFYING_CHANGES)
    return True


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None
