"""Saved views on DynamoDB: the shared views' limit as the table holds it, under concurrent
requests too, and the counts kept from the tickets stream (the rest: tests/rules/test_views.py)."""
from concurrent.futures import ThreadPoolExecutor

import pytest

from chalicelib.adapters.dynamodb.views import ScopeFull, ViewRepository
from chalicelib.domain import views as rules
from chalicelib.domain.clock import new_id, now_iso
from chalicelib.domain.views import View
from chalicelib.errors import Conflict
from tests.rules.test_views import BUILTIN_IDS, assert_error, person


def test_a_project_has_at_most_a_hundred_shared_views(api):
    repo = ViewRepository()
    for n in range(rules.MAX_SHARED_VIEWS - 1):  # straight into the table, to keep the test quick
        repo.add(api.project_id, shared_view(f"v{n}"), rules.MAX_SHARED_VIEWS)
    assert api.post("/views", {"name": "the hundredth", "query": "", "shared": True}).status_code == 201
    error = assert_error(api.post("/views", {"name": "one more", "query": "", "shared": True}), 409)
    assert error["code"] == "view_limit" and "100 shared views" in error["message"]
    assert len(api.get("/views").json["data"]) == len(BUILTIN_IDS) + rules.MAX_SHARED_VIEWS
    assert api.post("/views", {"name": "personal", "query": ""}).status_code == 201


def shared_view(name: str, owner: str = "someone") -> View:
    now = now_iso()
    return View(id=new_id(), name=name, query="", kind=rules.SHARED, owner=owner, created_at=now, updated_at=now)


def test_the_limit_holds_against_concurrent_requests(api):
    repo, limit = ViewRepository(), 3

    def add(n: int) -> str:
        try:
            repo.add(api.project_id, shared_view(f"v{n}"), limit)
            return "added"
        except ScopeFull:
            return "full"
        except Conflict:
            return "busy"

    with ThreadPoolExecutor(max_workers=8) as pool:
        outcomes = list(pool.map(add, range(12)))
    stored = repo.views(api.project_id, None)
    assert len(stored) == outcomes.count("added") <= limit
    # The counter agrees with what is stored: adding one at a time fills exactly the remaining places.
    while True:
        try:
            repo.add(api.project_id, shared_view("late"), limit)
        except ScopeFull:
            break
    assert len(repo.views(api.project_id, None)) == limit


def test_views_count_their_tickets_where_the_kept_counts_say_exactly(api):
    from tests.streams import pump_tickets_stream

    me = api.get("/me").json["user_id"]
    member, as_member = person(api, "member")
    api.create_ticket(severity="critical")
    api.create_ticket(severity="low", tags=["db"])
    api.create_ticket(severity="high", assignee=me)
    done = api.create_ticket(severity="critical", assignee=me)
    api.patch(f"/tickets/{done['id']}", {"status": "resolved"})
    api.create_ticket(severity="medium", assignee=member, due_date="2020-01-01T00:00:00Z")
    for query in ("tags=db", "status=new,resolved&sort=due", "q=disk", "assignee=me&severity=high"):
        assert api.post("/views", {"name": query, "query": query, "shared": True}).status_code == 201
    pump_tickets_stream()

    def counts(caller):
        listed = caller.get("/views").json["data"]
        return {view["name"]: view.get("count") for view in listed}

    assert counts(api) == {"My tickets": 1, "Unassigned": 2, "Open critical and high": 2, "Overdue": None,
                           "Recently updated": 5, "At risk": None, "Breached": None, "Watching": None, "tags=db": 1,
                           "status=new,resolved&sort=due": 5,
                           "q=disk": None, "assignee=me&severity=high": None}
    assert counts(as_member)["My tickets"] == 1  # `me` is whoever asks
    assert api.get("/views/builtin:unassigned").json["count"] == 2
    automation = api.as_key(api.automation_key("flows"))
    assert "count" not in automation.get("/views/builtin:mine").json  # an automation has no `me`
    assert automation.get("/views/builtin:unassigned").json["count"] == 2


@pytest.mark.parametrize("sort", ["due", "sla"])
def test_a_views_count_is_what_its_pages_list_whatever_the_sort(api, sort):
    """`due` and `sla` list the tickets without a due date or a running SLA target after the
    others, so the count the kept counts give is what the view lists."""
    from tests.streams import pump_tickets_stream

    me = api.get("/me").json["user_id"]
    api.put("/sla-policy", {"targets": {"critical": {"resolve": {"minutes": 60}}}})
    dated = [api.create_ticket(assignee=me, severity="critical", due_date=f"2030-01-0{n}T00:00:00Z")
             for n in (3, 1, 2)]
    undated = [api.create_ticket(assignee=me, severity="low") for _ in range(4)]
    done = api.create_ticket(assignee=me, severity="critical", due_date="2030-01-04T00:00:00Z")
    api.patch(f"/tickets/{done['id']}", {"status": "resolved"})
    api.create_ticket(severity="critical", due_date="2030-01-05T00:00:00Z")  # someone else's
    view = api.post("/views", {"name": "Mine by " + sort, "query": f"assignee=me&sort={sort}"}).json
    pump_tickets_stream()

    listed, cursor = [], None
    while True:
        page = api.get(f"/tickets?assignee=me&sort={sort}&limit=3" + (f"&cursor={cursor}" if cursor else "")).json
        listed += [t["id"] for t in page["data"]]
        if (cursor := page["cursor"]) is None:
            break
    # By due date; by SLA breach, which is creation order here (one target of 60 minutes).
    first = [dated[1], dated[2], dated[0], done] if sort == "due" else dated
    rest = sorted((t for t in dated + undated + [done] if t not in first),
                  key=lambda t: (t["created_at"], t["id"]), reverse=True)
    assert listed == [t["id"] for t in first + rest]
    assert api.get(f"/views/{view['id']}").json["count"] == len(listed) == 8
