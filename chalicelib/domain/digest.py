"""Hourly digests: the line an event leaves in the digest of each member who chose hourly email for
its kind, and the one email an hour that gathers a recipient's lines, grouped by ticket. Pure, as
domain.notifications is: the notification service queues lines, the digest service sends."""
import html
import time
from dataclasses import dataclass
from typing import Any

from chalicelib.domain.events import TicketEvent
from chalicelib.domain.notifications import (
    MAX_NAME_LENGTH,
    MAX_SUBJECT_LENGTH,
    MAX_VALUE_LENGTH,
    Email,
    People,
    header_safe,
    ticket_link,
)
from chalicelib.domain.tickets import EDITABLE_FIELDS, Events

HOUR_FORMAT = "%Y-%m-%dT%H"
# Queued lines wait at most this long (their TTL): a digest not sent by then is not sent.
QUEUE_LIFETIME_SECONDS = 2 * 24 * 3600
# The finished hours each sweep looks at: the last one, and the one before in case a sweep missed it.
HOURS_LOOKED_BACK = 2
MAX_QUOTE_IN_LINE = 200


@dataclass(frozen=True)
class Line:
    """One event in a digest, as it was when it happened."""
    event_id: str
    project_id: str
    ticket_id: str
    key: str
    title: str
    at: str
    text: str            # "Ana commented: ..." (no ticket in it: the digest groups by ticket)
    recipient_name: str
    reason: str

    def as_dict(self) -> dict[str, Any]:
        return {"event_id": self.event_id, "project_id": self.project_id, "ticket_id": self.ticket_id,
                "key": self.key, "title": self.title, "at": self.at, "text": self.text,
                "recipient_name": self.recipient_name, "reason": self.reason}

    @classmethod
    def from_dict(cls, stored: dict[str, Any]) -> "Line":
        return cls(**{name: str(stored.get(name) or "") for name in cls.__dataclass_fields__})


def hour_of(epoch: float) -> str:
    """The UTC hour a moment falls in, as digests are keyed: 2026-06-01T13."""
    return time.strftime(HOUR_FORMAT, time.gmtime(epoch))


def finished_hours(epoch: float) -> list[str]:
    """The hours a sweep at `epoch` sends, oldest first (never the hour still under way)."""
    return [hour_of(epoch - 3600 * back) for back in range(HOURS_LOOKED_BACK, 0, -1)]


def line(event: TicketEvent, people: People, recipient_name: str, reason: str) -> Line:
    ticket = event.ticket
    actor = people.display(event.actor)
    if event.type == Events.TICKET_CREATED:
        text = f"{actor} created it"
    elif event.type == Events.COMMENT_ADDED:
        body = " ".join(str((event.comment or {}).get("body") or "").split())
        text = f"{actor} commented: {_shorten(body, MAX_QUOTE_IN_LINE)}"
    elif event.type == Events.TICKET_UPDATED:
        changed = []
        for name in (n for n in EDITABLE_FIELDS if n in event.changes):
            new = (event.changes[name] or {}).get("new")
            if name in ("assignee", "reporter"):
                new = people.display(str(new)) if new else "nobody"
            shown = ", ".join(map(str, new)) if isinstance(new, list) else str(new if new not in (None, "") else "none")
            changed.append(f"{name.replace('_', ' ')} \u2192 {shown}" if name != "description" else "description")
        text = f"{actor} changed {'; '.join(changed) or 'it'}"
    elif event.type == Events.TICKET_OVERDUE:
        text = "it is overdue"
    elif event.type in (Events.SLA_AT_RISK, Events.SLA_BREACHED):
        text = "its SLA target was breached" if event.type == Events.SLA_BREACHED else "its SLA target is at risk"
    else:
        text = f"{actor}: {event.type.lower().replace('_', ' ')}"
    return Line(event_id=event.id, project_id=event.project_id, ticket_id=str(ticket.get("id") or ""),
                key=str(ticket.get("key") or ""), title=str(ticket.get("title") or ""), at=event.timestamp,
                text=header_safe(text, MAX_VALUE_LENGTH), recipient_name=recipient_name, reason=reason)


def compose(address: str, hour: str, lines: list[Line], public_url: str) -> Email:
    """One email: the hour's lines grouped by ticket (tickets in the order of their first line,
    lines oldest first)."""
    lines = sorted(lines, key=lambda each: (each.at, each.event_id))
    tickets: dict[str, list[Line]] = {}
    for each in lines:
        tickets.setdefault(each.ticket_id, []).append(each)
    name = lines[-1].recipient_name if lines else ""
    updates = f"{len(lines)} update{'s' if len(lines) != 1 else ''}"
    on = f"{len(tickets)} ticket{'s' if len(tickets) != 1 else ''}"
    subject = header_safe(f"[Ticketry] {updates} on {on} ({hour[11:13]}:00 UTC)", MAX_SUBJECT_LENGTH)
    reasons = sorted({each.reason for each in lines if each.reason})
    footer = ("You get this digest because you chose hourly email for these kinds"
              + (f" ({'; '.join(reasons)})" if reasons else "") + ".")
    text_parts, html_parts = [f"{updates} on {on} between {hour[11:13]}:00 and {hour[11:13]}:59 UTC.", ""], []
    e = html.escape
    for ticket_lines in tickets.values():
        first = ticket_lines[-1]
        link = ticket_link(public_url, first.project_id, first.ticket_id)
        heading = f"{first.key}: {header_safe(first.title, MAX_SUBJECT_LENGTH)}"
        text_parts.append(heading)
        text_parts += [f"  - {_time(each.at)} {each.text}" for each in ticket_lines]
        text_parts += [f"  Open {first.key}: {link}", ""]
        items = "".join(f"<li>{e(_time(each.at))} {e(each.text)}</li>" for each in ticket_lines)
        html_parts.append(f'<h3><a href="{e(link)}">{e(heading)}</a></h3><ul>{items}</ul>')
    text = "\n".join(text_parts + ["-- ", footer]) + "\n"
    body = "\n".join(["<!DOCTYPE html>", '<html><body style="font-family: sans-serif">',
                      f"<p>{e(text_parts[0])}</p>", *html_parts,
                      f'<p style="color: #666; font-size: smaller">{e(footer)}</p>', "</body></html>"]) + "\n"
    return Email(to=address, to_name=header_safe(name, MAX_NAME_LENGTH), subject=subject, text=text, html=body)


def _time(iso: str) -> str:
    return iso[11:16]


def _shorten(value: str, limit: int) -> str:
    return value if len(value) <= limit else value[:limit - 1].rstrip() + "\u2026"
