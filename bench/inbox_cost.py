"""What inboxes and digests cost in DynamoDB: a page of an inbox, the badge's unread count, and the
writes the tickets stream adds per event (inbox entries, unread counters, digest lines), then the
minute schedule's digest sweep.

    .venv/bin/python -m bench.inbox_cost                      # 1,000 entries, 20 repetitions; about two minutes
    .venv/bin/python -m bench.inbox_cost --entries 200 --repetitions 10 --json inbox.json

It starts a fresh in-memory DynamoDB Local with the tables from infra/resources.json and binds the
app to it. One account, a member of two projects, gets `--entries` inbox entries (one per ticket,
spread over both projects, a third of them read) through the stream's own writer
(`InboxService.record`, the outbox step's call), after which each read is the app's own service
call, as the routes make it for a signed-in account (the session's GetItem, the same for every
route without a project in its path, is left out). Stream side: events for 1, 5 and 20 listeners
with accounts, on tickets whose entries are new, unread already (no counter moves) or read (the
counter moves back); a replayed event; and a digest line queued for an hourly recipient. The digest
sweep sends an hour with 20 recipients of 5 lines each. Every DynamoDB call is counted with the
capacity DynamoDB Local reports (bench.meter, ReturnConsumedCapacity=TOTAL); times are medians.
"""
import argparse
import json
import os
import platform
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

from bench import cost
from bench.meter import Meter, Recording
from chalicelib.adapters.dynamodb.tables import DirectoryRepository, TicketRepository
from chalicelib.adapters.memory.outbox import MemoryOutbox
from chalicelib.domain import digest
from chalicelib.domain import inbox as inbox_rules
from chalicelib.domain.accounts import Account
from chalicelib.domain.clock import new_id, now_iso
from chalicelib.domain.events import TicketEvent
from chalicelib.domain.people import AccountPrincipal, Member
from chalicelib.domain.watching import Listener
from chalicelib.local import dynamodb_local, provision
from chalicelib.services.digests import GRACE_SECONDS, DigestService
from chalicelib.services.inbox import InboxService
from chalicelib.services.people import PeopleService

STAGE = cost.STAGE
PAGE = 50


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def summary(recordings: list[Recording]) -> dict:
    """Calls, units and items of one recording (they are all alike), and the median time."""
    first = recordings[0]
    by_operation = Counter(call.operation + (f" {call.index}" if call.index else "") for call in first.calls)
    return {"calls": dict(sorted(by_operation.items())), "read_units": round(first.read_units, 2),
            "write_units": round(first.write_units, 2), "items_read": first.scanned + first.fetched,
            "items_written": first.written,
            "ms_p50": round(statistics.median(r.seconds for r in recordings) * 1000, 2)}


def measured(meter: Meter, repetitions: int, call) -> dict:
    recordings = []
    for _ in range(repetitions):
        with meter.recording() as recording:
            call()
        recordings.append(recording)
    return summary(recordings)


def listener(user_id: str) -> Listener:
    return Listener(user_id=user_id, address=None, name="", reason="subscribed", kind="comment_added",
                    mentioned=False)


def an_event(project_id: str, ticket_id: str, n: int) -> TicketEvent:
    return TicketEvent(id=new_id(), type="COMMENT_ADDED", timestamp=now_iso(), project_id=project_id,
                       actor="bench-actor", ticket={"id": ticket_id, "key": f"INB-{n}", "title": f"Ticket {n}",
                                                    "status": "new"},
                       comment={"id": "c", "body": "hello", "author": "bench-actor", "created_at": now_iso()})


def run(entries: int, repetitions: int) -> dict:
    with dynamodb_local.running() as endpoint, cost.restored_environment(cost.environment(endpoint)):
        os.environ.update(cost.environment(endpoint))
        provision.create_tables(cost.dynamodb_client(endpoint), STAGE)
        cost.rebind()
        directory, tickets = DirectoryRepository(), TicketRepository()
        people = PeopleService(directory)
        first, admin, _ = people.create_project("Inbox", "INB", "reader@inbox.example")
        account = directory.account(admin.account_id)
        second, _, _ = people.create_project("Other", "OTH", "other@inbox.example")
        directory.add_member(second.id, Member(user_id=new_id(), email=account.email, name="Reader", role="member",
                                               created_at=now_iso(), account_id=account.id))
        in_second = next(m.user_id for m in directory.members(second.id) if m.account_id == account.id)
        accounts = {admin.user_id: account.id, in_second: account.id}
        inbox = InboxService(directory, directory)
        principal = AccountPrincipal(account_id=account.id, session_id="bench", sign_in_method="email_code")
        meter = Meter()
        found: dict = {"entries": entries}
        with meter.installed():
            log(f"writing {entries} entries")
            for n in range(entries):
                project, user = (first.id, admin.user_id) if n % 2 else (second.id, in_second)
                inbox.record(an_event(project, new_id(), n), [listener(user)], accounts)
            for entry in inbox.page(principal, False, None, 100)["data"][::3]:
                inbox.mark(principal, entry["ticket_id"], "read")
            log("reading")
            found["page"] = measured(meter, repetitions, lambda: inbox.page(principal, False, None, PAGE))
            cursor = inbox.page(principal, False, None, PAGE)["cursor"]
            found["next_page"] = measured(meter, repetitions, lambda: inbox.page(principal, False, cursor, PAGE))
            found["project_page"] = measured(meter, repetitions,
                                             lambda: inbox.page(principal, False, None, PAGE, first.id))
            found["badge"] = measured(meter, repetitions, lambda: inbox.unread(principal))
            unread = [e["ticket_id"] for e in inbox.page(principal, False, None, 100)["data"] if e["unread"]]
            found["mark_read"] = measured(meter, min(repetitions, len(unread)),
                                          lambda: inbox.mark(principal, unread.pop(), "read"))
            log("stream side")
            found["stream"] = stream_side(meter, directory, first.id, repetitions)
            log("digests")
            found["digest"] = digests(meter, tickets, repetitions)
    found["machine"] = f"{platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}"
    return found


def stream_side(meter: Meter, directory: DirectoryRepository, project_id: str, repetitions: int) -> dict:
    """Accounts of their own, each with a listener, for events on one ticket per measurement."""
    found = {}
    inbox = InboxService(directory, directory)
    for audience in (1, 5, 20):
        ids = [new_id() for _ in range(audience)]
        for account_id in ids:
            directory.create_account(Account(id=account_id, email=f"{account_id}@inbox.example", name="L",
                                             created_at=now_iso()))
        accounts = {f"u{account_id}": account_id for account_id in ids}
        listeners = [listener(user_id) for user_id in accounts]
        recordings = {"new entry": [], "unread entry": [], "read entry": [], "replayed event": []}
        for n in range(repetitions):
            ticket_id = new_id()
            for state in ("new entry", "unread entry"):
                with meter.recording() as recording:
                    inbox.record(event := an_event(project_id, ticket_id, n), listeners, accounts)
                recordings[state].append(recording)
            with meter.recording() as recording:
                inbox.record(event, listeners, accounts)
            recordings["replayed event"].append(recording)
            for account_id in ids:
                entry = directory.inbox_entry(account_id, ticket_id)
                directory.save_inbox_entry(entry, inbox_rules.read(entry, now_iso()))
            with meter.recording() as recording:
                inbox.record(an_event(project_id, ticket_id, n), listeners, accounts)
            recordings["read entry"].append(recording)
        found[audience] = {state: summary(parts) for state, parts in recordings.items()}
    return found


def digests(meter: Meter, tickets: TicketRepository, repetitions: int) -> dict:
    hour = digest.hour_of(time.time() - 3600)
    line = digest.Line(event_id="e", project_id="p", ticket_id="t", key="INB-1", title="Ticket", at=now_iso(),
                       text="Ada commented: hello", recipient_name="Bob", reason="you watch INB-1")
    queue = measured(meter, repetitions, lambda: tickets.queue_digest_line(
        digest.hour_of(time.time()), f"{new_id()}@inbox.example", line, 2_000_000_000))
    for recipient in range(20):
        for n in range(5):
            tickets.queue_digest_line(hour, f"r{recipient}@inbox.example",
                                      digest.Line(**(line.as_dict() | {"event_id": f"e{n}", "ticket_id": f"t{n % 2}"})),
                                      2_000_000_000)
    outbox = MemoryOutbox()
    at = digest.finished_hours(time.time())  # the hour above is the last finished one
    service = DigestService(tickets, lambda: outbox, lambda: "https://tickets.example.com",
                            clock=lambda: time.time() + GRACE_SECONDS)
    with meter.recording() as sweep:
        sent = service.send_due()
    with meter.recording() as idle:
        service.send_due()
    return {"queue_line": queue, "sweep_20_recipients": {"sent": sent, **summary([sweep])},
            "sweep_done": summary([idle]), "hours": at}


def markdown(figures: dict) -> str:
    def calls(part: dict) -> str:
        return ", ".join(f"{name} {value}" for name, value in part["calls"].items())

    lines = [f"Entries in the inbox: {figures['entries']:,} over two projects; {figures['machine']}.", "",
             "| What | Calls | RRU | WRU | Items read | Items written | ms (p50) |", "|---|---|---|---|---|---|---|"]

    def row(label: str, part: dict) -> None:
        lines.append(f"| {label} | {calls(part)} | {part['read_units']} | {part['write_units']} | "
                     f"{part['items_read']} | {part['items_written']} | {part['ms_p50']} |")

    row(f"inbox page ({PAGE} entries)", figures["page"])
    row("next page (cursor)", figures["next_page"])
    row("one project's inbox page (half the entries are the other's)", figures["project_page"])
    row("badge: unread count", figures["badge"])
    row("mark one entry read", figures["mark_read"])
    for audience, states in figures["stream"].items():
        for state, part in states.items():
            row(f"stream: an event for {audience} listener{'s' if int(audience) != 1 else ''}, {state}", part)
    row("stream: a digest line queued (per hourly recipient)", figures["digest"]["queue_line"])
    sweep = figures["digest"]["sweep_20_recipients"]
    row(f"digest sweep: an hour of 20 recipients x 5 lines ({sweep['sent']} sent)", sweep)
    row("digest sweep: hours done", figures["digest"]["sweep_done"])
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.inbox_cost", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--entries", type=int, default=1000)
    parser.add_argument("--repetitions", type=int, default=20)
    parser.add_argument("--json", type=Path, help="also write the raw figures here")
    args = parser.parse_args(argv)
    figures = run(args.entries, args.repetitions)
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2) + "\n")
    print(markdown(figures))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
