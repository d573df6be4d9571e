"""With filters on several indexes, the search reads the index whose partitions are smallest, as
counted by the tickets stream consumer."""
from chalicelib.adapters.directory_repo import DirectoryRepository
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
