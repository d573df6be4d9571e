"""What a bulk change leaves in the tickets stream, and a retry after DynamoDB failed mid-way (the
rest of bulk changes runs on memory: tests/rules/test_bulk.py)."""
from chalicelib.adapters.dynamodb.tables import TicketRepository
from chalicelib.events.outbox import event_of
from tests.rules.test_bulk import BULK, bulk, events
from tests.streams import new_records


class TestEvents:
    def test_each_changed_ticket_makes_its_own_events(self, api):
        changed, unchanged, refused = (api.create_ticket(severity="low"), api.create_ticket(severity="high"),
                                       api.create_ticket(severity="low"))
        new_records()  # what came before
        response = bulk(api, ["OPS-1", "OPS-2", "OPS-3"], {"severity": "high"}, comment="Raised",
                        expected_versions={"OPS-3": 7})
        assert [r["status"] for r in response.json["results"]] == [200, 200, 412]
        seen = [event for event in map(event_of, new_records()) if event is not None]
        by_ticket = {}
        for event in seen:
            by_ticket.setdefault(event.ticket["id"], []).append(event.type)
        assert sorted(by_ticket[changed["id"]]) == ["COMMENT_ADDED", "TICKET_UPDATED"]
        assert by_ticket[unchanged["id"]] == ["COMMENT_ADDED"]
        assert refused["id"] not in by_ticket
        [updated] = [e for e in seen if e.type == "TICKET_UPDATED"]
        assert updated.changes == {"severity": {"old": "low", "new": "high"}}
        assert updated.ticket["severity"] == "high" and updated.ticket["version"] == 2


class TestIdempotency:
    def body(self, refs):
        return {"ticket_ids": refs, "change": {"status": "acknowledged"}, "comment": "Seen"}

    def test_a_retry_after_a_failure_mid_way_comments_each_ticket_once(self, api, monkeypatch):
        tickets = [api.create_ticket() for _ in range(3)]
        original = TicketRepository.update
        calls = []

        def failing_on_the_third(self, *args, **kwargs):
            calls.append(1)
            if len(calls) == 3:
                raise ConnectionError("the function timed out")
            return original(self, *args, **kwargs)

        monkeypatch.setattr(TicketRepository, "update", failing_on_the_third)
        crashed = api.post(BULK, self.body(["OPS-1", "OPS-2", "OPS-3"]), headers={"Idempotency-Key": "bulk-3"})
        assert crashed.status_code == 500
        monkeypatch.setattr(TicketRepository, "update", original)
        assert [events(api, t["id"]).count("COMMENT_ADDED") for t in tickets] == [1, 1, 0]

        retry = api.post(BULK, self.body(["OPS-1", "OPS-2", "OPS-3"]), headers={"Idempotency-Key": "bulk-3"})
        assert retry.status_code == 200
        assert [(r["status"], r["version"]) for r in retry.json["results"]] == [(200, 2)] * 3
        for ticket in tickets:
            assert events(api, ticket["id"]) == ["COMMENT_ADDED", "TICKET_UPDATED", "TICKET_CREATED"]
