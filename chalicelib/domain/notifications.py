"""Ticket email: who an event concerns, who of them gets mail, and what it says. Pure: the
notification service feeds in the project's people and hands the results to the mailer."""
import html
import re
import unicodedata
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from chalicelib.domain.events import SYSTEM_ACTOR, TicketEvent
from chalicelib.domain.people import Member, Team
from chalicelib.domain.tickets import AUTOMATION_PREFIX, TEAM_PREFIX, Events

# The member setting (NotificationSettings field) that governs each event type that sends mail.
KIND_OF_EVENT = {
    Events.TICKET_CREATED: "ticket_created",
    Events.TICKET_UPDATED: "ticket_updated",
    Events.COMMENT_ADDED: "comment_added",
    Events.TICKET_OVERDUE: "ticket_overdue",
    Events.SLA_AT_RISK: "sla",
    Events.SLA_BREACHED: "sla",
}
# Stands for the project's admins, whom a breach concerns besides the assignee.
ADMINS = "admins"
TARGET_WORDS = {"acknowledge": "acknowledgement", "resolve": "resolution"}
# An update is worth an email only when it moves the ticket along or hands it to someone else.
NOTIFYING_CHANGES = ("status", "assignee")

MAX_SUBJECT_LENGTH = 200
MAX_NAME_LENGTH = 100
MAX_VALUE_LENGTH = 300
MAX_QUOTE_LENGTH = 5000
# Change-list order; any other changed field follows these.
FIELD_ORDER = ("title", "status", "severity", "assignee", "due_date", "tags", "description")
# Control and format characters (CR, LF, NUL, bidi overrides, ...) and line/paragraph separators:
# none belongs in a header, and a bidi override could disguise a subject.
_UNSAFE_CATEGORIES = frozenset({"Cc", "Cf", "Zl", "Zp"})
# How an RFC 2047 encoded word begins ("=?utf-8?q?...?="): text from people must never carry one
# into a header, where it would be decoded instead of shown.
ENCODED_WORD_START = "=?"


@dataclass(frozen=True)
class Party:
    """Someone an event concerns, as the ticket names them: a member's user id, `team:<id>` or
    `automation:<name>`."""
    ref: str
    role: str  # assignee or reporter


@dataclass(frozen=True)
class People:
    """The project's members (all of them) and the teams an event names."""
    members: dict[str, Member]
    teams: dict[str, Team]

    def team(self, ref: str) -> Team | None:
        return self.teams.get(ref[len(TEAM_PREFIX):])

    def display(self, ref: str | None) -> str:
        return header_safe(self._name(ref), MAX_NAME_LENGTH)

    def _name(self, ref: str | None) -> str:
        if not ref:
            return "nobody"
        if ref == SYSTEM_ACTOR:
            return "Ticketry"
        if ref.startswith(AUTOMATION_PREFIX):
            return f"automation {ref[len(AUTOMATION_PREFIX):]}"
        if ref.startswith(TEAM_PREFIX):
            team = self.team(ref)
            return f"team {team.name}" if team else ref
        member = self.members.get(ref)
        return member.name if member else ref


@dataclass(frozen=True)
class Recipient:
    address: str
    name: str
    reason: str  # completes "You get this email because ..."


@dataclass(frozen=True)
class Email:
    to: str
    to_name: str
    subject: str
    text: str
    html: str


def concerned(event: TicketEvent) -> list[Party]:
    """The people the issue's rules name for an event, before settings and the actor are applied."""
    assignee, reporter = event.ticket.get("assignee"), event.ticket.get("reporter")
    if event.type == Events.TICKET_CREATED:
        wanted = [(assignee, "assignee")] if assignee != reporter else []
    elif event.type == Events.TICKET_UPDATED:
        touched = any(name in event.changes for name in NOTIFYING_CHANGES)
        wanted = [(assignee, "assignee"), (reporter, "reporter")] if touched else []
    elif event.type == Events.COMMENT_ADDED:
        wanted = [(reporter, "reporter"), (assignee, "assignee")]
    elif event.type in (Events.TICKET_OVERDUE, Events.SLA_AT_RISK):
        wanted = [(assignee, "assignee")]
    elif event.type == Events.SLA_BREACHED:
        wanted = [(assignee, "assignee"), (ADMINS, "admin")]
    else:
        wanted = []
    parties: dict[str, Party] = {}
    for ref, role in wanted:
        if ref and ref not in parties:
            parties[ref] = Party(ref, role)
    return list(parties.values())


def named_in_changes(event: TicketEvent) -> list[str]:
    """Parties an email names besides those it goes to: the assignee before a reassignment."""
    change = event.changes.get("assignee") or {}
    return [ref for ref in (change.get("old"), change.get("new")) if isinstance(ref, str) and ref]


def recipients(event: TicketEvent, parties: list[Party], people: People) -> list[Recipient]:
    """Mailboxes to write to, each once. Never the actor (nor the actor as a team member); never an
    automation (it has no mailbox); a member who turned this kind off is skipped, while a team's
    own address always gets it, as no one person's setting speaks for it."""
    kind = KIND_OF_EVENT[event.type]
    key = event.ticket.get("key", "")
    found: dict[str, Recipient] = {}

    def add(address: str, name: str, reason: str) -> None:
        found.setdefault(address.lower(), Recipient(address, name, reason))

    def add_member(user_id: str, reason: str) -> None:
        member = people.members.get(user_id)
        if member is None or user_id == event.actor or not member.notifications.wants(kind):
            return
        add(member.email, member.name, reason)

    for party in parties:
        if party.ref == ADMINS:
            for member in people.members.values():
                if member.role == "admin":
                    add_member(member.user_id, f"you are an admin of the project of {key}")
            continue
        if party.ref.startswith(AUTOMATION_PREFIX):
            continue
        if party.ref.startswith(TEAM_PREFIX):
            team = people.team(party.ref)
            if team is None:
                continue
            if team.email:
                add(team.email, team.name, f"team {team.name} is the {party.role} of {key}")
            else:
                for user_id in team.members:
                    add_member(user_id, f"you are in team {team.name}, the {party.role} of {key}")
        else:
            add_member(party.ref, f"you are the {party.role} of {key}")
    return list(found.values())


def compose(event: TicketEvent, recipient: Recipient, people: People, public_url: str) -> Email:
    ticket = event.ticket
    key = str(ticket.get("key", ""))
    title = header_safe(str(ticket.get("title", "")), MAX_SUBJECT_LENGTH)
    link = ticket_link(public_url, event.project_id, str(ticket.get("id", "")))
    actor = people.display(event.actor)
    facts: list[tuple[str, str]] = []
    quote_text = None
    if event.type == Events.TICKET_CREATED:
        intro = f"{actor} created {key}: {title}"
        facts = [("Status", _value(ticket.get("status"))), ("Severity", _value(ticket.get("severity"))),
                 ("Assignee", people.display(ticket.get("assignee")))]
        if ticket.get("due_date"):
            facts.append(("Due", _value(ticket["due_date"])))
        quote_text = _shorten(str(ticket.get("description") or ""), MAX_QUOTE_LENGTH) or None
    elif event.type == Events.TICKET_UPDATED:
        intro = f"{actor} changed {key}: {title}"
        for name in sorted(event.changes, key=_field_rank):
            change = event.changes[name] or {}
            old, new = (_describe(name, change.get(side), people) for side in ("old", "new"))
            facts.append((_label(name), f"{old} \u2192 {new}"))
    elif event.type == Events.COMMENT_ADDED:
        intro = f"{actor} commented on {key}: {title}"
        quote_text = _shorten(str((event.comment or {}).get("body") or ""), MAX_QUOTE_LENGTH)
    elif event.type == Events.TICKET_OVERDUE:
        intro = f"{key} is overdue: {title}"
        facts = [("Due", _value(ticket.get("due_date"))), ("Status", _value(ticket.get("status"))),
                 ("Assignee", people.display(ticket.get("assignee")))]
    elif event.type in (Events.SLA_AT_RISK, Events.SLA_BREACHED):
        sla = (event.changes.get("sla") or {}).get("new") or {}
        target = TARGET_WORDS.get(str(sla.get("target")), "SLA")
        intro = (f"The {target} target of {key} was breached: {title}" if event.type == Events.SLA_BREACHED
                 else f"The {target} target of {key} is at risk: {title}")
        facts = [("Due", _value(sla.get("due_at"))), ("Severity", _value(ticket.get("severity"))),
                 ("Status", _value(ticket.get("status"))), ("Assignee", people.display(ticket.get("assignee")))]
    else:
        raise ValueError(f"{event.type} events send no email")
    footer = f"You get this email because {recipient.reason}."
    return Email(
        to=recipient.address,
        to_name=header_safe(recipient.name, MAX_NAME_LENGTH),
        subject=subject(key, str(ticket.get("title", ""))),
        text=_text(intro, facts, quote_text, link, key, footer),
        html=_html(intro, facts, quote_text, link, key, footer),
    )


def subject(key: str, title: str) -> str:
    return header_safe(f"[{key}] {title}", MAX_SUBJECT_LENGTH)


def header_safe(value: str, limit: int) -> str:
    """One line of at most `limit` characters: control characters become spaces, runs of
    whitespace one space, and no RFC 2047 encoded word can start. A CR or LF left in a header value
    would let text start new headers; so would an encoded word of them, which some versions of
    Python's email package decode and write back raw (CVE-2024-6923)."""
    cleaned = "".join(" " if unicodedata.category(ch) in _UNSAFE_CATEGORIES else ch for ch in value)
    one_line = re.sub(r"\s+", " ", cleaned).strip()
    return _shorten(one_line.replace(ENCODED_WORD_START, "= ?"), limit)


def ticket_link(public_url: str, project_id: str, ticket_id: str) -> str:
    """The ticket's page in the UI."""
    return f"{public_url.rstrip('/')}/projects/{quote(project_id, safe='')}/tickets/{quote(ticket_id, safe='')}"


def _text(intro, facts, quote_text, link, key, footer) -> str:
    lines = [intro, ""]
    if facts:
        lines += [f"{label}: {value}" for label, value in facts] + [""]
    if quote_text:
        lines += [quote_text, ""]
    lines += [f"Open {key}: {link}", "", "-- ", footer]
    return "\n".join(lines) + "\n"


def _html(intro, facts, quote_text, link, key, footer) -> str:
    e = html.escape
    parts = ["<!DOCTYPE html>", '<html><body style="font-family: sans-serif">', f"<p>{e(intro)}</p>"]
    if facts:
        rows = "".join(f'<tr><th align="left" style="padding-right: 1em">{e(label)}</th><td>{e(value)}</td></tr>'
                       for label, value in facts)
        parts.append(f"<table>{rows}</table>")
    if quote_text:
        parts.append('<blockquote style="white-space: pre-wrap; border-left: 3px solid #ccc; margin: 1em 0; '
                     f'padding-left: 1em">{e(quote_text)}</blockquote>')
    parts.append(f'<p><a href="{e(link)}">Open {e(key)}</a></p>')
    parts.append(f'<p style="color: #666; font-size: smaller">{e(footer)}</p>')
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"


def _describe(name: str, value: Any, people: People) -> str:
    if value is None or value == [] or value == "":
        return "none"
    if name in ("assignee", "reporter"):
        return people.display(str(value))
    if isinstance(value, list):
        return _value(", ".join(str(item) for item in value))
    return _value(value)


def _value(value: Any) -> str:
    if value is None:
        return "none"
    return header_safe(str(value), MAX_VALUE_LENGTH)


def _label(name: str) -> str:
    return name.replace("_", " ").capitalize()


def _field_rank(name: str) -> tuple[int, str]:
    return (FIELD_ORDER.index(name) if name in FIELD_ORDER else len(FIELD_ORDER), name)


def _shorten(value: str, limit: int) -> str:
    return value if len(value) <= limit else value[:limit - 1].rstrip() + "\u2026"


def compose_webhook_disabled(name: str, url: str, since: str, to: str, to_name: str) -> Email:
    """Tells a subscription's owner that it was switched off after failing for days."""
    subject = header_safe(f"[Ticketry] Webhook \u201c{name}\u201d was disabled", MAX_SUBJECT_LENGTH)
    text = (f"The webhook \u201c{name}\u201d ({url}) has failed every delivery since {since} and was "
            "disabled. Deliveries are no longer sent to it.\n\nFix the receiver, then create the "
            "subscription again (or redeliver what it missed from its delivery log).\n")
    e = html.escape
    body = (f"<p>The webhook <strong>{e(name)}</strong> (<code>{e(url)}</code>) has failed every delivery "
            f"since {e(since)} and was disabled. Deliveries are no longer sent to it.</p>"
            "<p>Fix the receiver, then create the subscription again (or redeliver what it missed from its "
            "delivery log).</p>")
    return Email(to=to, to_name=header_safe(to_name, 100), subject=subject, text=text, html=body)
