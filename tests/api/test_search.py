"""Search equals a brute-force filter-and-sort of every ticket, for any combination of filters,
words and sort order, and its pages neither repeat nor skip a ticket."""
import random
from urllib.parse import quote, urlencode

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chalicelib.domain import search as searching
from chalicelib.domain.clock import now_iso
from chalicelib.domain import text
from tests.streams import pump_tickets_stream

STATUSES = ["new", "acknowledged", "in_progress", "resolved", "closed", "deferred", "canceled"]
OPEN = ["new", "acknowledged", "in_progress", "deferred"]
SEVERITIES = ["critical", "high", "medium", "low"]
TAGS = ["db", "web", "prod", "eu", "billing"]
# Past and future due dates, so that some open tickets are overdue.
DUE = [None, "2020-01-01T00:00:00.000Z", "2021-06-01T00:00:00.000Z", "2030-01-01T00:00:00.000Z",
       "2030-02-01T00:00:00.000Z"]
# Some words common, some rare; accents, case, width and other scripts fold as the search folds them.
VOCABULARY = (["disk"] * 6 + ["full"] * 4 + ["the"] * 8 + ["server", "servers", "service", "DÍSK", "ｆｕｌｌ",
              "naïve", "Ünïcode", "東京", "障害", "ошибка", "configuration", "configured", "timeout",
              "db-1", "latency", "café", "connection", "connect"])
SORTS = ["created", "-created", "updated", "due", "severity"]
QUERY_WORDS = ["disk", "full", "the", "dis", "serv", "server", "unicode", "naive", "東", "京", "ошиб",
               "configur", "configuration", "connect", "db", "1", "ops", "ful", "cafe", "zzz", "t"]


def sentence(rng: random.Random, n: int) -> str:
    return " ".join(rng.choice(VOCABULARY) for _ in range(n))


@pytest.fixture
def corpus(api):
    """~45 live tickets with varied fields, words and comments (and a few deleted ones), as the
    oracle knows them."""
    rng = random.Random(7)
    member = api.add_member("member")["user_id"]
    team = api.post("/teams", {"name": "SRE", "members": [member]}).json["id"]
    admin = api.get("/me").json["user_id"]
    callers = [api, api.as_key(api.key_for(member)), api.as_key(api.automation_key("alerts"))]
    assignees = [None, member, f"team:{team}", admin]
    tickets, comments = [], {}
    for n in range(48):
        caller = rng.choice(callers)
        body = {"title": sentence(rng, rng.randint(1, 4)), "description": sentence(rng, rng.randint(0, 6)),
                "severity": rng.choice(SEVERITIES), "tags": rng.sample(TAGS, rng.randint(0, 3))}
        if due := rng.choice(DUE):
            body["due_date"] = due
        if assignee := rng.choice(assignees):
            body["assignee"] = assignee
        ticket = caller.create_ticket(**body)
        changes = {"assignee": rng.choice(assignees)} if rng.random() < 0.4 else {}
        status = rng.choice(STATUSES)
        if status != "new":
            changes["status"] = status
        if rng.random() < 0.2:
            changes["title"] = sentence(rng, 2)
        if changes:
            ticket = api.patch(f"/tickets/{ticket['id']}", changes).json
        if rng.random() < 0.3:
            said = sentence(rng, 3)
            assert api.post(f"/tickets/{ticket['id']}/comments", {"comment": said}).status_code == 201
            comments[ticket["id"]] = said
        if n % 15 == 14:
            api.delete(f"/tickets/{ticket['id']}")
            continue
        tickets.append(ticket)
    pump_tickets_stream()  # term index and partition counts
    pump_tickets_stream()  # the counts of the term items the first pump wrote
    return {"tickets": tickets, "comments": comments, "assignees": [a for a in assignees if a],
            "me": admin}


def oracle(corpus, query):
    me = corpus["me"]

    def person(value):
        return me if value == "me" else None if value == "none" else value

    def keep(t):
        statuses = query["status"].replace("open", ",".join(OPEN)).split(",") if "status" in query else STATUSES
        if t["status"] not in statuses:
            return False
        if "severity" in query and t["severity"] not in query["severity"].split(","):
            return False
        if "reporter" in query and t["reporter"] != person(query["reporter"]):
            return False
        if "assignee" in query and t["assignee"] != person(query["assignee"]):
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
        if "overdue" in query and not (t["status"] in OPEN and t["due_date"] and t["due_date"] < now_iso()):
            return False
        if "q" in query:
            said = text.terms(t["title"], t["description"], t["key"], *t["tags"], corpus["comments"].get(t["id"], ""))
            if not text.contains_all(said, tuple(text.words(query["q"]))):
                return False
        return True

    rank = {s: n for n, s in enumerate(reversed(SEVERITIES))}
    order = {
        "created": (lambda t: (t["created_at"], t["id"]), True),
        "-created": (lambda t: (t["created_at"], t["id"]), False),
        "updated": (lambda t: (t["updated_at"], t["id"]), True),
        "due": (lambda t: (t["due_date"], t["id"]), False),
        "severity": (lambda t: (rank[t["severity"]], t["created_at"], t["id"]), True),
    }
    key, descending = order[query.get("sort", "created")]
    chosen = [t for t in corpus["tickets"] if keep(t)]
    if query.get("sort") == "due":
        # Tickets without a due date last, newest first.
        undated = [t for t in chosen if not t["due_date"]]
        dated = sorted((t for t in chosen if t["due_date"]), key=key)
        return [t["id"] for t in dated + sorted(undated, key=order["created"][0], reverse=True)]
    return [t["id"] for t in sorted(chosen, key=key, reverse=descending)]


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
        assert pages < 200


@st.composite
def queries(draw, corpus):
    tickets = corpus["tickets"]
    created = sorted(t["created_at"] for t in tickets)
    reporters = sorted({t["reporter"] for t in tickets})
    query = {}
    if draw(st.booleans()):
        query["status"] = ",".join(draw(st.lists(st.sampled_from(STATUSES + ["open"]), min_size=1, max_size=3,
                                                 unique=True)))
    if draw(st.integers(0, 2)) == 0:
        query["severity"] = ",".join(draw(st.lists(st.sampled_from(SEVERITIES), min_size=1, max_size=2, unique=True)))
    if draw(st.integers(0, 4)) == 0:
        query["reporter"] = draw(st.sampled_from(reporters + ["me"]))
    if draw(st.integers(0, 3)) == 0:
        query["assignee"] = draw(st.sampled_from(corpus["assignees"] + reporters + ["none", "me"]))
    if draw(st.integers(0, 2)) == 0:
        query["tags"] = ",".join(draw(st.lists(st.sampled_from(TAGS), min_size=1, max_size=3, unique=True)))
    if draw(st.integers(0, 3)) == 0:
        query["created_after"] = draw(st.sampled_from(created))
    if draw(st.integers(0, 3)) == 0:
        query["created_before"] = draw(st.sampled_from(created))
    if draw(st.integers(0, 4)) == 0:
        query["due_after"] = draw(st.sampled_from(DUE[1:]))
    if draw(st.integers(0, 4)) == 0:
        query["due_before"] = draw(st.sampled_from(DUE[1:]))
    if draw(st.integers(0, 5)) == 0:
        query["overdue"] = "true"
    if draw(st.booleans()):
        query["q"] = " ".join(draw(st.lists(st.sampled_from(QUERY_WORDS), min_size=1, max_size=3)))
    query["sort"] = draw(st.sampled_from(SORTS))
    return query


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                  HealthCheck.too_slow])
@given(data=st.data())
def test_search_equals_brute_force_filter_and_sort(api, corpus, data):
    query = data.draw(queries(corpus))
    limit = data.draw(st.integers(1, 12))
    found = fetch_all(api, query, limit)
    assert len(found) == len(set(found)), "a ticket was repeated across pages"
    assert found == oracle(corpus, query)


EACH_PARAMETER = [
    {"status": "new"}, {"severity": "high"}, {"assignee": "none"}, {"assignee": "me"}, {"reporter": "me"},
    {"tags": "db"}, {"status": "open"}, {"overdue": "true"}, {"q": "disk"}, {"q": "dis"}, {"q": "disk full"},
    {"q": "東京"}, {"q": "UNICODE"}, {"q": "configuration"}, {"q": "the", "status": "open"},
    {"sort": "-created"}, {"sort": "updated"}, {"sort": "due"}, {"sort": "severity"},
    {"sort": "updated", "status": "open"}, {"sort": "due", "overdue": "true"},
    {"sort": "severity", "severity": "critical,high", "status": "open"}, {"sort": "due", "q": "disk"},
]


def test_each_parameter_alone_equals_brute_force(api, corpus):
    """Every index each parameter drives is read, whatever the random examples above draw."""
    for query in EACH_PARAMETER:
        expected = oracle(corpus, query)
        assert expected, f"the corpus has no ticket for {query}"
        assert fetch_all(api, query, 5) == expected, query


def test_a_page_cut_short_by_the_read_budget_goes_on_where_it_stopped(api, corpus, monkeypatch):
    monkeypatch.setattr(searching, "READ_BUDGET", 3)
    for query in ({"q": "the disk"}, {"sort": "updated", "severity": "low"}, {"status": "open", "tags": "db"},
                  {"sort": "due", "assignee": "me"}):
        pages = []
        cursor = None
        while True:
            page = api.get(f"/tickets?{urlencode(dict(query, limit=10) | ({'cursor': cursor} if cursor else {}))}").json
            pages.append(page["data"])
            cursor = page["cursor"]
            if cursor is None:
                break
        assert any(len(p) < 10 for p in pages[:-1]), "no page was cut short"
        assert [t["id"] for p in pages for t in p] == oracle(corpus, query)


def test_a_sort_hides_no_ticket_and_pages_cross_into_the_undated_once_each(api, corpus):
    """Soonest due first, then the tickets without a due date, newest first: whatever the page
    size, so that the boundary falls inside a page and at the end of one."""
    undated = {t["id"] for t in corpus["tickets"] if not t["due_date"]}
    for query in ({"sort": "due"}, {"sort": "due", "assignee": "me"}, {"sort": "due", "tags": "db"},
                  {"sort": "due", "status": "open"}):
        expected = oracle(corpus, query)
        assert set(expected) & undated and set(expected) - undated, f"the corpus needs both kinds for {query}"
        for limit in range(1, 8):
            assert fetch_all(api, query, limit) == expected, (query, limit)


def test_unfiltered_pages_cover_every_live_ticket_once(api, corpus):
    found = fetch_all(api, {}, 7)
    assert found == oracle(corpus, {})
    assert len(found) == len(corpus["tickets"])


def test_a_change_is_found_once_the_stream_has_indexed_it(api):
    ticket = api.create_ticket(title="Kernel panic on edge-7", description="after the upgrade")
    pump_tickets_stream()
    assert [t["id"] for t in api.get("/tickets?q=kernel").json["data"]] == [ticket["id"]]
    api.patch(f"/tickets/{ticket['id']}", {"title": "Edge-7 reboots"})
    api.post(f"/tickets/{ticket['id']}/comments", {"comment": "Firmware rollback fixed it"})
    pump_tickets_stream()
    assert api.get("/tickets?q=kernel").json["data"] == []
    assert [t["id"] for t in api.get("/tickets?q=firmware rollb").json["data"]] == [ticket["id"]]
    api.delete(f"/tickets/{ticket['id']}")
    pump_tickets_stream()
    assert api.get("/tickets?q=firmware").json["data"] == []


def test_cursor_is_tamper_evident_and_bound_to_its_query(api, corpus):
    cursor = api.get("/tickets?limit=2").json["cursor"]
    assert api.get(f"/tickets?limit=2&cursor={cursor}").status_code == 200
    payload, signature = cursor.rsplit(".", 1)
    forged = f"{payload}.{'A' if signature[0] != 'A' else 'B'}{signature[1:]}"  # six bits of the signature changed
    for bad in (forged, "garbage", cursor.replace(".", "")):
        response = api.get(f"/tickets?limit=2&cursor={bad}")
        assert response.status_code == 400
        assert response.json["error"]["details"][0]["field"] == "cursor"
    assert api.get(f"/tickets?limit=2&status=new&cursor={cursor}").status_code == 400
    assert api.get(f"/tickets?limit=2&sort=-created&cursor={cursor}").status_code == 400


def test_me_needs_a_member(api):
    automation = api.as_key(api.automation_key("flows"))
    for field in ("assignee", "reporter"):
        response = automation.get(f"/tickets?{field}=me")
        assert response.status_code == 400
        assert response.json["error"]["details"][0]["field"] == field


@pytest.mark.parametrize("query,field", [
    ("status=opened", "status"), ("severity=urgent", "severity"), ("status=new,,closed", "status"),
    ("limit=0", "limit"), ("limit=101", "limit"), ("limit=x", "limit"), ("created_after=yesterday", "created_after"),
    ("colour=red", "colour"), ("sort=priority", "sort"), ("overdue=false", "overdue"),
    ("q=", "q"), ("q=" + "x" * 1025, "q"),
])
def test_bad_filters_are_400_naming_the_field(api, query, field):
    response = api.get(f"/tickets?{query}")
    assert response.status_code == 400
    assert response.json["error"]["details"][0]["field"] == field


@pytest.mark.parametrize("q", [" ".join(f"w{n}" for n in range(12)), "x" * 65, "---"])
def test_any_q_the_document_allows_is_answered(api, q):
    """Many words, long words and no words at all: a search, never a refusal."""
    response = api.get(f"/tickets?q={quote(q)}")
    assert response.status_code == 200, response.body
    assert response.json["data"] == []


COUNTED = [{}, {"status": "open"}, {"status": "new,closed"}, {"assignee": "none"}, {"assignee": "me", "status": "open"},
           {"severity": "critical,high", "status": "open"}, {"tags": "db"}, {"reporter": "me"}]


def test_kept_counts_are_exact_and_a_replayed_batch_counts_nothing_twice(api, corpus):
    from chalicelib.schemas.tickets import TicketSearch
    from chalicelib.services.registry import services
    from tests.streams import handle_records, new_records

    tickets = services().ticket_search
    principal = services().auth.authenticate(f"Bearer {api.token}", api.project_id, source="127.0.0.1")

    def counts():
        return tickets.counts(principal, [tickets.search_query(principal, TicketSearch.model_validate(query))
                                          for query in COUNTED])

    assert counts() == [len(oracle(corpus, query)) for query in COUNTED]
    for n in range(3):
        api.create_ticket(title=f"late {n}", assignee=corpus["me"])
    records = new_records()
    for _ in range(2):  # the second time, as the event source retries a batch
        handle_records(records)
    corpus["tickets"] = api.get("/tickets?limit=100").json["data"]
    assert counts() == [len(oracle(corpus, query)) for query in COUNTED]
    assert tickets.counts(principal, [tickets.search_query(principal, TicketSearch(q="disk"))]) == [None]


def test_backfill_brings_tickets_stored_before_the_indexes_into_them(api):
    """A ticket as an earlier version stored it: no sort-order keys, no unassigned partition, no
    term items. The operator command puts it back in every index."""
    import boto3

    from chalicelib import cli, config
    from chalicelib.adapters.dynamodb.models import TICKET_SK, terms_pk, ticket_pk

    ticket = api.create_ticket(title="Legacy printer jam", description="tray 2")
    api.post(f"/tickets/{ticket['id']}/comments", {"comment": "toner smudge too"})
    pump_tickets_stream()
    table = boto3.resource("dynamodb").Table(config.tickets_table())
    table.update_item(Key={"pk": ticket_pk(ticket["id"]), "sk": TICKET_SK},
                      UpdateExpression="REMOVE state_idx, updated_order, severity_order, assignee_idx")
    for item in table.query(KeyConditionExpression="pk = :pk",
                            ExpressionAttributeValues={":pk": terms_pk(ticket["id"])})["Items"]:
        table.delete_item(Key={"pk": item["pk"], "sk": item["sk"]})
    pump_tickets_stream()
    assert api.get("/tickets?q=toner").json["data"] == []
    assert api.get("/tickets?sort=updated").json["data"] == []

    assert cli.main(["backfill", "--project", api.project_id]) == 0
    pump_tickets_stream()
    for query in ("q=toner", "q=legacy jam", "sort=updated", "assignee=none", "sort=severity"):
        assert [t["id"] for t in api.get(f"/tickets?{query}").json["data"]] == [ticket["id"]], query
    assert cli.main(["backfill", "--project", api.project_id]) == 0  # again: nothing changes
    assert [t["id"] for t in api.get("/tickets?q=toner").json["data"]] == [ticket["id"]]


def test_the_term_index_holds_a_tags_one_spelling(api):
    """Tags that look alike are one tag in the term index too (the rest of that rule:
    tests/rules/test_tickets.py::TestTagsLookingAlikeAreOneTag)."""
    composed, decomposed = "caf\u00e9", "cafe\u0301"
    ticket = api.create_ticket(title="Outage", tags=[decomposed, "pay\u200bments"])
    pump_tickets_stream()
    for q in (composed, decomposed, "payments", "pay\u200bments", "paym"):
        assert [t["id"] for t in api.get(f"/tickets?q={quote(q)}").json["data"]] == [ticket["id"]], q
