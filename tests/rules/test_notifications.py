"""Which email members get, as they set it (the email itself, from the tickets stream:
tests/api/test_notifications.py)."""
import pytest

from tests.api.test_notifications import people  # noqa: F401  (fixture)


def test_notification_settings_merge_and_show_on_members(api, people):
    path = f"/members/{people['bob']}"
    listed = {m["user_id"]: m for m in api.get("/members").json["data"]}
    assert listed[people["bob"]]["notifications"] == dict.fromkeys(
        ("ticket_created", "ticket_updated", "comment_added", "ticket_overdue", "sla", "mentioned"), True)
    api.patch(path, {"notifications": {"ticket_created": False}})
    changed = api.patch(path, {"notifications": {"ticket_overdue": False}, "name": "Robert"}).json
    assert changed["name"] == "Robert"
    assert changed["notifications"] == {"ticket_created": False, "ticket_updated": True, "comment_added": True,
                                        "ticket_overdue": False, "sla": True, "mentioned": True}
    listed = {m["user_id"]: m for m in api.get("/members").json["data"]}
    assert listed[people["bob"]]["notifications"] == changed["notifications"]


@pytest.mark.parametrize("body,field", [
    ({"notifications": {"bogus": True}}, "notifications.bogus"),
    ({"notifications": {"comment_added": "no"}}, "notifications.comment_added"),
    ({"notifications": {"comment_added": None}}, "notifications.comment_added"),
    ({"notifications": None}, "notifications"),
    ({"notifications": []}, "notifications"),
])
def test_bad_notification_settings_are_400_naming_the_field(api, people, body, field):
    response = api.patch(f"/members/{people['bob']}", body)
    assert response.status_code == 400
    assert [d["field"] for d in response.json["error"]["details"]] == [field]
