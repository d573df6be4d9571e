"""Ticket search: what a query asks for, which index serves it in which order, and whether a
ticket matches.

Each sort order is one sort-key order on an index:
- `created` / `-created`: the filter indexes (project, open or finished, status, severity,
  reporter, assignee, requester, tag, term), all sorted by `created_at#id`; the query is driven by whichever reads the fewest tickets
  (by the partition counts) and the other filters are checked on the tickets read. The tickets a
  member watches (`watching`) are known only to the watched-tickets index, also in created order,
  which then drives the query whatever else `sort` says (newest first unless `-created`): no other
  order can be merged with it. Every other filter, `sla` included, is checked on the tickets read.
- `updated`, `due`, `severity`: an index per order whose partitions are a project's open and
  finished tickets, merged; every filter but the status is checked on the tickets read.
- `due` and `sla` leave out of their (sparse) index the tickets without a due date or a running
  SLA target. No sort hides a ticket: those come after the others, newest first, read in
  creation order by the index that would serve the query so and skipping the tickets read
  before (a plan's `rest`). A cursor in that second part is marked REST.
- `sla` (soonest breach first), and the `sla` filter in any order: the SLA indexes, whose one
  partition per project holds the tickets with a running SLA target (or a breached one not yet
  met), by their soonest due time or their soonest at-risk moment. `sla=breached` is the range
  up to now of the first; `sla=at_risk` the range up to now of the second, less the breached
  ones read on the way.
A search reads at most READ_BUDGET index entries; a page cut short by it still carries a cursor.
"""
from dataclasses import dataclass, replace
from datetime import datetime

from chalicelib.domain import text
from chalicelib.domain.clock import iso
from chalicelib.domain.people import Principal
from chalicelib.domain.tickets import FINISHED_STATUSES, SEVERITIES, STATUSES, Ticket, normalise_tags
from chalicelib.errors import ValidationFailed
from chalicelib.schemas.tickets import TicketSearch

SORTS = ("created", "-created", "updated", "due", "severity", "sla")
SLA_FILTERS = ("at_risk", "breached")
SLA_PARTITION = "sla"            # the SLA indexes' partition of a project
OPEN_STATUSES = tuple(status for status in STATUSES if status not in FINISHED_STATUSES)
DONE_STATUSES = tuple(status for status in STATUSES if status in FINISHED_STATUSES)
OPEN, DONE = "open", "done"      # the partitions of the sort-order indexes
UNASSIGNED = "none"              # the assignee-index partition of unassigned tickets
# A cursor position in a plan's rest, not in its index: sort keys start with a digit.
REST = "rest:"
# Index entries one request may examine. A query whose filters are checked on the tickets read
# (a rare combination, a common word) answers what it found within it, with a cursor.
READ_BUDGET = 1000

# Tie-break (and the order used before any partition has been counted): one person's tickets are
# usually fewer than one tag's, one tag's fewer than one severity's or status's. The `project`
# index holds every live ticket and drives only a query with no other index filter.
DRIVING_ORDER = ("terms", "requester", "reporter", "assignee", "tags", "severity", "status", "state")
# severity_order starts with this digit, so that a descending read gives critical first.
SEVERITY_RANK = {severity: str(len(SEVERITIES) - 1 - position) for position, severity in enumerate(SEVERITIES)}


@dataclass(frozen=True)
class TicketQuery:
    status: tuple[str, ...] = ()
    severity: tuple[str, ...] = ()
    reporter: str | None = None
    assignee: str | None = None        # a member, team:<id>, or UNASSIGNED
    tags: tuple[str, ...] = ()
    created_after: str | None = None   # inclusive
    created_before: str | None = None  # exclusive
    due_after: str | None = None       # inclusive
    due_before: str | None = None      # exclusive
    overdue: bool = False              # open, with a due date before the time of the request
    words: tuple[str, ...] = ()        # folded; every one a term, the last also a term's start
    sort: str = "created"
    sla: str | None = None             # at_risk | breached
    watching: str | None = None        # a member's user id: the tickets they watch
    requester: str | None = None       # an email address, lowercased: the tickets it is the requester of

    def fingerprint(self) -> str:
        """Identifies the query so that a cursor cannot be replayed against another one."""
        parts = [
            ",".join(sorted(self.status)),
            ",".join(sorted(self.severity)),
            self.reporter or "",
            self.assignee or "",
            ",".join(sorted(self.tags)),
            self.created_after or "",
            self.created_before or "",
            self.due_after or "",
            self.due_before or "",
            "overdue" if self.overdue else "",
            " ".join(self.words),
            self.sort,
            self.sla or "",
            self.watching or "",
        ]
        if self.requester is not None:  # so that the queries of cursors handed out before it still match
            parts.append("requester=" + self.requester)
        return "|".join(parts)

    @property
    def statuses(self) -> tuple[str, ...]:
        """The statuses a ticket may have to match; () for any."""
        if not self.overdue:
            return self.status
        return tuple(s for s in OPEN_STATUSES if not self.status or s in self.status) or ("",)


def query_of(params: TicketSearch, principal: Principal) -> TicketQuery:
    """The query that the search parameters ask for, as `principal` would run it (`me` is their
    own user id); a ValidationFailed names the parameter that no search accepts."""
    statuses = _listed("status", params.status, STATUSES + ("open",))
    if "open" in statuses:
        statuses = tuple(dict.fromkeys(s for status in statuses
                                       for s in (OPEN_STATUSES if status == "open" else (status,))))
    return TicketQuery(
        status=statuses,
        severity=_listed("severity", params.severity, SEVERITIES),
        reporter=_person("reporter", params.reporter, principal),
        assignee=_person("assignee", params.assignee, principal),
        tags=normalise_tags(_listed("tags", params.tags, None)),
        created_after=_iso_or_none(params.created_after),
        created_before=_iso_or_none(params.created_before),
        due_after=_iso_or_none(params.due_after),
        due_before=_iso_or_none(params.due_before),
        overdue=bool(params.overdue),
        words=tuple(text.words(params.q)) if params.q is not None else (),
        sort=params.sort,
        # The SLA filters list tickets in SLA order, whatever `sort` says: their indexes hold no other.
        sla=params.sla,
        watching=_watcher(params, principal),
        requester=params.requester.strip().lower() if params.requester is not None else None,
    )


def _watcher(params: TicketSearch, principal: Principal) -> str | None:
    """The member whose watched tickets are asked for (`me`: the caller)."""
    if params.watching is None:
        return None
    return _person("watching", params.watching, principal)


def _listed(field: str, raw: str | None, allowed: tuple[str, ...] | None) -> tuple[str, ...]:
    """The values of a comma-separated parameter, each one of `allowed` (when given)."""
    if raw is None:
        return ()
    values = tuple(v.strip() for v in raw.split(","))
    if any(not v for v in values):
        raise ValidationFailed.on(field, "empty value in the comma-separated list")
    if allowed is not None:
        bad = [v for v in values if v not in allowed]
        if bad:
            raise ValidationFailed.on(field, f"unknown {', '.join(bad)}; use {', '.join(allowed)}")
    return values


def _person(field: str, value: str | None, principal: Principal) -> str | None:
    if value != "me":
        return value
    if principal.user_id is None:
        raise ValidationFailed.on(field, f"'me' is a member; this key belongs to {principal.actor}")
    return principal.user_id


def _iso_or_none(moment: datetime | None) -> str | None:
    return iso(moment) if moment is not None else None


@dataclass(frozen=True)
class SearchPlan:
    index: str                    # project | state | status | severity | reporter | assignee | tags
                                  # | terms | updated | due | severity_order
    partitions: tuple[str, ...]   # the values whose partitions are merged
    descending: bool
    lower: str | None             # lowest sort key included
    upper: str | None             # sort key to stay strictly below
    needs_filter: bool            # whether tickets read must still be checked against the query
    # The tickets this plan's sparse index leaves out, read after it (in creation order).
    rest: "SearchPlan | None" = None
    # In a rest: the index whose tickets were read before, and are skipped here.
    skips: str | None = None

    def after(self, position: str) -> "SearchPlan":
        """The rest of the plan once every key up to `position` (in read order) has been read."""
        if position.startswith(REST) and self.rest is not None:
            return self.rest.after(position.removeprefix(REST))
        if self.descending:
            upper = position if self.upper is None or position < self.upper else self.upper
            return replace(self, upper=upper)
        # Strictly above position: the smallest string greater than it.
        lower = position + "\x00"
        lower = lower if self.lower is None or lower > self.lower else self.lower
        return replace(self, lower=lower)

    def parts(self) -> tuple["SearchPlan", ...]:
        """What a search reads, in order: this plan's index, then its rest."""
        return (self,) if self.rest is None else (self, self.rest)

    def position(self, key: str) -> str:
        """The cursor position of a sort key this plan read."""
        return REST + key if self.skips else key

    def keeps(self, ticket: Ticket) -> bool:
        """False for a ticket a rest skips: its index holds it, so it was read before."""
        return self.skips is None or order_key(ticket, self.skips) is None


def candidates(query: TicketQuery) -> dict[str, tuple[str, ...]]:
    """Index -> the partitions (values) it would read, for every filter index the query can be
    driven by in created order. A query's words each offer their own term partition."""
    values = {
        "reporter": (query.reporter,) if query.reporter else (),
        "requester": (query.requester,) if query.requester else (),
        "assignee": (query.assignee,) if query.assignee else (),
        "tags": tuple(dict.fromkeys(query.tags)),
        "severity": tuple(dict.fromkeys(query.severity)),
        "status": tuple(dict.fromkeys(query.statuses)),
    }
    if set(values["status"]) in ({*OPEN_STATUSES}, {*DONE_STATUSES}):
        # Every open (or every finished) status: one partition of the state index, not four (or three).
        values["state"] = (OPEN if values["status"][0] in OPEN_STATUSES else DONE,)
        values["status"] = ()
    options = {index: values[index] for index in DRIVING_ORDER if index not in ("terms", "state") and values[index]}
    if "state" in values:
        options["state"] = values["state"]
    for word in driving_words(query.words):
        options[f"terms:{word}"] = (text.partition_of(word),)
    return options


def driving_words(words: tuple[str, ...]) -> list[str]:
    """The words whose partitions may drive a search: at most MAX_QUERY_WORDS distinct ones, the
    longest (their partitions are the smallest), so that a long query reads no more counts than a
    short one. Every word is still checked on the tickets read."""
    distinct = list(dict.fromkeys(words))
    if len(distinct) <= text.MAX_QUERY_WORDS:
        return distinct
    kept = set(sorted(distinct, key=len, reverse=True)[:text.MAX_QUERY_WORDS])
    return [word for word in distinct if word in kept]


def plan(query: TicketQuery, sizes: dict[str, int] | None = None, now: str | None = None) -> SearchPlan:
    """The index, partitions, order and key range that serve `query` at time `now`; in created
    order, driven by the index that reads the fewest tickets by `sizes` (tickets in the
    partitions each candidate would read), else by DRIVING_ORDER. A sort whose index leaves
    tickets out reads them after it, in the plan's rest."""
    if query.watching is not None:
        return _plan_by_watcher(query)
    ordered = _plan_in_order(query, sizes, now)
    left_out = _left_out_by_sort(query)
    if left_out is None:
        return ordered
    rest = _plan_by_created(replace(query, sort="created"), sizes or {})
    return replace(ordered, rest=replace(rest, needs_filter=True, skips=left_out))


def _left_out_by_sort(query: TicketQuery) -> str | None:
    """The sparse index the query's sort reads, when the query would find tickets it leaves out:
    `due` without a due-date filter (which no ticket without a due date meets) and `sla` without
    an SLA filter."""
    if query.sla is not None:
        return None
    if query.sort == "sla":
        return "sla"
    if query.sort == "due" and not (query.due_after or query.due_before or query.overdue):
        return "due"
    return None


def _plan_in_order(query: TicketQuery, sizes: dict[str, int] | None, now: str | None) -> SearchPlan:
    if query.sort == "sla" or query.sla is not None:
        return _plan_by_sla(query, now)
    if query.sort in ("created", "-created"):
        return _plan_by_created(query, sizes or {})
    states = _states(query.statuses)
    status_is_states = set(query.statuses) in ({*OPEN_STATUSES}, {*DONE_STATUSES}, set())
    others = _has_filters(query, exclude={"status"})
    if query.sort == "updated":
        return SearchPlan("updated", states, True, None, None, others or not status_is_states)
    if query.sort == "due":
        # The key range is the due-date filters and overdue (due before now, on the open partition).
        upper = _earliest(query.due_before, now if query.overdue else None)
        rest = _has_filters(query, exclude={"status", "due"}) or not status_is_states
        return SearchPlan("due", states, False, query.due_after, upper, rest)
    ranks = sorted(SEVERITY_RANK[s] for s in query.severity) if query.severity else None
    contiguous = ranks is None or int(ranks[-1]) - int(ranks[0]) == len(ranks) - 1
    lower, upper = (ranks[0] + "#", chr(ord(ranks[-1]) + 1)) if ranks else (None, None)
    rest = _has_filters(query, exclude={"status", "severity"}) or not contiguous or not status_is_states
    return SearchPlan("severity_order", states, True, lower, upper, rest)


def _plan_by_sla(query: TicketQuery, now: str | None) -> SearchPlan:
    """In SLA order, whatever `sort` says, once the SLA filter is given: the service refuses any
    other sort with it."""
    others = _has_filters(query, exclude=set())
    if query.sla == "at_risk":
        # At risk by now and not yet due: the breached ones are read and left out.
        return SearchPlan("sla_risk", (SLA_PARTITION,), False, None, _after(now), True)
    if query.sla == "breached":
        return SearchPlan("sla", (SLA_PARTITION,), False, None, _after(now), others)
    return SearchPlan("sla", (SLA_PARTITION,), False, None, None, others)


def _after(moment: str | None) -> str | None:
    """The smallest key above every `<moment>#...` key: a moment itself counts as reached."""
    return None if moment is None else moment + "#\uffff"


def _plan_by_watcher(query: TicketQuery) -> SearchPlan:
    """Only the watched-tickets index knows who watches: it drives, in created order (oldest first
    for `-created`, else newest first), and every other filter is checked on the tickets read."""
    return SearchPlan("watching", (query.watching,), query.sort != "-created", query.created_after,
                      query.created_before, _has_filters(query, exclude={"created"}) or query.sla is not None)


def _plan_by_created(query: TicketQuery, sizes: dict[str, int]) -> SearchPlan:
    descending = query.sort == "created"
    options = candidates(query)
    if not options:
        return SearchPlan("project", ("",), descending, query.created_after, query.created_before,
                          _has_filters(query, exclude={"created"}))
    chosen = min(options, key=lambda name: (sizes.get(name, 0), DRIVING_ORDER.index(name.split(":")[0])))
    filters_left = len(options) > 1 or bool(query.due_after or query.due_before or query.overdue)
    if chosen.startswith("terms:"):
        word = chosen.split(":", 1)[1]
        # A term partition holds every ticket with a term that starts with its prefix: exact for
        # a lone word no longer than the prefix, checked on the tickets read otherwise. A repeated
        # word is not lone: `dis dis` asks for the whole word `dis` as well as a word starting so.
        exact = len(query.words) == 1 and len(word) <= text.PREFIX_LENGTH
        filters_left = filters_left or not exact
        return SearchPlan("terms", options[chosen], descending, query.created_after, query.created_before,
                          filters_left)
    return SearchPlan(chosen, options[chosen], descending, query.created_after, query.created_before,
                      filters_left)


def counted_partitions(query: TicketQuery) -> tuple[tuple[str, str], ...] | None:
    """(count, partition) pairs whose counts add up to exactly the tickets the query finds, or
    None when no kept count can say (words, date ranges, overdue, several tags, most pairs of
    filters). Partitions are values within the project."""
    statuses = set(query.status)
    state = OPEN if statuses == set(OPEN_STATUSES) else DONE if statuses == set(DONE_STATUSES) else None
    if query.sla is not None or query.watching is not None:
        return None
    if query.words or query.overdue or query.created_after or query.created_before or query.due_after \
            or query.due_before or len(query.tags) > 1:
        return None
    filters = [name for name, present in (("status", statuses), ("severity", query.severity),
                                          ("reporter", query.reporter), ("assignee", query.assignee),
                                          ("tags", query.tags), ("requester", query.requester)) if present]
    if not filters:
        return (("state_idx", OPEN), ("state_idx", DONE))
    if filters == ["status"]:
        return (("state_idx", state),) if state else tuple(("status_idx", s) for s in sorted(statuses))
    if len(filters) == 1:
        attribute = {"severity": "severity_idx", "reporter": "reporter_idx", "assignee": "assignee_idx",
                     "tags": "tag_idx", "requester": "requester_idx"}[filters[0]]
        values = {"severity": query.severity, "reporter": (query.reporter,), "assignee": (query.assignee,),
                  "tags": query.tags, "requester": (query.requester,)}[filters[0]]
        return tuple((attribute, value) for value in sorted(set(values)))
    if state and filters == ["status", "assignee"]:
        return (("assignee_state", f"{query.assignee}#{state}"),)
    if state and filters == ["status", "severity"]:
        return tuple(("severity_state", f"{severity}#{state}") for severity in sorted(set(query.severity)))
    return None


def _states(statuses: tuple[str, ...]) -> tuple[str, ...]:
    if not statuses:
        return (OPEN, DONE)
    states = []
    if any(s in OPEN_STATUSES for s in statuses):
        states.append(OPEN)
    if any(s in DONE_STATUSES for s in statuses):
        states.append(DONE)
    return tuple(states) or (OPEN,)


def _has_filters(query: TicketQuery, exclude: set[str]) -> bool:
    present = {
        "status": bool(query.status or query.overdue),
        "severity": bool(query.severity),
        "reporter": query.reporter is not None,
        "assignee": query.assignee is not None,
        "requester": query.requester is not None,
        "tags": bool(query.tags),
        "created": bool(query.created_after or query.created_before),
        "due": bool(query.due_after or query.due_before or query.overdue),
        "words": bool(query.words),
    }
    return any(value for name, value in present.items() if name not in exclude)


def _earliest(*moments: str | None) -> str | None:
    known = [m for m in moments if m is not None]
    return min(known) if known else None


def state_of(ticket: Ticket) -> str:
    return OPEN if ticket.is_open else DONE


def order_key(ticket: Ticket, index: str) -> str | None:
    """The ticket's sort key in the order an index keeps (None: absent from that index)."""
    if index == "updated":
        return f"{ticket.updated_at}#{ticket.id}"
    if index == "due":
        return f"{ticket.due_date}#{ticket.id}" if ticket.due_date else None
    if index == "severity_order":
        return f"{SEVERITY_RANK[ticket.severity]}#{ticket.sort_key}"
    if index in ("sla", "sla_risk"):
        due, risk = _sla_moments(ticket)
        moment = due if index == "sla" else risk
        return f"{moment}#{ticket.id}" if moment else None
    return ticket.sort_key


def matches(ticket: Ticket, query: TicketQuery, now: str) -> bool:
    """Every filter but the words, which need the ticket's comments too (see text.contains_all)."""
    statuses = query.statuses
    if statuses and ticket.status not in statuses:
        return False
    if query.severity and ticket.severity not in query.severity:
        return False
    if query.reporter is not None and ticket.reporter != query.reporter:
        return False
    if query.assignee is not None and (ticket.assignee or UNASSIGNED) != query.assignee:
        return False
    if query.requester is not None and ticket.requester != query.requester:
        return False
    if query.tags and not set(query.tags) & set(ticket.tags):
        return False
    if query.created_after is not None and ticket.created_at < query.created_after:
        return False
    if query.created_before is not None and ticket.created_at >= query.created_before:
        return False
    if query.due_after is not None and (ticket.due_date is None or ticket.due_date < query.due_after):
        return False
    if query.due_before is not None and (ticket.due_date is None or ticket.due_date >= query.due_before):
        return False
    if query.overdue and (ticket.due_date is None or ticket.due_date >= now):
        return False
    due, risk = _sla_moments(ticket)
    if query.sla is not None and due is None:
        return False
    if query.sla == "breached" and not due <= now:
        return False
    if query.sla == "at_risk" and not (risk <= now < due):
        return False
    return True


def _sla_moments(ticket: Ticket) -> tuple[str | None, str | None]:
    clock = ticket.sla
    if clock is None or not ticket.is_open:
        return None, None
    return clock.soonest_due, clock.soonest_at_risk


def text_terms(ticket: Ticket) -> set[str]:
    """The terms of what the ticket itself says; its comments add theirs."""
    return text.terms(ticket.title, ticket.description, ticket.key, *ticket.tags)


@dataclass(frozen=True)
class SearchResult:
    tickets: list[Ticket]
    resume_after: str | None   # the sort key to continue after; None when nothing is left
