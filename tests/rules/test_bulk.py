"""POST /tickets/bulk: one change, and a comment, made to each listed ticket on its own."""
import json

import pytest

BULK = "/tickets/bulk"


def bulk(api, ticket_ids, change, **extra):
    return api.post(BULK, {"ticket_ids": ticket_ids, "change": change, **extra}, headers=extra.pop("headers", None))


def history(api, ticket_id) -> list[dict]:
    return api.get(f"/tickets/{ticket_id}/history?limit=100").json["data"]


def events(api, ticket_id) -> list[str]:
    return [entry["event"] for entry in history(api, ticket_id)]


class TestOutcomes:
    def test_each_ticket_is_changed_with_its_own_history_entry(self, api, admin_id):
        first, second = api.create_ticket(severity="low"), api.create_ticket(severity="low", tags=["db"])
        response = bulk(api, [first["id"], "OPS-2"], {"status": "acknowledged", "severity": "high"})
        assert response.status_code == 200, response.body
        assert response.json["results"] == [
            {"ticket_id": first["id"], "id": first["id"], "key": "OPS-1", "status": 200, "version": 2,
             "error": None, "allowed_transitions": None},
            {"ticket_id": "OPS-2", "id": second["id"], "key": "OPS-2", "status": 200, "version": 2,
             "error": None, "allowed_transitions": None},
        ]
        for ticket in (first, second):
            body = api.get(f"/tickets/{ticket['id']}").json
            assert (body["status"], body["severity"], body["version"]) == ("acknowledged", "high", 2)
            updated = history(api, ticket["id"])[0]
            assert updated["event"] == "TICKET_UPDATED" and updated["changed_by"] == admin_id
            assert updated["changes"] == {"status": {"old": "new", "new": "acknowledged"},
                                          "severity": {"old": "low", "new": "high"}}

    def test_mixed_outcomes_in_one_request(self, api):
        api.put("/workflow", {"transitions": {"new": ["acknowledged"], "acknowledged": ["resolved"]}})
        ok, stuck, stale = api.create_ticket(), api.create_ticket(), api.create_ticket()
        api.patch(f"/tickets/{stuck['id']}", {"status": "acknowledged"})   # acknowledged may not go back to new...
        api.patch(f"/tickets/{stale['id']}", {"title": "moved on"})         # version 2
        deleted = api.create_ticket()
        api.delete(f"/tickets/{deleted['id']}")
        refs = [ok["id"], stuck["key"].lower(), stale["id"], "OPS-999", deleted["key"], "nosuchticket"]
        response = bulk(api, refs, {"status": "acknowledged", "severity": "critical"},
                        comment="Triaged", expected_versions={stale["id"]: 1, ok["id"]: 1})
        assert response.status_code == 200, response.body
        results = response.json["results"]
        assert [r["ticket_id"] for r in results] == refs
        assert [r["status"] for r in results] == [200, 200, 412, 404, 404, 404]
        assert results[0]["version"] == 2
        # ...but it is acknowledged already: only the severity changes.
        assert results[1]["version"] == 3 and results[1]["id"] == stuck["id"] and results[1]["key"] == stuck["key"]
        assert results[2]["error"]["code"] == "precondition_failed" and results[2]["version"] is None
        assert results[2]["id"] == stale["id"] and results[2]["key"] == stale["key"]
        for missing in results[3:]:
            assert missing["error"]["code"] == "not_found" and missing["id"] is None and missing["key"] is None
        assert events(api, ok["id"]) == ["COMMENT_ADDED", "TICKET_UPDATED", "TICKET_CREATED"]
        assert events(api, stale["id"]) == ["TICKET_UPDATED", "TICKET_CREATED"]  # no comment where it failed
        assert api.get(f"/tickets/{stale['id']}").json["severity"] == "high"

    def test_a_forbidden_move_is_409_with_the_allowed_moves(self, api):
        api.put("/workflow", {"transitions": {"new": ["acknowledged", "canceled"], "acknowledged": ["resolved"]}})
        fresh, acked = api.create_ticket(), api.create_ticket()
        api.patch(f"/tickets/{acked['id']}", {"status": "acknowledged"})
        response = bulk(api, [fresh["id"], acked["id"]], {"status": "resolved"}, comment="Fixed")
        first, second = response.json["results"]
        assert first["status"] == 409 and first["error"]["code"] == "transition_not_allowed"
        assert first["allowed_transitions"] == ["acknowledged", "canceled"]
        assert first["error"]["details"][0]["field"] == "status"
        assert second["status"] == 200 and second["version"] == 3
        assert events(api, fresh["id"]) == ["TICKET_CREATED"]
        assert events(api, acked["id"])[:2] == ["COMMENT_ADDED", "TICKET_UPDATED"]

    def test_an_unchanged_ticket_gets_the_comment_but_no_update(self, api):
        done, todo = api.create_ticket(severity="high"), api.create_ticket(severity="low")
        results = bulk(api, ["OPS-1", "OPS-2"], {"severity": "high"}, comment="All high now").json["results"]
        assert [(r["status"], r["version"]) for r in results] == [(200, 1), (200, 2)]
        assert events(api, done["id"]) == ["COMMENT_ADDED", "TICKET_CREATED"]
        assert events(api, todo["id"]) == ["COMMENT_ADDED", "TICKET_UPDATED", "TICKET_CREATED"]
        [comment] = [e for e in history(api, done["id"]) if e["event"] == "COMMENT_ADDED"]
        assert comment["comment"] == "All high now"

    def test_a_change_of_nothing_writes_nothing(self, api):
        ticket = api.create_ticket(severity="low", tags=["db"])
        results = bulk(api, ["OPS-1"], {"severity": "low", "add_tags": ["DB"], "remove_tags": ["web"]}).json["results"]
        assert results[0]["status"] == 200 and results[0]["version"] == 1
        assert events(api, ticket["id"]) == ["TICKET_CREATED"]

    def test_tags_are_added_and_removed_on_top_of_each_tickets_own(self, api):
        one, two = api.create_ticket(tags=["db", "eu"]), api.create_ticket(tags=["web"])
        bulk(api, ["OPS-1", "OPS-2"], {"add_tags": ["Prod", "db"], "remove_tags": ["eu", "web"]})
        assert api.get(f"/tickets/{one['id']}").json["tags"] == ["db", "prod"]
        assert api.get(f"/tickets/{two['id']}").json["tags"] == ["prod", "db"]
        assert [t["id"] for t in api.get("/tickets?tags=prod").json["data"]] == [two["id"], one["id"]]
        assert api.get("/tickets?tags=eu").json["data"] == []
        assert history(api, one["id"])[0]["changes"] == {"tags": {"old": ["db", "eu"], "new": ["db", "prod"]}}

    def test_too_many_tags_fails_that_ticket_only(self, api):
        full, light = api.create_ticket(tags=[f"t{n}" for n in range(20)]), api.create_ticket()
        results = bulk(api, [full["id"], light["id"]], {"add_tags": ["more"]}).json["results"]
        assert results[0]["status"] == 400 and results[0]["error"]["details"][0]["field"] == "change.add_tags"
        assert results[1]["status"] == 200

    def test_assignee_and_due_date_are_set_and_cleared(self, api, admin_id):
        team = api.post("/teams", {"name": "DBAs", "members": []}).json
        one, two = api.create_ticket(), api.create_ticket(due_date="2030-01-01T00:00:00Z")
        bulk(api, ["OPS-1", "OPS-2"], {"assignee": f"team:{team['id']}", "due_date": "2031-02-03T04:05:06+01:00"})
        for ticket in (one, two):
            body = api.get(f"/tickets/{ticket['id']}").json
            assert body["assignee"] == f"team:{team['id']}" and body["due_date"] == "2031-02-03T03:05:06.000Z"
        bulk(api, ["OPS-1", "OPS-2"], {"assignee": None, "due_date": None})
        assert api.get(f"/tickets/{one['id']}").json["assignee"] is None
        assert api.get(f"/tickets/{two['id']}").json["due_date"] is None

    def test_another_projects_tickets_are_not_found(self, client, api):
        from tests.api.conftest import new_project
        other, _ = new_project(client, "SEC")
        theirs = other.create_ticket()
        mine = api.create_ticket()
        results = bulk(api, [theirs["id"], "SEC-1", mine["id"]], {"severity": "low"}).json["results"]
        assert [r["status"] for r in results] == [404, 404, 200]
        assert other.get(f"/tickets/{theirs['id']}").json["version"] == 1

    def test_viewers_may_not(self, api):
        api.create_ticket()
        viewer = api.as_key(api.automation_key("reader", role="viewer"))
        assert bulk(viewer, ["OPS-1"], {"severity": "low"}).status_code == 403

    def test_a_hundred_tickets_in_one_request(self, api):
        refs = [api.create_ticket(severity="low")["key"] for _ in range(100)]
        response = bulk(api, refs, {"severity": "medium"}, comment="batch")
        assert response.status_code == 200
        assert [r["status"] for r in response.json["results"]] == [200] * 100
        assert all(r["version"] == 2 for r in response.json["results"])


class TestIdempotency:
    def body(self, refs):
        return {"ticket_ids": refs, "change": {"status": "acknowledged"}, "comment": "Seen"}

    def test_a_retry_returns_the_first_answer_and_changes_nothing_more(self, api):
        one, two = api.create_ticket(), api.create_ticket()
        first = api.post(BULK, self.body(["OPS-1", "OPS-2"]), headers={"Idempotency-Key": "bulk-1"})
        api.patch(f"/tickets/{one['id']}", {"title": "since"})
        again = api.post(BULK, self.body(["OPS-1", "OPS-2"]), headers={"Idempotency-Key": "bulk-1"})
        assert first.status_code == again.status_code == 200
        assert again.json == first.json
        for ticket in (one, two):
            assert events(api, ticket["id"]).count("COMMENT_ADDED") == 1

    def test_same_key_other_body_is_409(self, api):
        api.create_ticket()
        api.post(BULK, self.body(["OPS-1"]), headers={"Idempotency-Key": "bulk-2"})
        response = api.post(BULK, self.body(["OPS-1"]) | {"comment": "other"}, headers={"Idempotency-Key": "bulk-2"})
        assert response.status_code == 409

    def test_a_key_used_to_create_is_not_a_bulk_keys_answer(self, api):
        api.post("/tickets", {"title": "t", "description": "", "severity": "low"}, headers={"Idempotency-Key": "k"})
        assert api.post(BULK, self.body(["OPS-1"]), headers={"Idempotency-Key": "k"}).status_code == 409

    def test_without_a_key_a_repeat_comments_again(self, api):
        ticket = api.create_ticket()
        api.post(BULK, self.body(["OPS-1"]))
        api.post(BULK, self.body(["OPS-1"]))
        assert events(api, ticket["id"]).count("COMMENT_ADDED") == 2

    def test_overlong_key_is_400(self, api):
        api.create_ticket()
        response = api.post(BULK, self.body(["OPS-1"]), headers={"Idempotency-Key": "k" * 256})
        assert response.status_code == 400 and response.json["error"]["details"][0]["field"] == "Idempotency-Key"


class TestValidation:
    @pytest.mark.parametrize("body,field", [
        ({"ticket_ids": [], "change": {"severity": "low"}}, "ticket_ids"),
        ({"ticket_ids": [f"t{n}" for n in range(101)], "change": {"severity": "low"}}, "ticket_ids"),
        ({"ticket_ids": ["OPS-1", "ops-1"], "change": {"severity": "low"}}, "ticket_ids"),
        ({"ticket_ids": ["a", "a"], "change": {"severity": "low"}}, "ticket_ids"),
        ({"ticket_ids": ["x" * 65], "change": {"severity": "low"}}, "ticket_ids.0"),
        ({"ticket_ids": ["OPS-1", "0*"], "change": {"severity": "low"}}, "ticket_ids.1"),
        ({"ticket_ids": ["OPS-1"], "change": {"severity": "low"}, "expected_versions": {"OPS-1*": 1}},
         "expected_versions.OPS-1*"),
        ({"ticket_ids": ["OPS-1"], "change": {}}, "change"),
        ({"ticket_ids": ["OPS-1"]}, "change"),
        ({"change": {"severity": "low"}}, "ticket_ids"),
        ({"ticket_ids": ["OPS-1"], "change": {"title": "x"}}, "change.title"),
        ({"ticket_ids": ["OPS-1"], "change": {"severity": "low"}, "extra": 1}, "extra"),
        ({"ticket_ids": ["OPS-1"], "change": {"status": None}}, "change.status"),
        ({"ticket_ids": ["OPS-1"], "change": {"severity": "urgent"}}, "change.severity"),
        ({"ticket_ids": ["OPS-1"], "change": {"add_tags": []}}, "change.add_tags"),
        ({"ticket_ids": ["OPS-1"], "change": {"add_tags": [""]}}, "change.add_tags.0"),
        ({"ticket_ids": ["OPS-1"], "change": {"add_tags": ["x" * 65]}}, "change.add_tags.0"),
        ({"ticket_ids": ["OPS-1"], "change": {"due_date": "soon"}}, "change.due_date"),
        ({"ticket_ids": ["OPS-1"], "change": {"severity": "low"}, "comment": ""}, "comment"),
        ({"ticket_ids": ["OPS-1"], "change": {"severity": "low"}, "comment": "x" * 65537}, "comment"),
        ({"ticket_ids": ["OPS-1"], "change": {"severity": "low"}, "expected_versions": {"OPS-1": 0}},
         "expected_versions.OPS-1"),
    ])
    def test_bad_input_is_400_naming_the_field_and_changes_nothing(self, api, body, field):
        ticket = api.create_ticket()
        response = api.post(BULK, body)
        assert response.status_code == 400, response.body
        assert response.json["error"]["code"] == "validation_error"
        assert field in [d["field"] for d in response.json["error"]["details"]], response.json
        assert api.get(f"/tickets/{ticket['id']}").json["version"] == 1

    def test_an_id_and_the_key_of_the_same_ticket_are_refused(self, api):
        ticket = api.create_ticket()
        response = bulk(api, [ticket["id"], "OPS-1"], {"severity": "low"})
        assert response.status_code == 400 and response.json["error"]["details"][0]["field"] == "ticket_ids"
        assert api.get(f"/tickets/{ticket['id']}").json["version"] == 1

    def test_an_unknown_assignee_is_409_naming_it_and_changes_nothing(self, api):
        api.create_ticket()
        response = api.post(BULK, {"ticket_ids": ["OPS-1"], "change": {"assignee": "nobody"}})
        assert response.status_code == 409 and response.json["error"]["details"][0]["field"] == "change.assignee"
        assert api.get("/tickets/OPS-1").json["version"] == 1

    def test_a_tag_both_added_and_removed_is_added(self, api):
        api.create_ticket(tags=["web"])
        response = api.post(BULK, {"ticket_ids": ["OPS-1"], "change": {"add_tags": ["a"], "remove_tags": ["A", "web"]}})
        assert response.status_code == 200, response.body
        assert api.get("/tickets/OPS-1").json["tags"] == ["a"]

    def test_versions_of_tickets_not_listed_are_ignored(self, api):
        api.create_ticket()
        response = api.post(BULK, {"ticket_ids": ["OPS-1"], "change": {"severity": "low"},
                                   "expected_versions": {"OPS-2": 7}})
        assert response.status_code == 200 and response.json["results"][0]["status"] == 200

    def test_not_json_and_too_large(self, api):
        assert api.post(BULK, raw="{").status_code == 400
        response = api.post(BULK, raw=json.dumps({"ticket_ids": ["OPS-1"], "change": {"severity": "low"},
                                                  "comment": "x" * (1024 * 1024)}))
        assert response.status_code == 413
