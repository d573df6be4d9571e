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
    ({"tags": ["x" * 65]}, "tags.0"),
    ({"tags": [""]}, "tags.0"),
    ({"tags": ["ok", "\ufeff\u001f"]}, "tags.1"),
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
    ({"tags": ["ok", "x" * 70]}, "tags.1"),
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


# What the OpenAPI document forbids is refused, with a 400 naming the field: JSON's types are read
# as they are (no 0 for false, no false for 0), a field the document shows without null takes none,
# and a pattern the document states holds.

def test_a_project_name_of_control_characters_is_400(api):
    assert_error(api.patch("", {"name": "\u001d"}), 400, "name")
    assert_error(api.patch("", {"name": " \u001c\u0085\ufeff "}), 400, "name")
    assert api.get("").json["name"] == "Operations"
    renamed = api.patch("", {"name": "  Ops \u001d team  "})
    assert renamed.status_code == 200 and renamed.json["name"] == "Ops \u001d team"


def test_a_view_name_of_control_characters_is_400(api):
    view = api.post("/views", {"name": "Mine", "query": "sort=updated"}).json
    assert_error(api.patch(f"/views/{view['id']}", {"name": "\u001d"}), 400, "name")
    assert_error(api.post("/views", {"name": "\u001f", "query": "sort=updated"}), 400, "name")
    assert api.get(f"/views/{view['id']}").json["name"] == "Mine"


@pytest.mark.parametrize("body,field", [
    ({"name": "k", "user_id": "USER", "role": None}, "role"),
    ({"name": "k", "automation": True, "role": "viewer", "user_id": None}, "user_id"),
    ({"name": "k", "automation": 1, "role": "viewer"}, "automation"),
])
def test_api_key_fields_shown_without_null_refuse_null(api, admin_id, body, field):
    body = {name: admin_id if value == "USER" else value for name, value in body.items()}
    assert_error(api.post("/api-keys", body), 400, field)
    assert api.post("/api-keys", {"name": "k", "user_id": admin_id}).status_code == 201


@pytest.mark.parametrize("size", [False, True, "3"])
def test_an_attachment_size_is_an_integer_not_a_boolean(api, size):
    ticket = api.create_ticket()
    path = f"/tickets/{ticket['id']}/attachments"
    assert_error(api.post(path, {"file_name": "a.txt", "content_type": "text/plain", "size": size}), 400, "size")
    assert api.get(path).json["data"] == []


@pytest.mark.parametrize("once", [0, 1, "true", None])
def test_a_webhooks_once_is_a_boolean(api, once):
    body = {"name": "hook", "event_type": "*", "url": "https://example.com/hook", "once": once}
    assert_error(api.post("/webhooks", body), 400, "once")
    assert api.get("/webhooks").json["data"] == []
    assert api.post("/webhooks", body | {"once": True}).json["once"] is True


@pytest.mark.parametrize("body,field", [
    ({"targets": {}, "pause_on_deferred": 0}, "pause_on_deferred"),
    ({"targets": {"high": {"resolve": {"minutes": 60, "business_hours": 0}}}}, "targets.high.resolve.business_hours"),
    ({"targets": {"high": {"resolve": {"minutes": True}}}}, "targets.high.resolve.minutes"),
])
def test_sla_policy_booleans_and_integers_keep_their_type(api, body, field):
    assert_error(api.put("/sla-policy", body), 400, field)
    assert api.put("/sla-policy", {"targets": {}, "pause_on_deferred": False}).status_code == 200


@pytest.mark.parametrize("if_match", ["0" * 256, '"1", ' * 60])
def test_an_if_match_over_255_characters_is_400(api, if_match):
    ticket = api.create_ticket()
    path = f"/tickets/{ticket['id']}"
    assert_error(api.patch(path, {"title": "renamed"}, headers={"If-Match": if_match}), 400, "If-Match")
    assert_error(api.delete(path, headers={"If-Match": if_match}), 400, "If-Match")
    assert api.get(path).json["title"] != "renamed"


@pytest.mark.parametrize("if_match", ["3", "W/3", '"1', "1", "0" * 255])
def test_an_if_match_that_names_no_version_is_412(api, if_match):
    ticket = api.create_ticket()
    path = f"/tickets/{ticket['id']}"
    assert_error(api.patch(path, {"title": "renamed"}, headers={"If-Match": if_match}), 412)
    assert_error(api.delete(path, headers={"If-Match": if_match}), 412)
    assert api.get(path).json["version"] == 1


@pytest.mark.parametrize("if_match", ['"1"', 'W/"1"', '"7", "1"', "*"])
def test_an_if_match_of_entity_tags_is_compared(api, if_match):
    ticket = api.create_ticket()
    path = f"/tickets/{ticket['id']}"
    assert api.patch(path, {"title": "renamed"}, headers={"If-Match": if_match}).status_code == 200
    assert_error(api.patch(path, {"title": "again"}, headers={"If-Match": '"1", W/"9"'}), 412)


@pytest.mark.parametrize("body,field", [
    ({"file_name": "a.txt", "content_type": "text/plain", "size": 3.0}, None),
    ({"file_name": "a.txt", "content_type": "text/plain", "size": 3.5}, "size"),
])
def test_a_whole_number_with_a_fraction_is_an_integer_as_json_schema_counts(api, body, field):
    ticket = api.create_ticket()
    response = api.post(f"/tickets/{ticket['id']}/attachments", body)
    if field is None:
        assert response.status_code == 201 and response.json["attachment"]["size"] == 3, response.body
    else:
        assert_error(response, 400, field)
    policy = api.put("/sla-policy", {"targets": {"high": {"resolve": {"minutes": 6e1}}}})
    assert policy.status_code == 200 and policy.json["targets"]["high"]["resolve"]["minutes"] == 60


@pytest.mark.parametrize("due_date", [0, "0", "1893456000", "2030-01-01", "2030-01-01 00:00:00Z", True])
def test_a_due_date_is_a_date_time_string(api, due_date):
    assert_error(api.post("/tickets", VALID | {"due_date": due_date}), 400, "due_date")
    ticket = api.create_ticket()
    assert_error(api.patch(f"/tickets/{ticket['id']}", {"due_date": due_date}), 400, "due_date")
    assert api.get(f"/tickets/{ticket['id']}").json["due_date"] is None


@pytest.mark.parametrize("path,parameter", [
    ("/tickets?due_before={}", "due_before"), ("/tickets?created_after={}", "created_after"),
    ("/reports/summary?from={}&to=2026-01-31", "from"),
])
@pytest.mark.parametrize("value", ["0.5", "1700000000", "2026-01-01T00:00:00Z"])
def test_dates_in_a_query_are_written_as_dates_not_seconds(api, path, parameter, value):
    response = api.get(path.format(value))
    if value.startswith("2026") and parameter != "from":
        assert response.status_code == 200, response.body
    else:
        assert_error(response, 400, parameter)
