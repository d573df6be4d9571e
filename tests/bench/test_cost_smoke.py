"""The cost benchmark at a small size, on DynamoDB Local: the calls it counts are the ones claimed,
the tickets it bulk-loads look exactly like tickets written through the API, and the stream
consumer counts their partitions exactly."""
import json
import math

import pytest

from bench import cost, counting, dataset
from bench.meter import Meter
from chalicelib.local import dynamodb_local

# Enough tickets for more than 100 of them to carry the tag `db` (118), so that a tag page of 100
# really fetches 100 tickets.
TICKETS = 300

CLAIMED = {
    "create ticket": {"BatchGetItem": 1, "UpdateItem": 1, "TransactWriteItems": 1},
    "get ticket with details": {"BatchGetItem": 1, "Query": 1},
    "list page (no filter)": {"BatchGetItem": 1, "Query": 1},
    "comment (12 words)": {"BatchGetItem": 1, "GetItem": 1, "TransactWriteItems": 1},
    "list a ticket's comments": {"BatchGetItem": 1, "GetItem": 1, "Query": 2},
    "read a comment": {"BatchGetItem": 1, "GetItem": 1, "Query": 1},
    "edit a comment (12 words)": {"BatchGetItem": 1, "GetItem": 1, "Query": 1, "TransactWriteItems": 1},
    # A session cookie's request reads what a key's does: one BatchGetItem (session, project, role).
    "create ticket, signed in": {"BatchGetItem": 1, "UpdateItem": 1, "TransactWriteItems": 1},
    "get ticket with details, signed in": {"BatchGetItem": 1, "Query": 1},
    "list page (no filter), signed in": {"BatchGetItem": 1, "Query": 1},
}
# What the API leaves out of a ticket item when the ticket has none (no assignee, no due date, ...).
OPTIONAL = {"assignee", "due_date", "due_order", "dedup_key", "resolved_at"}


@pytest.fixture(scope="module")
def bench_project():
    # conftest points the app at moto; this module needs DynamoDB Local, with the models rebound
    # to it and back again afterwards.
    with dynamodb_local.running() as endpoint, pytest.MonkeyPatch.context() as patch:
        for name, value in cost.environment(endpoint).items():
            patch.setenv(name, value)
        cost.rebind()
        try:
            dynamodb = cost.dynamodb_client(endpoint)
            yield cost.prepare(dynamodb, TICKETS), dynamodb
        finally:
            patch.undo()
            cost.rebind()


def test_counted_calls_match_the_claims(bench_project):
    project, _ = bench_project
    meter = Meter()
    with meter.installed():
        results = cost.measure(project, meter, repetitions=2, warmup=1,
                               scenarios=[s for s in cost.SCENARIOS if s.name in CLAIMED])

    assert {r.scenario for r in results} == set(CLAIMED)
    for result in results:
        assert len(result.recordings) == 2
        for recording in result.recordings:
            assert dict(recording.operations()) == CLAIMED[result.scenario], result.scenario
            assert recording.attempts == len(recording.calls)
    by_name = {r.scenario: r for r in results}
    create = by_name["create ticket"].recordings[0]
    assert create.written == 1 + 5  # the counter; ticket, two tags, its first history entry, its number
    assert create.write_units > 0 and create.read_units > 0
    listing = by_name["list page (no filter)"].recordings[0]
    assert listing.scanned == listing.matched == 21  # a page of 20 and one to know there is more
    assert by_name["list page (no filter)"].shown == [20, 20]


def test_a_bulk_change_costs_a_few_reads_and_one_transaction_per_ticket(bench_project):
    project, _ = bench_project
    wanted = [s for s in cost.SCENARIOS if s.name.startswith("bulk change")]
    meter = Meter()
    with meter.installed():
        # The warm-up request gives every ticket one severity; the measured one changes them all.
        results = cost.measure(project, meter, repetitions=1, warmup=1, scenarios=wanted)
    for result in results:
        assert result.claim_holds(), (result.scenario, result.operations())
        assert result.shown == [cost.BULK_TICKETS]
        [recording] = result.recordings
        transactions = [call for call in recording.calls if call.operation == "TransactWriteItems"]
        # Each ticket's transaction: the ticket and its TICKET_UPDATED entry, and with a comment
        # the COMMENT_ADDED entry, the comment's own item and its mark.
        per_ticket = 5 if "comment" in result.scenario else 2
        assert {call.written for call in transactions} == {per_ticket}


def test_stream_consumer_counted_every_loaded_item(bench_project):
    project, _ = bench_project
    counted = project.counting
    assert counted.records >= project.items_loaded  # plus the email sent markers the handler writes
    # Delivered as the pump delivers them: in batches of at most 100 records.
    assert counted.largest_batch == 100 and counted.batches >= math.ceil(project.items_loaded / 100)
    assert counted.recording.operations()["UpdateItem"] > 0  # the counts, one ADD per partition and batch
    # prepare() has already compared every partition's count with the tickets loaded.
    assert project.partition_sizes == counting.expected_sizes(project.tickets)


def test_search_reads_sizes_only_to_choose_between_indexes(bench_project):
    project, _ = bench_project
    sizes = project.partition_sizes
    assert sizes[("severity", "critical")] > sizes[("status", "canceled")]
    assert sizes[("severity", "medium")] > sizes[("status", "new")]
    wanted = ("status=new", "tags=db", "tags=db&limit=100", "severity=medium&status=new",
              "severity=critical&status=canceled")
    meter = Meter()
    with meter.installed():
        results = cost.measure(project, meter, repetitions=2, warmup=1,
                               scenarios=[s for s in cost.SCENARIOS if s.name in wanted])
    by_name = {r.scenario: r for r in results}

    def batch_gets(recording) -> list[int]:
        """Items read by each BatchGetItem, in order; the first is the auth lookup (key and project)."""
        return [call.read for call in recording.calls if call.operation == "BatchGetItem"]

    for recording in by_name["status=new"].recordings:
        assert batch_gets(recording) == [2]
    for name in ("severity=medium&status=new", "severity=critical&status=canceled"):
        for recording in by_name[name].recordings:
            # Filters on two indexes: one more BatchGetItem, for the two partitions' counts...
            assert batch_gets(recording) == [2, 2], name
            # ...and the smaller partition drives, where the fixed order would have taken severity.
            assert {call.index for call in recording.calls if call.operation == "Query"} == {"by_status"}, name
    for recording in by_name["tags=db"].recordings:
        assert dict(recording.operations()) == {"BatchGetItem": 2, "Query": 1}
        assert batch_gets(recording) == [2, 20] and recording.scanned == 21
    assert by_name["tags=db"].shown == [20, 20]
    for recording in by_name["tags=db&limit=100"].recordings:
        # One BatchGetItem of exactly 100 tickets; the 101st tag item only says there is more.
        assert dict(recording.operations()) == {"BatchGetItem": 2, "Query": 1}
        assert batch_gets(recording) == [2, 100] and recording.scanned == 101
    assert by_name["tags=db&limit=100"].shown == [100, 100]
    assert all(result.claim_holds() for result in results)


def test_bulk_loaded_items_have_the_shape_the_api_writes(bench_project):
    project, dynamodb = bench_project
    client, headers = project.client, project.headers()
    page = f"/v1/ce/projects/{project.project_id}/tickets"
    created = client.http.post(page, headers=headers, body=json.dumps({
        "title": "Shape check", "description": "compare items", "severity": "low", "tags": ["db", "ui"],
        "due_date": "2030-01-01T00:00:00Z", "dedup_key": "shape-check", "assignee": project.people.members[1],
    }).encode())
    assert created.status_code == 201, created.body
    ticket_id, number = json.loads(created.body)["id"], json.loads(created.body)["number"]
    assert client.http.post(f"{page}/{ticket_id}/comments", headers=headers,
                            body=json.dumps({"comment": "noted"}).encode()).status_code == 201
    assert client.http.patch(f"{page}/{ticket_id}", headers=headers,
                             body=json.dumps({"status": "resolved"}).encode()).status_code == 200
    # Resolving disarmed the first ticket's overdue event; this one stays open, its marker armed.
    still_open = client.http.post(page, headers=headers, body=json.dumps({
        "title": "Shape check, open", "description": "stays open", "severity": "high", "due_date": "2030-01-01T00:00:00Z"}).encode())
    assert still_open.status_code == 201, still_open.body
    open_id = json.loads(still_open.body)["id"]

    from_api = _shapes(_collection(dynamodb, f"T#{ticket_id}") + _collection(dynamodb, f"T#{open_id}")
                       + _collection(dynamodb, _dedup_pk(project))
                       + _collection(dynamodb, _number_pk(project, number)))
    bulk = [item for loaded in project.tickets for item in dataset.items(loaded)]
    assert ("due", None) in from_api

    # Taken together the loaded items carry every attribute the API wrote, with the same types...
    assert _shapes(bulk) == from_api
    # ...and each one lacks at most the attributes a ticket may go without.
    for item in bulk:
        expected = from_api[_kind(item)]
        assert {name: next(iter(value)) for name, value in item.items()}.items() <= expected.items()
        assert set(expected) - set(item) <= OPTIONAL, (_kind(item), set(expected) - set(item))
    created_changes = [json.loads(item["changes"]["S"]).keys() for item in bulk
                       if item.get("event", {}).get("S") == "TICKET_CREATED"]
    api_created = [json.loads(item["changes"]["S"]).keys() for item in _collection(dynamodb, f"T#{ticket_id}")
                   if item.get("event", {}).get("S") == "TICKET_CREATED"]
    assert created_changes and all(keys == api_created[0] for keys in created_changes)


def _collection(dynamodb, pk: str) -> list[dict]:
    from chalicelib import config

    return dynamodb.query(TableName=config.tickets_table(), KeyConditionExpression="pk = :pk",
                          ExpressionAttributeValues={":pk": {"S": pk}}, ConsistentRead=True)["Items"]


def _dedup_pk(project) -> str:
    from chalicelib.adapters.dynamodb.keys import dedup_pk

    return dedup_pk(project.project_id, "shape-check")


def _number_pk(project, number: int) -> str:
    from chalicelib.adapters.dynamodb.keys import number_pk

    return number_pk(project.project_id, number)


def _shapes(items: list[dict]) -> dict[tuple, dict[str, str]]:
    """(kind, history event) -> attribute name -> DynamoDB type, over every item given."""
    shapes: dict[tuple, dict[str, str]] = {}
    for item in items:
        shape = shapes.setdefault(_kind(item), {})
        for name, value in item.items():
            shape[name] = next(iter(value))
    return shapes


def _kind(item: dict) -> tuple:
    return item["kind"]["S"], item.get("event", {}).get("S")
