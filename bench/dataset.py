"""A project's worth of tickets, written fast but item for item as the API would have written them.

Each ticket is built as the service builds it (the same domain objects, the same TICKET_CREATED
changes, `apply_changes` for a later status move, history entries made by `history_entry`)
and turned into items by the repositories' own `to_item`, `tag_item`, `due_item`,
`to_history_item` and `to_comment_item`. Only the transport differs: BatchWriteItem in bulk
instead of one transaction per ticket, so that ten thousand tickets load in seconds.
"""
import random
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from datetime import timedelta

from bench import words
from chalicelib.adapters.dynamodb.comments import to_comment_item
from chalicelib.adapters.dynamodb.history import to_history_item
from chalicelib.adapters.dynamodb.keys import dedup_pk, partition_count_sk
from chalicelib.adapters.dynamodb.markers import due_item
from chalicelib.adapters.dynamodb.numbers import number_guard
from chalicelib.adapters.dynamodb.search_index import term_item
from chalicelib.adapters.dynamodb.tickets import tag_item, to_item
from chalicelib.adapters.dynamodb.models import (
    COMMENT_WORDS_SK,
    CommentWordsItem,
    DedupGuardItem,
    PartitionCountItem,
    project_pk,
    scoped,
    terms_pk,
)
from chalicelib.domain import comments
from chalicelib.domain import sla as sla_rules
from chalicelib.domain import text
from chalicelib.domain.clock import iso, new_id, utc_now
from chalicelib.domain.tickets import Events, HistoryEntry, Ticket, Workflow, apply_changes, history_entry

# Weighted so that some partitions are large and some rare, as in a real project.
STATUS_WEIGHTS = {"new": 30, "acknowledged": 20, "in_progress": 20, "resolved": 15, "closed": 10,
                  "deferred": 3, "canceled": 2}
SEVERITY_WEIGHTS = {"critical": 10, "high": 25, "medium": 40, "low": 25}
TAG_WEIGHTS = {"db": 30, "network": 20, "auth": 12, "billing": 10, "frontend": 10, "infra": 8,
               "customer": 6, "security": 4}
SOURCES = {"api": 50, "email": 20, "alertmanager": 30}
SPAN_DAYS = 180
BATCH_WRITE_LIMIT = 25
# The fields a TICKET_CREATED entry records, each as {"old": None, "new": value}, as the service does.
CREATED_FIELDS = ("title", "status", "severity", "due_date", "assignee", "tags")


@dataclass(frozen=True)
class People:
    """Who reports and who is assigned: user ids of members, team ids, automation actors."""
    members: tuple[str, ...]
    teams: tuple[str, ...]
    automations: tuple[str, ...]


@dataclass(frozen=True)
class LoadedTicket:
    ticket: Ticket
    history: tuple[HistoryEntry, ...]


def generate(project_id: str, project_key: str, people: People, count: int, seed: int = 7) -> list[LoadedTicket]:
    """`count` tickets numbered 1..count, oldest first, created over the last SPAN_DAYS days.

    A ticket's attributes are drawn from a generator seeded by its age rank, so the newest tickets
    look alike whatever the project's size: pages of a small and a large project then differ only
    in how much lies behind them.
    """
    start = utc_now() - timedelta(days=SPAN_DAYS)
    step = timedelta(days=SPAN_DAYS) / max(count, 1)
    reporters = people.members + people.automations
    assignees = people.members + tuple(f"team:{team}" for team in people.teams)
    workflow = Workflow()
    loaded = []
    for number in range(1, count + 1):
        rng = random.Random(f"{seed}-{count - number}")
        # Words from a generator of their own, so that the other attributes are drawn as before.
        said = random.Random(f"{seed}-{count - number}-text")
        created = start + step * (number - 1) + timedelta(milliseconds=rng.randrange(0, 1000))
        created_at = iso(created)
        reporter = rng.choice(reporters)
        assignee = rng.choice(assignees) if rng.random() < 0.9 else None
        tags = _pick_tags(rng)
        ticket = Ticket(
            id=new_id(), project_id=project_id, number=number, key=f"{project_key}-{number}",
            title=words.sentence(said, said.randint(4, 9)).capitalize(),
            description=words.sentence(said, said.randint(15, 45)).capitalize() + ".",
            status="new", severity=_weighted(rng, SEVERITY_WEIGHTS), created_at=created_at,
            updated_at=created_at, reporter=reporter, source=_weighted(rng, SOURCES),
            due_date=iso(created + timedelta(days=rng.randrange(3, 30))) if rng.random() < 0.3 else None,
            assignee=assignee, tags=tags,
            dedup_key=f"alert-{number}" if rng.random() < 0.1 else None, version=1,
            # As the API keeps it for a project with no SLA policy: only when it was acknowledged
            # and resolved, for the reports.
            sla=sla_rules.start_clock(None, "low", created_at),
        )
        created_entry = history_entry(ticket, Events.TICKET_CREATED, reporter, created_at,
                                      changes={name: {"old": None, "new": _json(getattr(ticket, name))}
                                               for name in CREATED_FIELDS})
        history = [created_entry]
        moment = created
        for _ in range(rng.choice((0, 0, 0, 1, 2))):
            moment += timedelta(minutes=rng.randrange(1, 600))
            history.append(history_entry(ticket, Events.COMMENT_ADDED, rng.choice(people.members),
                                         iso(moment), {}, comment=words.sentence(said, said.randint(5, 20))))
        status = _weighted(rng, STATUS_WEIGHTS)
        if status != "new":
            moment += timedelta(minutes=rng.randrange(1, 600))
            changed_at = iso(moment)
            after, changes = apply_changes(ticket, {"status": status}, workflow, changed_at)
            ticket = replace(after, version=ticket.version + 1,
                             sla=sla_rules.advance(ticket.sla, ticket.status, after.status, changed_at))
            # The entry is about the ticket as the change leaves it.
            history.append(history_entry(ticket, Events.TICKET_UPDATED, rng.choice(people.members),
                                         changed_at, changes))
        loaded.append(LoadedTicket(ticket, tuple(history)))
    return loaded


def items(loaded: LoadedTicket) -> list[dict]:
    """The raw DynamoDB items of one ticket: the ticket, its tags, its history and comments, its number and dedup
    guards and, for an open ticket with a due date, the marker that arms its overdue event (its
    term items are `term_items`)."""
    ticket = loaded.ticket
    ticket_item = to_item(ticket)
    # A save through the API sets the version; a raw write has to carry the stored one itself.
    ticket_item.version = ticket.version
    models = [ticket_item]
    models += [tag_item(ticket, tag) for tag in ticket.tags]
    if ticket.due_date is not None and ticket.is_open:
        # Armed as a create or an update leaves it; the overdue sweep (a schedule) is not run here.
        models.append(due_item(ticket))
    models += [to_history_item(entry) for entry in loaded.history]
    models += [to_comment_item(comments.recorded_by(entry)) for entry in loaded.history
               if entry.event == Events.COMMENT_ADDED]
    models.append(number_guard(ticket))
    if ticket.dedup_key is not None:
        models.append(DedupGuardItem(dedup_pk(ticket.project_id, ticket.dedup_key), "DEDUP",
                                     ticket_id=ticket.id))
    return [model.serialize() for model in models]


def prefixes(loaded: LoadedTicket) -> set[str]:
    """The term-index partitions the ticket is in once the stream's consumer has indexed it."""
    ticket = loaded.ticket
    return text.prefixes(text.terms(ticket.title, ticket.description, ticket.key, *ticket.tags)
                         | comment_words(loaded))


def comment_words(loaded: LoadedTicket) -> set[str]:
    return text.terms(*(entry.comment for entry in loaded.history if entry.comment))


def term_items(loaded: LoadedTicket) -> list[dict]:
    """The term index of one ticket, as the tickets stream's consumer (services.search_index)
    leaves it: its term items and its comments' words."""
    ticket = loaded.ticket
    models = [term_item(ticket.project_id, ticket.id, ticket.sort_key, prefix)
              for prefix in sorted(prefixes(loaded))]
    if words_said := comment_words(loaded):
        models.append(CommentWordsItem(terms_pk(ticket.id), COMMENT_WORDS_SK, words=words_said))
    return [model.serialize() for model in models]


def term_counts(project_id: str, tickets: list[LoadedTicket]) -> list[dict]:
    """The term partitions' counts, as the stream's consumer keeps them from the term items."""
    counts: Counter = Counter(prefix for loaded in tickets for prefix in prefixes(loaded))
    return [PartitionCountItem(project_pk(project_id), partition_count_sk("term_idx", scoped(project_id, prefix)),
                               count=n).serialize() for prefix, n in counts.items()]


def load(dynamodb, table_name: str, tickets: list[LoadedTicket], threads: int = 4, of=items) -> int:
    """Writes every ticket's items (`of` one ticket) with BatchWriteItem; returns how many."""
    every_item = [item for loaded in tickets for item in of(loaded)]
    return write_items(dynamodb, table_name, every_item, threads)


def write_items(dynamodb, table_name: str, every_item: list[dict], threads: int = 4) -> int:
    batches = [every_item[i:i + BATCH_WRITE_LIMIT] for i in range(0, len(every_item), BATCH_WRITE_LIMIT)]

    def write(batch: list[dict]) -> None:
        pending = {table_name: [{"PutRequest": {"Item": item}} for item in batch]}
        while pending:
            pending = dynamodb.batch_write_item(RequestItems=pending).get("UnprocessedItems") or None

    with ThreadPoolExecutor(max_workers=threads) as pool:
        for _ in pool.map(write, batches):
            pass
    return len(every_item)


def _json(value):
    return list(value) if isinstance(value, tuple) else value


def _weighted(rng: random.Random, weights: dict[str, int]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _pick_tags(rng: random.Random) -> tuple[str, ...]:
    wanted = rng.choice((0, 1, 1, 2, 2, 3))
    tags: list[str] = []
    while len(tags) < wanted:
        tag = _weighted(rng, TAG_WEIGHTS)
        if tag not in tags:
            tags.append(tag)
    return tuple(tags)
