"""Ticket email: which of an event's audience (domain.watching) gets mail, and what it says. Pure:
the notification service feeds in the project's people and hands the results to the mailer."""
import html
import re
import unicodedata
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from chalicelib.domain import mentions, watching
from chalicelib.domain.events import SYSTEM_ACTOR, TicketEvent
from chalicelib.domain.tickets import AUTOMATION_PREFIX, CONTACT_PREFIX, TEAM_PREFIX, Events
from chalicelib.domain.watching import Listener

TARGET_WORDS = {"acknowledge": "acknowledgement", "resolve": "resolution"}

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


class People(watching.People):
    """The project's members (all of them) and the teams an event names, as an email names them."""

    def display(self, ref: str | None) -> str:
        return header_safe(self._name(ref), MAX_NAME_LENGTH)

    def _name(self, ref: str | None) -> str:
        if not ref:
            return "nobody"
        if ref == SYSTEM_ACTOR:
            return "Ticketry"
        if ref.startswith(AUTOMATION_PREFIX):
            return f"automation {ref[len(AUTOMATION_PREFIX):]}"
        if ref.startswith(CONTACT_PREFIX):
            return ref[len(CONTACT_PREFIX):]
        if ref.startswith(TEAM_PREFIX):
            team = self.team(ref)
            return f"team {team.name}" if team else ref
        member = self.members.get(ref)
        return member.name if member else ref

    def shown(self, text: str) -> str:
        """Text with each mention token as `@` and the name it stands for now."""
        def name(ref: str) -> str:
            if ref.startswith(TEAM_PREFIX):
                team = self.team(ref)
                return team.name if team else ref
            member = self.members.get(ref)
            return member.name if member else ref
        return mentions.shown(text, name)


@dataclass(frozen=True)
class Recipient:
    address: str
    name: str
    reason: str  # completes "You get this email because ..."
    mentioned: bool = False  # the email is about being mentioned
    team: bool = False       # the address is a team's own


@dataclass(frozen=True)
class Email:
    to: str
    to_name: str
    subject: str
    text: str
    html: str
    cc: tuple[str, ...] = ()                  # bare addresses, also sent to
    from_address: str | None = None           # None: the deployment's sender
    from_name: str | None = None              # None: "Ticketry"
    reply_to: str | None = None               # where an answer goes: a ticket's reply address
    message_id: str | None = None             # without <>; None: one is made up
    in_reply_to: str | None = None            # without <>
    references: tuple[str, ...] = ()          # without <>, oldest first
    auto_submitted: str = "auto-generated"    # RFC 3834: asks autoresponders not to answer


def named_in_changes(event: TicketEvent) -> list[str]:
    """Parties an email names besides those it goes to: the assignee before a reassignment."""
    change = event.changes.get("assignee") or {}
    return [ref for ref in (change.get("old"), change.get("new")) if isinstance(ref, str) and ref]


def recipients(event: TicketEvent, listeners: list[Listener], people: People) -> list[Recipient]:
    """The mailboxes of the event's audience that the rules mail (watching.emailed), each once: a
    member who turned the event's kind off for themselves is skipped, while a team's own address
    always gets it, as no one person's setting speaks for it."""
    key = str(event.ticket.get("key", ""))
    found: dict[str, Recipient] = {}
    for listener in listeners:
        if not listener.address or not watching.emailed(event, listener):
            continue
        if listener.user_id is not None:
            member = people.members.get(listener.user_id)
            if member is None or not member.notifications.wants(listener.kind):
                continue
        found.setdefault(listener.address.lower(), Recipient(listener.address, listener.name, because(listener, key),
                                                             listener.mentioned, team=listener.user_id is None))
    return list(found.values())


def because(listener: Listener, key: str) -> str:
    """Why a listener hears about an event, completing "You get this email because ..."."""
    if listener.reason == watching.ADMIN:
        return f"you are an admin of the project of {key}"
    verb = "was mentioned on" if listener.mentioned else "watches"
    if listener.user_id is None:
        return f"team {listener.team or listener.name} {verb} {key}"
    if listener.team is not None:
        return f"you are in team {listener.team}, which {verb} {key}"
    if listener.mentioned:
        return f"you were mentioned on {key}"
    return f"you watch {key}"


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
        quote_text = _quote(str(ticket.get("description") or ""), people) or None
    elif event.type == Events.TICKET_UPDATED:
        intro = f"{actor} changed {key}: {title}"
        for name in sorted(event.changes, key=_field_rank):
            if name == "description":
                continue  # quoted below when it mentions the reader, else too long for a line
            change = event.changes[name] or {}
            old, new = (_describe(name, change.get(side), people) for side in ("old", "new"))
            facts.append((_label(name), f"{old} \u2192 {new}"))
        if "description" in event.changes:
            facts.append(("Description", "changed"))
            if recipient.mentioned:
                quote_text = _quote(str((event.changes["description"] or {}).get("new") or ""), people) or None
    elif event.type in (Events.COMMENT_ADDED, Events.COMMENT_UPDATED):
        verb = "commented on" if event.type == Events.COMMENT_ADDED else "edited a comment on"
        intro = f"{actor} {verb} {key}: {title}"
        quote_text = _quote(str((event.comment or {}).get("body") or ""), people)
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
    mail_subject = subject(key, str(ticket.get("title", "")))
    if recipient.mentioned:
        intro = f"{actor} mentioned {_whom(recipient)} on {key}: {title}"
        mail_subject = header_safe(f"{actor} mentioned {_whom(recipient)} on {key}: {ticket.get('title', '')}",
                                   MAX_SUBJECT_LENGTH)
    footer = f"You get this email because {recipient.reason}."
    return Email(
        to=recipient.address,
        to_name=header_safe(recipient.name, MAX_NAME_LENGTH),
        subject=mail_subject,
        text=_text(intro, facts, quote_text, link, key, footer),
        html=_html(intro, facts, quote_text, link, key, footer),
    )


def _whom(recipient: Recipient) -> str:
    """`you`, or the team whose own address is mailed."""
    return "team " + header_safe(recipient.name, MAX_NAME_LENGTH) if recipient.team else "you"


def _quote(text: str, people: People) -> str:
    return _shorten(people.shown(text), MAX_QUOTE_LENGTH)


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


@dataclass(frozen=True)
class Thread:
    """Where a reply goes on its email thread: the requester, the others copied, the project's
    address it comes from, the ticket's reply address, and the ids that thread it."""
    to: str
    to_name: str
    cc: tuple[str, ...]
    from_address: str
    from_name: str
    reply_to: str
    message_id: str
    in_reply_to: str | None
    references: tuple[str, ...]


def compose_reply(event: TicketEvent, thread: Thread, people: People) -> Email:
    """A public comment, mailed on the ticket's thread to its requester (and CC), from the project:
    the comment's text as its author wrote it, signed with their name."""
    ticket = event.ticket
    key = str(ticket.get("key", ""))
    body = people.shown(str((event.comment or {}).get("body") or ""))
    author = people.display(event.actor)
    project = header_safe(thread.from_name, MAX_NAME_LENGTH)
    footer = f"{author}, {project}" if project else author
    note = f"Reply to this email to add to your request {key}."
    text = "\n".join([body.rstrip(), "", "-- ", footer, note]) + "\n"
    e = html.escape
    markup = "\n".join([
        "<!DOCTYPE html>", '<html><body style="font-family: sans-serif">',
        f'<div style="white-space: pre-wrap">{e(body.rstrip())}</div>',
        f'<p style="color: #666; font-size: smaller">{e(footer)}<br>{e(note)}</p>', "</body></html>"]) + "\n"
    return Email(
        to=thread.to, to_name=header_safe(thread.to_name, MAX_NAME_LENGTH),
        subject=subject(key, str(ticket.get("title", ""))), text=text, html=markup, cc=thread.cc, from_address=thread.from_address, from_name=project or None,
        reply_to=thread.reply_to, message_id=thread.message_id, in_reply_to=thread.in_reply_to,
        references=thread.references, auto_submitted="auto-generated")
