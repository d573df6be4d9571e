"""Search equals a brute-force filter of every ticket, for any combination of filters, and its
pages neither repeat nor skip a ticket."""
import random
from urllib.parse import urlencode

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.streams import pump_tickets_stream

STATUSES = ["new", "acknowledged", "in_progress", "resolved", "closed", "deferred", "canceled"]
SEVERITIES = ["critical", "high", "medium", "low"]
TAGS = ["db", "web", "prod", "eu", "billing"]
DUE = [None, "2030-01-01T00:00:00.000Z", "2030-02-01T00:00:00.000Z", "2030-03-01T00:00:00.000Z"]


@pytest.fixture
def corpus(api):
    """~40 live tickets with varied fields (and a few deleted ones), as the oracle knows them."""
    rng = random.Random(7)
    member = api.add_member("member")["user_id"]
    team = api.post("/teams", {"name": "SRE", "members": [member]}).json["id"]
    callers = [api, api.as_key(api.key_for(member)), api.as_key(api.automation_key("alerts"))]
    assignees = [None, member, f"team:{team}"]
    tickets = []
    for n in range(44):
        caller = rng.choice(callers)
        body = {"title": f"ticket {n}", "description": "", "severity": rng.choice(SEVERITIES),
                "tags": rng.sample(TAGS, rng.randint(0, 3))}
        if due := rng.choice(DUE):
            body["due_date"] = due
        ticket = caller.create_ticket(**body)
        changes = {"assignee": rng.choice(assignees)} if rng.random() < 0.6 else {}
        status = rng.choice(STATUSES)
        if status != "new":
            changes["status"] = status
        if changes:
            ticket = api.patch(f"/tickets/{ticket['id']}", changes).json
        if n % 15 == 14:
            api.delete(f"/tickets/{ticket['id']}")
            continue
        tickets.append(ticket)
    pump_tickets_stream()  # partition counts, so that searches pick their index by size
    return {"tickets": tickets, "assignees": [a for a in assignees if a]}



def oracle(tickets, query):
    def keep(t):
        if "status" in query and t["status"] not in query["status"].split(","):
            return False
        if "severity" in query and t["severity"] not in query["severity"].split(","):
            return False
        if "reporter" in query and t["reporter"] != query["reporter"]:
            return False
        if "assignee" in query and t["assignee"] != query["assignee"]:
            return False
        if "tags" in query and not set(query["tags"].split(",")) & set(t["tags"]):
            return False
        if "created_after" in query and not t["created_at"] >= query["created_after"]:
            return False
        if "created_before" in query and not t["created_at"] < query["created_before"]:
            return False
        if "due_after" in query and not (t["due_date"] and t["due_date"] >= query["due_after"]):
            return False
        if "due_before" in query and not (t["due_date"] and t["due_date"] < query["due_before"]):
            return False
        return True
    chosen = [t for t in tickets if keep(t)]
    return [t["id"] for t in sorted(chosen, key=lambda t: (t["created_at"], t["id"]), reverse=True)]


def fetch_all(api, query, limit):
    ids, cursor, pages = [], None, 0
    while True:
        params = dict(query, limit=limit) | ({"cursor": cursor} if cursor else {})
        response = api.get(f"/tickets?{urlencode(params)}")
        assert response.status_code == 200, response.body
        page = response.json
        assert len(page["data"]) <= limit
        ids += [t["id"] for t in page["data"]]
        cursor = page["cursor"]
        pages += 1
        if cursor is None:
            return ids
        assert page["data"], "a page with a cursor must not be empty"
        assert pages < 100


@st.composite
def queries(draw, corpus):
    tickets = corpus["tickets"]
    created = sorted(t["created_at"] for t in tickets)
    reporters = sorted({t["reporter"] for t in tickets})
    query = {}
    if draw(st.booleans()):
        query["status"] = ",".join(draw(st.lists(st.sampled_from(STATUSES), min_size=1, max_size=3, unique=True)))
    if draw(st.booleans()):
        query["severity"] = ",".join(draw(st.lists(st.sampled_from(SEVERITIES), min_size=1, max_size=2, unique=True)))
    if draw(st.integers(0, 3)) == 0:
        query["reporter"] = draw(st.sampled_from(reporters))
    if draw(st.integers(0, 3)) == 0:
        query["assignee"] = draw(st.sampled_from(corpus["assignees"] + reporters))
    if draw(st.booleans()):
        query["tags"] = ",".join(draw(st.lists(st.sampled_from(TAGS), min_size=1, max_size=3, unique=True)))
    if draw(st.integers(0, 2)) == 0:
        query["created_after"] = draw(st.sampled_from(created))
    if draw(st.integers(0, 2)) == 0:
        query["created_before"] = draw(st.sampled_from(created))
    if draw(st.integers(0, 3)) == 0:
        query["due_after"] = draw(st.sampled_from(DUE[1:]))
    if draw(st.integers(0, 3)) == 0:
        query["due_before"] = draw(st.sampled_from(DUE[1:]))
    return query


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                  HealthCheck.too_slow])
@given(data=st.data())
def test_search_equals_brute_force_filter(api, corpus, data):
    query = data.draw(queries(corpus))
    limit = data.draw(st.integers(1, 12))
    found = fetch_all(api, query, limit)
    assert len(found) == len(set(found)), "a ticket was repeated across pages"
    assert found == oracle(corpus["tickets"], query)


@pytest.mark.parametrize("field", ["status", "severity", "reporter", "assignee", "tags"])
def test_each_filter_alone_equals_brute_force_filter(api, corpus, field):
    """Every index a filter drives is read, whatever the random examples above happen to draw."""
    tickets = corpus["tickets"]
    value = {"reporter": sorted(t["reporter"] for t in tickets)[0], "assignee": corpus["assignees"][0],
             "status": "new", "severity": "high", "tags": "db"}[field]
    query = {field: value}
    expected = oracle(tickets, query)
    assert expected, f"the corpus has no ticket for {query}"
    assert fetch_all(api, query, 5) == expected


def test_unfiltered_pages_cover_every_live_ticket_once(api, corpus):
    found = fetch_all(api, {}, 7)
    assert found == oracle(corpus["tickets"], {})
    assert len(found) == len(corpus["tickets"])


def test_cursor_is_tamper_evident_and_bound_to_its_query(api, corpus):
    cursor = api.get("/tickets?limit=2").json["cursor"]
    assert api.get(f"/tickets?limit=2&cursor={cursor}").status_code == 200
    for bad in (cursor[:-3] + "abc", "garbage", cursor.replace(".", "")):
        response = api.get(f"/tickets?limit=2&cursor={bad}")
        assert response.status_code == 400
        assert response.json["error"]["details"][0]["field"] == "cursor"
    assert api.get(f"/tickets?limit=2&status=new&cursor={cursor}").status_code == 400


@pytest.mark.parametrize("query,field", [
    ("status=open", "status"), ("severity=urgent", "severity"), ("status=new,,closed", "status"),
    ("limit=0", "limit"), ("limit=101", "limit"), ("limit=x", "limit"), ("created_after=yesterday", "created_after"),
    ("colour=red", "colour"),
])
def test_bad_filters_are_400_naming_the_field(api, query, field):
    response = api.get(f"/tickets?{query}")
    assert response.status_code == 400
    assert response.json["error"]["details"][0]["field"] == field
