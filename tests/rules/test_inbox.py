"""A person's inbox over HTTP, fed by the tickets stream's consumers (on the in-memory ports): what
an entry says, marking it, archiving it, and an event counted once however often it is replayed.
Isolation between accounts and projects: tests/api/test_isolation.py."""
import pytest

from chalicelib.events.stream import consume
from chalicelib.services.registry import services
from tests.signed_in import sign_in
from tests.streams import MemoryStream

INBOX = "/v1/ce/inbox"


@pytest.fixture
def stream(api) -> MemoryStream:
    return MemoryStream(services().ticket_repo.store)


@pytest.fixture
def bob(api):
    return sign_in(api, "member", name="Bob")


def inbox(browser, query: str = "") -> dict:
    response = browser.unscoped("GET", INBOX + query)
    assert response.status_code == 200, response.body
    return response.json


def test_the_assignee_finds_the_tickets_events_summarised_in_one_entry(api, bob, stream):
    ticket = api.create_ticket(title="Disk full", assignee=bob.user_id)
    api.post(f"/tickets/{ticket['id']}/comments", {"comment": "looking"})
    api.post(f"/tickets/{ticket['id']}/comments", {"comment": "fixed"})
    api.patch(f"/tickets/{ticket['id']}", {"status": "resolved"})
    stream.pump()
    page = inbox(bob)
    (entry,) = page["data"]
    created = api.get(f"/tickets/{ticket['id']}/history").json["data"][-1]
    assert entry == entry | {"ticket_id": ticket["id"], "project_id": api.project_id, "key": ticket["key"],
                             "title": "Disk full", "status": "resolved", "unread": True, "archived": False,
                             "first_unread": created["id"], "last_read_at": None}
    assert entry["summary"]["text"] == "2 comments, created, status \u2192 resolved"
    assert (entry["summary"]["events"], page["unread"], page["cursor"]) == (4, 1, None)
    assert bob.unscoped("GET", INBOX + "/unread").json == {"unread": 1, "projects": {api.project_id: 1}}
    assert inbox(sign_in(api, "member"))["data"] == []  # not a watcher: nothing


def test_marks_move_the_count_and_new_activity_brings_an_archived_entry_back(api, bob, stream):
    ticket = api.create_ticket(assignee=bob.user_id)
    stream.pump()
    path = f"{INBOX}/{ticket['id']}"
    read = bob.unscoped("POST", path + "/read").json
    assert (read["unread"], read["first_unread"], read["last_read_at"] is not None) == (False, None, True)
    assert inbox(bob)["unread"] == 0
    assert bob.unscoped("POST", path + "/unread").json["unread"] is True
    assert bob.unscoped("POST", path + "/archive").json | {"summary": None} == read | {
        "archived": True, "last_read_at": bob.unscoped("GET", INBOX + "?archived=true").json["data"][0]["last_read_at"],
        "summary": None}
    assert (inbox(bob)["data"], inbox(bob)["unread"]) == ([], 0)
    api.post(f"/tickets/{ticket['id']}/comments", {"comment": "again"})
    stream.pump()
    (back,) = inbox(bob)["data"]
    assert (back["unread"], back["archived"], back["summary"]["text"]) == (True, False, "1 comment")
    assert inbox(bob, "?archived=true")["data"] == []
    assert bob.unscoped("POST", INBOX + "/read-all").json == {"marked": 1, "more": False}
    assert bob.unscoped("GET", INBOX + "/unread").json == {"unread": 0, "projects": {}}


def test_a_replayed_batch_puts_nothing_in_an_inbox_twice(api, bob, stream):
    ticket = api.create_ticket(assignee=bob.user_id)
    api.post(f"/tickets/{ticket['id']}/comments", {"comment": "one"})
    records = stream.pump()
    before = inbox(bob)["data"]
    assert consume(records, services()) == [] and consume(records[1:], services()) == []
    assert inbox(bob)["data"] == before and before[0]["summary"]["events"] == 2


def test_pages_run_newest_first_and_continue_from_their_cursor(api, bob, stream):
    tickets = [api.create_ticket(title=f"T{n}", assignee=bob.user_id)["id"] for n in range(5)]
    stream.pump()
    seen, cursor = [], None
    while True:
        page = inbox(bob, f"?limit=2" + (f"&cursor={cursor}" if cursor else ""))
        seen += [e["ticket_id"] for e in page["data"]]
        cursor = page["cursor"]
        if cursor is None:
            break
    assert seen == tickets[::-1]
    assert bob.unscoped("GET", INBOX + f"?cursor={page['cursor'] or 'bogus'}").status_code == 400


def test_a_members_key_reads_its_members_inbox_an_automations_has_none(api, bob, stream):
    ticket = api.create_ticket(assignee=bob.user_id)
    stream.pump()
    key = api.as_key(api.key_for(bob.user_id))
    assert [e["ticket_id"] for e in key.call("GET", "/inbox").json["data"]] == [ticket["id"]]
    answer = api.client.http.get(INBOX, headers={"Authorization": f"Bearer {key.token}"})
    assert answer.status_code == 200 and ticket["id"] in answer.body.decode()
    automation = api.client.http.get(INBOX, headers={"Authorization": f"Bearer {api.automation_key('flow')}"})
    assert automation.status_code == 403


@pytest.mark.parametrize("query,field", [("?limit=0", "limit"), ("?limit=101", "limit"), ("?archived=maybe", "archived"),
                                         ("?bogus=1", "bogus")])
def test_bad_inbox_queries_are_400_naming_the_field(bob, query, field):
    response = bob.unscoped("GET", INBOX + query)
    assert response.status_code == 400
    assert [d["field"] for d in response.json["error"]["details"]] == [field]


def test_an_entry_not_in_the_inbox_is_404(api, bob):
    ticket = api.create_ticket()
    for action in ("read", "unread", "archive", "unarchive"):
        assert bob.unscoped("POST", f"{INBOX}/{ticket['id']}/{action}").status_code == 404


def test_an_edited_or_deleted_comment_is_named_in_the_entry_not_counted_again(api, bob, stream):
    ticket = api.create_ticket(assignee=bob.user_id)
    comment = api.post(f"/tickets/{ticket['id']}/comments", {"comment": "first"}).json
    stream.pump()
    bob.unscoped("POST", f"{INBOX}/{ticket['id']}/read")
    path = f"/tickets/{ticket['id']}/comments/{comment['id']}"
    assert api.patch(path, {"comment": "second"}, headers={"If-Match": '"0"'}).status_code == 200
    assert api.delete(path).status_code == 204
    stream.pump()
    (entry,) = inbox(bob)["data"]
    assert (entry["unread"], entry["summary"]["comments"], entry["summary"]["text"]) == (
        True, 0, "comment edited, comment deleted")


def test_read_all_marks_a_bounded_number_at_a_time_and_says_more_are_left(api, bob, stream, monkeypatch):
    from chalicelib.services import inbox as service
    monkeypatch.setattr(service, "MAX_MARKED_AT_ONCE", 2)
    for _ in range(3):
        api.create_ticket(assignee=bob.user_id)
    stream.pump()
    assert bob.unscoped("POST", INBOX + "/read-all").json == {"marked": 2, "more": True}
    assert bob.unscoped("POST", INBOX + "/read-all").json == {"marked": 1, "more": False}
    assert bob.unscoped("GET", INBOX + "/unread").json["unread"] == 0
