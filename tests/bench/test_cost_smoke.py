"""The cost benchmark at a tiny size, on DynamoDB Local: the calls it counts are the ones claimed,
and the tickets it bulk-loads look exactly like tickets written through the API."""
import json

import pytest

from bench import cost, dataset
from bench.meter import Meter
from chalicelib.local import dynamodb_local

CLAIMED = {
    "create ticket": {"BatchGetItem": 1, "UpdateItem": 1, "TransactWriteItems": 1},
    "get ticket with details": {"BatchGetItem": 1, "Query": 1},
    "list page (no filter)": {"BatchGetItem": 1, "Query": 1},
}
# What the API leaves out of a ticket item when the ticket has none.
OPTIONAL = {"due_date", "dedup_key", "resolved_at"}


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
            yield cost.prepare(dynamodb, 30), dynamodb
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
    assert create.written == 1 + 4  # the counter; ticket, two tags and its first history entry
    assert create.write_units > 0 and create.read_units > 0
    listing = by_name["list page (no filter)"].recordings[0]
    assert listing.scanned == listing.matched == 21  # a page of 20 and one to know there is more
    assert by_name["list page (no filter)"].shown == [20, 20]


def test_bulk_loaded_items_have_the_shape_the_api_writes(bench_project):
    project, dynamodb = bench_project
    client, headers = project.client, project.headers()
    page = f"/v1/ce/projects/{project.project_id}/tickets"
    created = client.http.post(page, headers=headers, body=json.dumps({
        "title": "Shape check", "description": "compare items", "severity": "low", "tags": ["db", "ui"],
        "due_date": "2030-01-01T00:00:00Z", "dedup_key": "shape-check", "assignee": project.people.members[1],
    }).encode())
    assert created.status_code == 201, created.body
    ticket_id = json.loads(created.body)["id"]
    assert client.http.post(f"{page}/{ticket_id}/comments", headers=headers,
                            body=json.dumps({"comment": "noted"}).encode()).status_code == 201
    assert client.http.patch(f"{page}/{ticket_id}", headers=headers,
                             body=json.dumps({"status": "resolved"}).encode()).status_code == 200

    from_api = _shapes(_collection(dynamodb, f"T#{ticket_id}") + _collection(dynamodb, _dedup_pk(project)))
    bulk = [item for loaded in project.tickets for item in dataset.items(loaded)]

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
    from chalicelib.adapters.tickets_repo import dedup_pk

    return dedup_pk(project.project_id, "shape-check")


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
