"""Bad input gets a 4xx JSON error naming the field, never a 500."""
import json

import pytest

VALID = {"title": "t", "description": "", "severity": "low"}


def assert_error(response, status, field=None):
    assert response.status_code == status, response.body
    error = response.json["error"]
    assert error["code"] and error["message"]
    if field is not None:
        assert field in [d["field"] for d in error["details"]], error


@pytest.mark.parametrize("raw", ["{", "not json", "[1,2", "\"unterminated", "{\"title\": }"])
def test_malformed_json_is_400(api, raw):
    assert_error(api.post("/tickets", raw=raw), 400, "body")


def test_non_object_body_is_400(api):
    assert_error(api.post("/tickets", raw="[1, 2]"), 400, "body")


def test_empty_body_is_400(api):
    assert_error(api.post("/tickets", raw=""), 400, "body")


def test_body_over_one_mebibyte_is_413(api):
    raw = json.dumps(VALID | {"description": "x" * (1024 * 1024)})
    assert_error(api.post("/tickets", raw=raw), 413)


def test_unknown_fields_are_400(api):
    assert_error(api.post("/tickets", VALID | {"priority": "p1"}), 400, "priority")


@pytest.mark.parametrize("changes,field", [
    ({"title": ""}, "title"),
    ({"title": "x" * 257}, "title"),
    ({"description": "x" * 65537}, "description"),
    ({"severity": "urgent"}, "severity"),
    ({"severity": None}, "severity"),
    ({"tags": ["x" * 65]}, "tags"),
    ({"tags": [""]}, "tags"),
    ({"tags": [f"t{n}" for n in range(21)]}, "tags"),
    ({"tags": "db"}, "tags"),
    ({"due_date": "tomorrow"}, "due_date"),
    ({"title": 42}, "title"),
    ({"source": ""}, "source"),
    ({"dedup_key": ""}, "dedup_key"),
])
def test_invalid_create_fields_are_400(api, changes, field):
    assert_error(api.post("/tickets", VALID | changes), 400, field)


def test_missing_required_fields_are_each_named(api):
    response = api.post("/tickets", {})
    assert_error(response, 400)
    assert {d["field"] for d in response.json["error"]["details"]} == {"title", "description", "severity"}


def test_status_cannot_be_set_on_create(api):
    assert_error(api.post("/tickets", VALID | {"status": "closed"}), 400, "status")


@pytest.mark.parametrize("changes,field", [
    ({"status": "open"}, "status"),
    ({"reporter": "me"}, "reporter"),
    ({"version": 7}, "version"),
    ({"tags": ["ok", "x" * 70]}, "tags"),
])
def test_invalid_patch_fields_are_400_and_change_nothing(api, changes, field):
    ticket = api.create_ticket()
    assert_error(api.patch(f"/tickets/{ticket['id']}", changes), 400, field)
    assert api.get(f"/tickets/{ticket['id']}").json["version"] == 1


def test_comment_length_is_checked(api):
    ticket = api.create_ticket()
    assert_error(api.post(f"/tickets/{ticket['id']}/comments", {"comment": ""}), 400, "comment")
    assert_error(api.post(f"/tickets/{ticket['id']}/comments", {"comment": "x" * 65537}), 400, "comment")


def test_deeply_nested_json_is_a_400_not_a_crash(api):
    raw = "[" * 100000 + "]" * 100000
    assert api.post("/tickets", raw=raw).status_code == 400


def test_invalid_utf8_is_400(api):
    assert_error(api.post("/tickets", raw=b"\xff\xfe{"), 400, "body")


def test_ids_that_cannot_exist_are_404_without_a_lookup(api):
    assert_error(api.get("/tickets/" + "x" * 3000), 404)
    assert_error(api.get("/tickets/UPPER"), 404)
    assert_error(api.delete("/members/" + "%2E" * 10), 404)
