"""A ticket's key on DynamoDB: its guard item, written again by the backfill, and another project's
key answered without a lookup (keys on every route: tests/rules/test_ticket_keys.py)."""
import json

from chalicelib import cli
from chalicelib.adapters.dynamodb.models import NUMBER_SK, NumberGuardItem
from chalicelib.adapters.dynamodb.keys import number_pk
from chalicelib.adapters.dynamodb.tables import TicketRepository
from tests.api.conftest import new_project
from tests.rules.test_ticket_keys import ticket  # noqa: F401  (fixture)


def test_another_projects_key_is_404_without_a_lookup(client, api, ticket, monkeypatch):
    other, _ = new_project(client, "SEC")
    other.create_ticket()
    looked_up = []
    original = TicketRepository.ticket_id_for_number
    monkeypatch.setattr(TicketRepository, "ticket_id_for_number",
                        lambda self, project_id, number: looked_up.append(number) or original(self, project_id, number))
    assert api.get("/tickets/SEC-1").status_code == 404
    assert api.patch("/tickets/sec-1", {"title": "x"}).status_code == 404
    assert api.post("/tickets/SEC-1/comments", {"comment": "x"}).status_code == 404
    assert looked_up == []
    assert other.get("/tickets/SEC-1").status_code == 200 and looked_up == [1]


def test_backfill_writes_the_guards_old_tickets_lack(api, ticket, capsys):
    guard = NumberGuardItem.get(number_pk(api.project_id, 2), NUMBER_SK, consistent_read=True)
    assert guard.ticket_id == ticket["id"]
    guard.delete()  # as a ticket made before keys could be looked up
    assert api.get("/tickets/OPS-2").status_code == 404

    assert cli.main(["backfill", "--project", api.project_id]) == 0
    first = json.loads(capsys.readouterr().out)
    assert cli.main(["backfill", "--project", api.project_id]) == 0
    second = json.loads(capsys.readouterr().out)
    assert first["key_guards_written"] >= 1 and first["tickets"] >= 2
    assert second["key_guards_written"] == 0 and second["tickets"] >= first["tickets"]
    assert api.get("/tickets/OPS-2").json["id"] == ticket["id"]
    assert api.get("/tickets/OPS-1").status_code == 200
