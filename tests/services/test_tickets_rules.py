"""The ticket rules that need no storage but the ports': defaults, numbering, what a change
records, and what status and nulls do to a ticket. Run on the in-memory ports (tests/memory_services.py)."""


def test_create_fills_defaults(desk):
    admin_id = desk.principal.user_id
    ticket = desk.create_ticket(tags=["DB", " Prod ", "db"], due_date="2030-01-02T03:04:05+02:00")
    assert ticket["number"] == 1 and ticket["key"] == "OPS-1"
    assert ticket["status"] == "new"
    assert ticket["reporter"] == admin_id and ticket["assignee"] is None  # unassigned, not the caller's
    assert ticket["source"] == "api"
    assert ticket["tags"] == ["db", "prod"]
    assert ticket["due_date"] == "2030-01-02T01:04:05.000Z"
    assert ticket["resolved_at"] is None and ticket["version"] == 1
    assert ticket["created_at"].endswith("Z") and ticket["created_at"] == ticket["updated_at"]


def test_numbers_follow_a_per_project_sequence(desk):
    assert [desk.create_ticket()["key"] for _ in range(3)] == ["OPS-1", "OPS-2", "OPS-3"]


def test_patch_records_only_real_changes(desk):
    ticket = desk.create_ticket(severity="low", tags=["a"])
    changed = desk.patch(ticket["id"], {"severity": "critical", "title": ticket["title"], "tags": ["A"]})
    assert changed["severity"] == "critical" and changed["version"] == 2
    history = desk.history(ticket["id"])["data"]
    assert [h["event"] for h in history] == ["TICKET_UPDATED", "TICKET_CREATED"]
    assert history[0]["changes"] == {"severity": {"old": "low", "new": "critical"}}


def test_noop_patch_writes_nothing(desk):
    ticket = desk.create_ticket(severity="low")
    unchanged = desk.patch(ticket["id"], {"severity": "low", "title": ticket["title"]})
    assert unchanged["version"] == 1
    assert len(desk.history(ticket["id"])["data"]) == 1
    assert desk.detail(ticket["id"])["updated_at"] == ticket["updated_at"]


def test_null_clears_due_date_and_assignee(desk):
    ticket = desk.create_ticket(due_date="2030-01-01T00:00:00Z")
    body = desk.patch(ticket["id"], {"due_date": None, "assignee": None})
    assert body["due_date"] is None and body["assignee"] is None


def test_resolved_at_follows_status(desk):
    ticket = desk.create_ticket()
    resolved = desk.patch(ticket["id"], {"status": "resolved"})
    assert resolved["resolved_at"] is not None
    closed = desk.patch(ticket["id"], {"status": "closed"})
    assert closed["resolved_at"] == resolved["resolved_at"]
    reopened = desk.patch(ticket["id"], {"status": "in_progress"})
    assert reopened["resolved_at"] is None
    changes = desk.history(ticket["id"])["data"][0]["changes"]
    assert changes["resolved_at"] == {"old": resolved["resolved_at"], "new": None}
