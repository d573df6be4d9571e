"""Creating, reading, changing, commenting on and deleting tickets, with their history."""
from urllib.parse import quote

import pytest


def test_a_ticket_without_assignee_goes_to_the_projects_default(api):
    member = api.add_member("member")["user_id"]
    team = api.post("/teams", {"name": "Triage", "members": [member]}).json["id"]
    assert api.get("").json["default_assignee"] is None
    changed = api.patch("", {"default_assignee": f"team:{team}"})
    assert changed.status_code == 200 and changed.json["default_assignee"] == f"team:{team}"
    ticket = api.create_ticket()
    assert ticket["assignee"] == f"team:{team}"
    created = api.get(f"/tickets/{ticket['id']}").json["history"][0]
    assert created["changes"]["assignee"] == {"old": None, "new": f"team:{team}"}
    assert api.create_ticket(assignee=member)["assignee"] == member  # a given assignee wins
    api.delete(f"/teams/{team}")
    assert api.create_ticket()["assignee"] is None  # a default that names no team any more
    assert api.patch("", {"default_assignee": None}).json["default_assignee"] is None


@pytest.mark.parametrize("body,field,status", [
    ({"default_assignee": "nobody"}, "default_assignee", 409), ({"default_assignee": "team:none"}, "default_assignee", 409),
    ({"name": None}, "name", 400), ({"name": "  "}, "name", 400), ({"key": "NEW"}, "key", 400),
])
def test_project_settings_refuse_bad_values_naming_the_field(api, body, field, status):
    """Malformed is 400; well formed but naming no member or team of the project is 409."""
    response = api.patch("", body)
    assert response.status_code == status, response.body
    assert response.json["error"]["details"][0]["field"] == field


def test_only_admins_change_project_settings(api):
    member = api.as_key(api.key_for(api.add_member("member")["user_id"]))
    assert member.patch("", {"default_assignee": None}).status_code == 403
    assert member.get("").json["default_assignee"] is None


def test_get_returns_history_transitions_and_etag(api):
    ticket = api.create_ticket()
    response = api.get(f"/tickets/{ticket['id']}")
    assert response.status_code == 200
    assert response.headers["ETag"] == '"1"'
    body = response.json
    assert body["attachments"] == []
    assert set(body["allowed_transitions"]) == {"acknowledged", "in_progress", "resolved", "closed", "deferred", "canceled"}
    [created] = body["history"]
    assert created["event"] == "TICKET_CREATED" and created["changes"]["title"] == {"old": None, "new": ticket["title"]}
    assert body["history_cursor"] is None


def test_unknown_ticket_is_404(api):
    response = api.get("/tickets/doesnotexist")
    assert response.status_code == 404 and response.json["error"]["code"] == "not_found"


@pytest.mark.parametrize("field", ["title", "description", "status", "severity", "tags"])
def test_null_is_refused_for_required_fields(api, field):
    ticket = api.create_ticket()
    response = api.patch(f"/tickets/{ticket['id']}", {field: None})
    assert response.status_code == 400
    assert response.json["error"]["details"][0]["field"] == field


def test_assignee_must_be_a_member_or_team(api):
    ticket = api.create_ticket()
    response = api.patch(f"/tickets/{ticket['id']}", {"assignee": "nobody"})
    assert response.status_code == 409 and response.json["error"]["details"][0]["field"] == "assignee"
    assert api.post("/tickets", {"title": "t", "description": "", "severity": "low", "assignee": "team:nope"}).status_code == 409
    team = api.post("/teams", {"name": "DBAs", "members": []}).json
    assert api.patch(f"/tickets/{ticket['id']}", {"assignee": f"team:{team['id']}"}).json["assignee"] == f"team:{team['id']}"


def test_stale_if_match_is_412_and_changes_nothing(api):
    ticket = api.create_ticket()
    path = f"/tickets/{ticket['id']}"
    etag = api.get(path).headers["ETag"]
    assert api.patch(path, {"title": "first"}, headers={"If-Match": etag}).status_code == 200
    response = api.patch(path, {"title": "second"}, headers={"If-Match": etag})
    assert response.status_code == 412
    assert response.json["error"]["code"] == "precondition_failed"
    assert api.get(path).json["title"] == "first"
    fresh = api.get(path).headers["ETag"]
    assert api.patch(path, {"title": "third"}, headers={"If-Match": fresh}).status_code == 200
    assert api.delete(path, headers={"If-Match": fresh}).status_code == 412


def test_workflow_forbids_moves_and_names_allowed_targets(api):
    workflow = {"transitions": {"new": ["acknowledged", "canceled"], "acknowledged": ["in_progress"],
                                "in_progress": ["resolved"], "resolved": ["closed", "in_progress"]}}
    assert api.put("/workflow", workflow).status_code == 200
    assert api.get("/workflow").json["transitions"]["new"] == ["acknowledged", "canceled"]
    ticket = api.create_ticket()
    path = f"/tickets/{ticket['id']}"
    assert api.get(path).json["allowed_transitions"] == ["acknowledged", "canceled"]
    response = api.patch(path, {"status": "resolved"})
    assert response.status_code == 409
    assert response.json["error"]["code"] == "transition_not_allowed"
    assert "acknowledged" in response.json["error"]["message"]
    assert api.patch(path, {"status": "acknowledged"}).status_code == 200
    assert api.get(path).json["allowed_transitions"] == ["in_progress"]
    assert api.get(path).json["version"] == 2


@pytest.mark.parametrize("transitions,field", [
    ({"new": ["bogus"]}, "transitions.new"),
    ({"bogus": ["new"]}, "transitions.bogus"),
    ({"new": ["new"]}, "transitions.new"),
])
def test_invalid_workflow_is_400(api, transitions, field):
    response = api.put("/workflow", {"transitions": transitions})
    assert response.status_code == 400
    assert response.json["error"]["details"][0]["field"].startswith(field.split(".")[0])


def test_comment_adds_a_history_entry(api, admin_id):
    ticket = api.create_ticket()
    response = api.post(f"/tickets/{ticket['id']}/comments", {"comment": "Looking into it"})
    assert response.status_code == 201
    entry = response.json
    assert entry["event"] == "COMMENT_ADDED" and entry["comment"] == "Looking into it"
    assert entry["changed_by"] == admin_id
    assert api.get(f"/tickets/{ticket['id']}").json["history"][0]["id"] == entry["id"]


def test_comment_on_missing_ticket_is_404(api):
    assert api.post("/tickets/nope/comments", {"comment": "x"}).status_code == 404


def test_history_filters_and_pages(api):
    ticket = api.create_ticket()
    path = f"/tickets/{ticket['id']}"
    for n in range(5):
        api.post(f"{path}/comments", {"comment": f"c{n}"})
        api.patch(path, {"title": f"title {n}"})
    comments, cursor = [], None
    while True:
        query = "?event=COMMENT_ADDED&limit=2" + (f"&cursor={cursor}" if cursor else "")
        page = api.get(f"{path}/history{query}").json
        comments += page["data"]
        cursor = page["cursor"]
        if not cursor:
            break
    assert [c["comment"] for c in comments] == ["c4", "c3", "c2", "c1", "c0"]
    everything = api.get(f"{path}/history?limit=100").json["data"]
    assert len(everything) == 11 and everything[-1]["event"] == "TICKET_CREATED"
    timestamps = [e["timestamp"] for e in everything]
    assert timestamps == sorted(timestamps, reverse=True)


def test_history_cursor_is_tied_to_its_query(api):
    ticket = api.create_ticket()
    path = f"/tickets/{ticket['id']}"
    for n in range(3):
        api.post(f"{path}/comments", {"comment": f"c{n}"})
    cursor = api.get(f"{path}/history?limit=1").json["cursor"]
    assert api.get(f"{path}/history?limit=1&event=COMMENT_ADDED&cursor={cursor}").status_code == 400
    # The signature's first character carries six bits of it (its last may carry padding only).
    payload, signature = cursor.rsplit(".", 1)
    forged = f"{payload}.{'A' if signature[0] != 'A' else 'B'}{signature[1:]}"
    assert api.get(f"{path}/history?limit=1&cursor={forged}").status_code == 400


def test_detail_history_continues_with_its_cursor(api):
    ticket = api.create_ticket()
    path = f"/tickets/{ticket['id']}"
    for n in range(55):
        api.post(f"{path}/comments", {"comment": f"c{n}"})
    detail = api.get(path).json
    assert len(detail["history"]) == 50 and detail["history_cursor"]
    rest = api.get(f"{path}/history?cursor={detail['history_cursor']}").json
    assert [e["comment"] for e in rest["data"]][:5] == ["c4", "c3", "c2", "c1", "c0"]
    assert rest["data"][-1]["event"] == "TICKET_CREATED"


def test_delete_keeps_history_for_admins_only(api):
    member = api.as_key(api.key_for(api.add_member("member")["user_id"]))
    ticket = member.create_ticket(tags=["gone"])
    path = f"/tickets/{ticket['id']}"
    assert member.delete(path).status_code == 204
    assert api.get(path).status_code == 404
    assert member.patch(path, {"title": "x"}).status_code == 404
    assert member.delete(path).status_code == 404
    assert api.get("/tickets").json["data"] == []
    assert api.get("/tickets?tags=gone").json["data"] == []
    assert member.get(f"{path}/history").status_code == 404
    history = api.get(f"{path}/history").json["data"]
    assert [h["event"] for h in history] == ["TICKET_DELETED", "TICKET_CREATED"]


class TestIdempotency:
    BODY = {"title": "Checkout down", "description": "", "severity": "critical"}

    def test_retry_returns_the_original_ticket(self, api):
        first = api.post("/tickets", self.BODY, headers={"Idempotency-Key": "abc-1"})
        again = api.post("/tickets", self.BODY, headers={"Idempotency-Key": "abc-1"})
        assert first.status_code == again.status_code == 201
        assert first.json == again.json
        assert len(api.get("/tickets").json["data"]) == 1

    def test_same_key_different_body_is_409(self, api):
        api.post("/tickets", self.BODY, headers={"Idempotency-Key": "abc-2"})
        response = api.post("/tickets", self.BODY | {"severity": "low"}, headers={"Idempotency-Key": "abc-2"})
        assert response.status_code == 409
        assert len(api.get("/tickets").json["data"]) == 1

    def test_keys_are_per_caller(self, api):
        flow = api.as_key(api.automation_key("flow"))
        api.post("/tickets", self.BODY, headers={"Idempotency-Key": "shared"})
        other = flow.post("/tickets", self.BODY, headers={"Idempotency-Key": "shared"})
        assert other.status_code == 201
        assert len(api.get("/tickets").json["data"]) == 2

    def test_overlong_key_is_400(self, api):
        response = api.post("/tickets", self.BODY, headers={"Idempotency-Key": "k" * 300})
        assert response.status_code == 400


class TestDedupKey:
    def test_open_duplicate_is_absorbed(self, api):
        first = api.create_ticket(dedup_key="disk:db-1")
        response = api.post("/tickets", {"title": "Disk full again", "description": "", "severity": "critical",
                                         "dedup_key": "disk:db-1"})
        assert response.status_code == 200
        assert response.json["id"] == first["id"]
        history = api.get(f"/tickets/{first['id']}/history").json["data"]
        assert history[0]["event"] == "DUPLICATE_RECEIVED"
        assert history[0]["changes"]["received"]["new"]["title"] == "Disk full again"
        assert len(api.get("/tickets").json["data"]) == 1

    def test_finished_ticket_frees_the_key(self, api):
        first = api.create_ticket(dedup_key="cpu:web")
        api.patch(f"/tickets/{first['id']}", {"status": "resolved"})
        second = api.post("/tickets", {"title": "CPU", "description": "", "severity": "low", "dedup_key": "cpu:web"})
        assert second.status_code == 201 and second.json["id"] != first["id"]
        third = api.post("/tickets", {"title": "CPU", "description": "", "severity": "low", "dedup_key": "cpu:web"})
        assert third.status_code == 200 and third.json["id"] == second.json["id"]

    def test_deleted_ticket_frees_the_key(self, api):
        first = api.create_ticket(dedup_key="k")
        api.delete(f"/tickets/{first['id']}")
        assert api.post("/tickets", {"title": "t", "description": "", "severity": "low", "dedup_key": "k"}).status_code == 201

    def test_keys_are_per_project(self, client, api):
        from tests.api.conftest import new_project
        other, _ = new_project(client, "SEC")
        api.create_ticket(dedup_key="same")
        assert other.post("/tickets", {"title": "t", "description": "", "severity": "low", "dedup_key": "same"}).status_code == 201


class TestTagsLookingAlikeAreOneTag:
    """A tag is kept and compared composed (NFC), without zero-width or bidi control characters:
    tags that look the same are the same in storage, in filters, in the term index (there:
    tests/api/test_search.py) and in dedup."""

    COMPOSED, DECOMPOSED = "caf\u00e9", "cafe\u0301"

    def test_stored_once_in_one_spelling(self, api):
        ticket = api.create_ticket(tags=["\u200bdb", "db", "d\u200db\u2060", "\u202edb\u202c", self.DECOMPOSED,
                                         self.COMPOSED.upper()])
        assert ticket["tags"] == ["db", self.COMPOSED]
        assert api.get(f"/tickets/{ticket['id']}").json["tags"] == ["db", self.COMPOSED]

    def test_a_change_to_a_lookalike_tag_is_no_change(self, api):
        ticket = api.create_ticket(tags=["db", self.COMPOSED])
        response = api.patch(f"/tickets/{ticket['id']}", {"tags": ["\ufeffdb", self.DECOMPOSED]})
        assert response.status_code == 200 and response.json["version"] == ticket["version"]
        assert [e["event"] for e in api.get(f"/tickets/{ticket['id']}/history").json["data"]] == ["TICKET_CREATED"]

    def test_filters_find_the_tag_in_either_spelling(self, api):
        ticket = api.create_ticket(tags=[self.DECOMPOSED, "d\u200bb"])
        for tags in (self.COMPOSED, self.DECOMPOSED, "db", "\u200bdb", "\u2066db\u2069"):
            found = api.get(f"/tickets?tags={quote(tags)}").json["data"]
            assert [t["id"] for t in found] == [ticket["id"]], tags

    def test_bulk_changes_add_and_remove_lookalike_tags_as_one(self, api):
        ticket = api.create_ticket(tags=["db", self.COMPOSED])
        response = api.post("/tickets/bulk", {"ticket_ids": [ticket["id"]],
                                              "change": {"remove_tags": [self.DECOMPOSED],
                                                         "add_tags": ["\u200bdb", "eu\u200e"]}})
        assert response.json["results"][0]["status"] == 200, response.body
        assert api.get(f"/tickets/{ticket['id']}").json["tags"] == ["db", "eu"]

    def test_a_tag_of_invisible_characters_only_is_400(self, api):
        response = api.post("/tickets", {"title": "t", "description": "", "severity": "low", "tags": ["\u200b\u200b"]})
        assert response.status_code == 400 and response.json["error"]["details"][0]["field"] == "tags.0"

    def test_dedup_keys_that_look_alike_are_one_key(self, api):
        first = api.create_ticket(dedup_key=f"disk:{self.COMPOSED}")
        assert first["dedup_key"] == f"disk:{self.COMPOSED}"
        for key in (f"disk:{self.DECOMPOSED}", f"\u200bdisk:{self.COMPOSED}\ufeff", f"disk\u2060:{self.COMPOSED}"):
            again = api.post("/tickets", {"title": "Disk", "description": "", "severity": "low", "dedup_key": key})
            assert again.status_code == 200 and again.json["id"] == first["id"], key
        refused = api.post("/tickets", {"title": "t", "description": "", "severity": "low", "dedup_key": "\u200b"})
        assert refused.status_code == 400 and refused.json["error"]["details"][0]["field"] == "dedup_key"

    def test_member_addresses_that_differ_only_in_composition_are_one_address(self, api):
        assert api.post("/members", {"email": f"{self.COMPOSED}@example.com", "name": "A", "role": "viewer"}).status_code == 201
        twin = api.post("/members", {"email": f"{self.DECOMPOSED}@example.com", "name": "B", "role": "viewer"})
        assert twin.status_code == 409 and twin.json["error"]["details"][0]["field"] == "email"
        hidden = api.post("/members", {"email": f"\u200b{self.COMPOSED}@example.com", "name": "C", "role": "viewer"})
        assert hidden.status_code == 400 and hidden.json["error"]["details"][0]["field"] == "email"
