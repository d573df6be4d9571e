"""What SLAs and reports cost in DynamoDB: the minute schedule's SLA sweep with 10,000 open tickets,
the writes the report aggregates add to the tickets stream's counting transactions per ticket
event, and the reads of a 90-day report.

    .venv/bin/python -m bench.sla_cost                       # 10,000 tickets; a few minutes
    .venv/bin/python -m bench.sla_cost --tickets 2000 --json sla.json

It starts a fresh in-memory DynamoDB Local with the tables from infra/resources.json and binds the
app to it. A project gets an SLA policy (every severity: acknowledge in 60 minutes, resolve in
1,440, wall time) and `--tickets` open tickets written through the app's repository, their creation
times spread evenly over the last 24 hours, so that their SLA moments (at risk at 75 %, due at
100 % of each target) fall evenly over the day, about one every 9 seconds per kind at 10,000
tickets. The sweep is the app's own (`SlaService.sweep`), run at chosen times: once at the start
(the backlog of moments already passed, not measured), then at each of the next minutes, as the
schedule would, and once more at the same minute (nothing left to fire). Every DynamoDB call is
counted with the capacity DynamoDB Local reports (bench.meter, ReturnConsumedCapacity=TOTAL).

Aggregates: the tickets table's stream is read and its records handed to the stream's counting
step (`partition_counts.apply`), which writes the partition counts and the report aggregates in one
transaction per run of records. Half of the records of each kind of change are counted with the
aggregates, the other half with them left out, and the difference per ticket event is what the
aggregates add. Report: 90 days of aggregates for the 4 severities are written (every counter
set, the largest an item gets), then `ReportService.summary` reads 90 days by day and by week.
"""
import argparse
import json
import os
import platform
import sys
import time
from collections import Counter
from datetime import datetime, timedelta, timezone
from pathlib import Path


from bench import cost
from bench.meter import Meter, Recording
from chalicelib import config
from chalicelib.adapters.dynamodb.tables import DirectoryRepository
from chalicelib.domain import reports
from chalicelib.domain.clock import iso, new_id
from chalicelib.domain.people import Principal
from chalicelib.domain.tickets import Events, HistoryEntry, Ticket, public_view
from chalicelib.events import partition_counts
from chalicelib.local import dynamodb_local, provision
from chalicelib.local.pump import stream_record
from chalicelib.schemas.tickets import TicketPatch
from chalicelib.services.people import PeopleService
from chalicelib.services.registry import services

STAGE = cost.STAGE
POLICY = {"targets": {severity: {"acknowledge": {"minutes": 60}, "resolve": {"minutes": 1440}}
                      for severity in ("critical", "high", "medium", "low")}}
SEVERITIES = ("critical", "high", "medium", "low")
MINUTES_A_MONTH = 43_200
REPORT_DAYS = 90


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def summary(recording: Recording) -> dict:
    by_operation = Counter()
    for call in recording.calls:
        by_operation[call.operation + (f" {call.index}" if call.index else "")] += 1
    return {"calls": dict(sorted(by_operation.items())), "read_units": round(recording.read_units, 2),
            "write_units": round(recording.write_units, 2), "items_read": recording.scanned + recording.fetched,
            "items_written": recording.written}


def load(principal: Principal, count: int, base: datetime) -> list[str]:
    """`count` open tickets created over the 24 hours before `base`, each with its SLA clock."""
    repo, sla = services().ticket_repo, services().sla
    ids = []
    for n in range(count):
        created = iso(base - timedelta(seconds=(n + 1) * 86400 / count))
        severity = SEVERITIES[n % 4]
        ticket = Ticket(id=new_id(), project_id=principal.project.id, number=n + 1, key=f"SLA-{n + 1}",
                        title=f"Ticket {n}", description="", status="new", severity=severity, created_at=created,
                        updated_at=created, reporter=principal.actor, source="bench")
        ticket = sla.start(principal, ticket)
        entry = HistoryEntry(id=new_id(), ticket_id=ticket.id, project_id=ticket.project_id,
                             event=Events.TICKET_CREATED, timestamp=created, changed_by=principal.actor,
                             changes={"status": {"old": None, "new": "new"}}, ticket=public_view(ticket))
        repo.create(ticket, entry)
        ids.append(ticket.id)
        if (n + 1) % 2000 == 0:
            log(f"  {n + 1} tickets")
    return ids


def sweeps(meter: Meter, base: datetime, minutes: int) -> dict:
    sla = services().sla
    started = time.perf_counter()
    backlog = sla.sweep(now=iso(base))
    log(f"  backlog run: {backlog} events in {time.perf_counter() - started:.0f} s")
    runs = []
    for minute in range(1, minutes + 1):
        with meter.recording() as recording:
            fired = sla.sweep(now=iso(base + timedelta(minutes=minute)))
        runs.append({"fired": fired, **summary(recording)})
    with meter.recording() as recording:
        again = sla.sweep(now=iso(base + timedelta(minutes=minutes)))
    idle = {"fired": again, **summary(recording)}
    fired = sum(run["fired"] for run in runs)
    calls = Counter()
    for run in runs:
        calls.update(run["calls"])
    return {
        "backlog_events": backlog, "runs": minutes, "fired": fired,
        "per_run": {"fired": fired / minutes, "calls": {k: v / minutes for k, v in sorted(calls.items())},
                    "read_units": sum(r["read_units"] for r in runs) / minutes,
                    "write_units": sum(r["write_units"] for r in runs) / minutes,
                    "items_read": sum(r["items_read"] for r in runs) / minutes},
        "idle_run": idle,
    }


class StreamReader:
    def __init__(self, endpoint: str):
        self.dynamodb = cost.dynamodb_client(endpoint)
        self.streams = cost.dynamodb_client(endpoint, "dynamodbstreams")
        self.seen: set[str] = set()

    def new_records(self) -> list[dict]:
        arn = self.dynamodb.describe_table(TableName=config.tickets_table())["Table"]["LatestStreamArn"]
        records = []
        for shard in self.streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"]:
            iterator = self.streams.get_shard_iterator(StreamArn=arn, ShardId=shard["ShardId"],
                                                       ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
            while iterator:
                page = self.streams.get_records(ShardIterator=iterator, Limit=1000)
                if not page["Records"]:
                    break
                records += page["Records"]
                iterator = page.get("NextShardIterator")
        fresh = [r for r in records if r["eventID"] not in self.seen]
        self.seen.update(r["eventID"] for r in fresh)
        return [stream_record(r, arn, config.region()) for r in fresh]


def ticket_events(records: list[dict]) -> int:
    return sum(1 for r in records if ((r["dynamodb"].get("NewImage") or r["dynamodb"].get("OldImage") or {})
                                      .get("kind", {}).get("S")) == "ticket")


def count(meter: Meter, records: list[dict], with_reports: bool, batch: int = 100) -> dict:
    """Counts `records` in invocations of `batch` records, as the stream handler's counting step."""
    directory = DirectoryRepository()
    keep = partition_counts.report_deltas
    if not with_reports:
        partition_counts.report_deltas = lambda run: {}
    try:
        with meter.recording() as recording:
            for start in range(0, len(records), batch):
                assert partition_counts.apply(records[start:start + batch], directory) == []
    finally:
        partition_counts.report_deltas = keep
    events = ticket_events(records)
    # DynamoDB Local reports 2 units per transaction whatever its size; DynamoDB charges 2 WRU per
    # action of an item up to 1 KB (a report item is about 0.5 KB, a count far less).
    actions = recording.written
    return {"ticket_events": events, **summary(recording),
            "actions_per_event": round(actions / events, 3) if events else None,
            "charged_write_units_per_event": round(2 * actions / events, 3) if events else None}


def halves(records: list[dict]) -> tuple[list[dict], list[dict]]:
    """Split where half of the ticket events are on each side."""
    events = ticket_events(records)
    seen = 0
    for position, record in enumerate(records):
        seen += ticket_events([record])
        if seen * 2 >= events:
            return records[:position + 1], records[position + 1:]
    return records, []


def single(records: list[dict], n: int) -> list[list[dict]]:
    """The first `n` ticket events' records, one event per invocation (a quiet project)."""
    return [[record] for record in records if ticket_events([record])][:n]


def aggregates(meter: Meter, stream: StreamReader, principal: Principal, ids: list[str]) -> dict:
    """The creations' records, then a status change of 2,000 tickets (or all): counted in batches of
    100, half with and half without the aggregates; and up to 50 events one by one each way."""
    found = {}
    tickets = services().ticket_changes
    for change in ("created", "acknowledged"):
        if change == "acknowledged":
            for ticket_id in ids[:2000]:
                tickets.update(principal, ticket_id, TicketPatch(status="acknowledged"), None)
        records = stream.new_records()
        first, second = halves(records)
        ones = single(records, 100)
        middle = len(ones) // 2
        found[change] = {
            "batched, with": count(meter, first, True), "batched, without": count(meter, second, False),
            "single, with": count(meter, [r for one in ones[:middle] for r in one], True, batch=1),
            "single, without": count(meter, [r for one in ones[middle:] for r in one], False, batch=1),
        }
    return found


def report_reads(meter: Meter, principal: Principal, today) -> dict:
    directory = DirectoryRepository()
    full = {name: 7 for name in reports.ATTRIBUTES}
    for offset in range(REPORT_DAYS):
        day = (today - timedelta(days=offset)).isoformat()
        directory.add_to_partition_counts_once(
            {}, [f"bench-report-{day}"], {(principal.project.id, day, severity): full for severity in SEVERITIES})
    service = services().reports
    found = {}
    for bucket in ("day", "week"):
        with meter.recording() as recording:
            answer = service.summary(principal, today - timedelta(days=REPORT_DAYS - 1), today, bucket, today)
        found[bucket] = {"buckets": len(answer["buckets"]), **summary(recording)}
    return found


def run(ticket_count: int, minutes: int) -> dict:
    with dynamodb_local.running() as endpoint, cost.restored_environment(cost.environment(endpoint)):
        os.environ.update(cost.environment(endpoint))
        provision.create_tables(cost.dynamodb_client(endpoint), STAGE)
        cost.rebind()
        stream = StreamReader(endpoint)
        directory = DirectoryRepository()
        project, admin, _ = PeopleService(directory).create_project("SLA", "SLA", "admin@sla.example")
        principal = Principal(project=project, actor=admin.user_id, role="admin", key_id="bench",
                              user_id=admin.user_id)
        services().sla.replace_policy(principal, POLICY)
        principal = Principal(project=directory.project(project.id), actor=admin.user_id, role="admin",
                              key_id="bench", user_id=admin.user_id)
        base = datetime.now(timezone.utc).replace(second=0, microsecond=0)
        meter = Meter()
        with meter.installed():
            log(f"loading {ticket_count} tickets")
            ids = load(principal, ticket_count, base)
            log("sweeping")
            schedule = sweeps(meter, base, minutes)
            log("counting")
            counted = aggregates(meter, stream, principal, ids)
            log("reporting")
            report = report_reads(meter, principal, base.date())
    return {"tickets": ticket_count, "schedule": schedule, "aggregates": counted, "report": report,
            "machine": f"{platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}"}


def markdown(figures: dict) -> str:
    schedule, per_run = figures["schedule"], figures["schedule"]["per_run"]
    lines = [f"Tickets open: {figures['tickets']:,}; {figures['machine']}.", "",
             "| What | Calls | RRU | WRU | Items read |", "|---|---|---|---|---|"]
    calls = ", ".join(f"{name} {value:g}" for name, value in per_run["calls"].items())
    lines.append(f"| SLA sweep, a minute's run ({per_run['fired']:.1f} events fired) | {calls} | "
                 f"{per_run['read_units']:.1f} | {per_run['write_units']:.1f} | {per_run['items_read']:.1f} |")
    idle = schedule["idle_run"]
    lines.append(f"| SLA sweep, nothing due | {', '.join(f'{k} {v}' for k, v in idle['calls'].items())} | "
                 f"{idle['read_units']} | {idle['write_units']} | {idle['items_read']} |")
    for change, parts in figures["aggregates"].items():
        for label, part in parts.items():
            lines.append(f"| stream counting, {change}, {label} aggregates ({part['ticket_events']} ticket events) | "
                         f"{', '.join(f'{k} {v}' for k, v in part['calls'].items())}; "
                         f"{part['items_written']} transaction actions ({part['actions_per_event']} an event) | "
                         f"{part['read_units']} | {part['charged_write_units_per_event']} an event, charged | – |")
    for bucket, part in figures["report"].items():
        lines.append(f"| report, {REPORT_DAYS} days by {bucket} ({part['buckets']} buckets) | "
                     f"{', '.join(f'{k} {v}' for k, v in part['calls'].items())} | {part['read_units']} | – | "
                     f"{part['items_read']} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.sla_cost", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tickets", type=int, default=10_000)
    parser.add_argument("--minutes", type=int, default=10, help="schedule runs measured (default 10)")
    parser.add_argument("--json", type=Path, help="also write the raw figures here")
    args = parser.parse_args(argv)
    figures = run(args.tickets, args.minutes)
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2) + "\n")
    print(markdown(figures))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
