"""With filters on several indexes, the search reads the index whose partitions are smallest, as
counted by the tickets stream consumer."""
from chalicelib.adapters.dynamodb.tables import DirectoryRepository
from chalicelib.domain import search
from tests.streams import pump_tickets_stream


def test_stream_consumer_counts_each_partition(api):
    member = api.add_member("member")["user_id"]
    tickets = [api.create_ticket(severity="high", tags=["db"]) for _ in range(4)]
    api.create_ticket(severity="low", tags=["db", "web"], assignee=member)
    api.patch(f"/tickets/{tickets[0]['id']}", {"status": "canceled", "tags": ["web"]})
    api.delete(f"/tickets/{tickets[1]['id']}")
    assert pump_tickets_stream() == {"batchItemFailures": []}

    sizes = DirectoryRepository().index_sizes(api.project_id, {
        "status": ("new", "canceled"), "severity": ("high",), "tags": ("db",), "assignee": (member,)})
    assert sizes == {"status": 4, "severity": 3, "tags": 3, "assignee": 1}
    assert DirectoryRepository().index_sizes(api.project_id, {"status": ("canceled",)}) == {"status": 1}


def test_rare_combination_is_driven_by_the_smaller_index(api):
    for n in range(6):
        api.create_ticket(severity="high")
    rare = api.create_ticket(severity="high")
    api.patch(f"/tickets/{rare['id']}", {"status": "canceled"})
    pump_tickets_stream()

    query = search.TicketQuery(severity=("high",), status=("canceled",))
    sizes = DirectoryRepository().index_sizes(api.project_id, search.candidates(query))
    assert search.plan(query, sizes).index == "status"
    found = api.get("/tickets?severity=high&status=canceled").json["data"]
    assert [t["id"] for t in found] == [rare["id"]]


def test_a_move_between_partitions_nets_out(api):
    ticket = api.create_ticket(severity="low")
    api.patch(f"/tickets/{ticket['id']}", {"severity": "medium"})
    pump_tickets_stream()
    sizes = DirectoryRepository().index_sizes(api.project_id, {"severity": ("low", "medium")})
    assert sizes == {"severity": 1}


def test_history_entries_reach_the_stream_with_a_ticket_snapshot(api):
    from chalicelib.adapters.dynamodb.history import history_from_stream_image
    from chalicelib.domain.events import TicketEvent
    from tests.streams import new_records

    ticket = api.create_ticket(title="Snapshot me")
    api.patch(f"/tickets/{ticket['id']}", {"status": "acknowledged"})
    api.post(f"/tickets/{ticket['id']}/comments", {"comment": "on it"})
    entries = [history_from_stream_image(r["dynamodb"].get("NewImage") or {}) for r in new_records()
               if r["eventName"] == "INSERT"]
    events = [TicketEvent.from_entry(e) for e in entries if e is not None and e.ticket_id == ticket["id"]]
    assert [e.type for e in events] == ["TICKET_CREATED", "TICKET_UPDATED", "COMMENT_ADDED"]
    updated = events[1].payload()
    assert updated["data"]["ticket"]["status"] == "acknowledged" and updated["data"]["ticket"]["version"] == 2
    assert updated["data"]["changes"] == {"status": {"old": "new", "new": "acknowledged"}}
    assert events[2].payload()["data"]["comment"]["body"] == "on it"
