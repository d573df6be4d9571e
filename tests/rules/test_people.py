"""Members, teams and API keys, and what members change about themselves."""
import pytest


def test_add_list_update_and_remove_members(api):
    created = api.post("/members", {"email": "Bob@Example.com", "name": "Bob", "role": "member"})
    assert created.status_code == 201
    bob = created.json
    assert bob["email"] == "bob@example.com" and bob["role"] == "member"
    assert set(bob) == {"user_id", "email", "name", "role", "notifications", "notification_delivery", "account_id", "state",
                        "last_sign_in_at"}
    listed = api.get("/members").json["data"]
    assert {m["email"] for m in listed} == {"admin@example.com", "bob@example.com"}
    changed = api.patch(f"/members/{bob['user_id']}", {"name": "Robert", "role": "viewer"}).json
    assert changed["name"] == "Robert" and changed["role"] == "viewer"
    assert api.delete(f"/members/{bob['user_id']}").status_code == 204
    assert api.patch(f"/members/{bob['user_id']}", {"name": "x"}).status_code == 404
    assert len(api.get("/members").json["data"]) == 1


def test_member_email_is_unique_per_project(api):
    api.post("/members", {"email": "bob@example.com", "name": "Bob", "role": "member"})
    response = api.post("/members", {"email": "BOB@example.com", "name": "Bob 2", "role": "viewer"})
    assert response.status_code == 409
    assert response.json["error"]["details"][0]["field"] == "email"


def test_removed_email_can_join_again(api):
    bob = api.post("/members", {"email": "bob@example.com", "name": "Bob", "role": "member"}).json
    api.delete(f"/members/{bob['user_id']}")
    assert api.post("/members", {"email": "bob@example.com", "name": "Bob", "role": "member"}).status_code == 201


def test_invalid_member_input_is_400(api):
    assert api.post("/members", {"email": "not-an-email", "name": "x", "role": "member"}).status_code == 400
    assert api.post("/members", {"email": "a@b.co", "name": "x", "role": "owner"}).status_code == 400
    assert api.post("/members", {"email": "a@b.co", "name": "", "role": "member"}).status_code == 400


def test_last_admin_cannot_leave_or_be_demoted(api, admin_id):
    assert api.patch(f"/members/{admin_id}", {"role": "member"}).status_code == 409
    assert api.delete(f"/members/{admin_id}").status_code == 409
    other = api.as_key(api.key_for(api.add_member("admin")["user_id"]))
    assert api.patch(f"/members/{admin_id}", {"role": "member"}).status_code == 200
    assert api.get("/members").status_code == 403
    assert other.get("/members").status_code == 200


def test_teams_lifecycle(api):
    alice = api.add_member("member")
    created = api.post("/teams", {"name": "DBAs", "email": "dba@example.com", "members": [alice["user_id"]]})
    assert created.status_code == 201
    team = created.json
    assert team["members"] == [alice["user_id"]] and team["email"] == "dba@example.com"
    assert api.get("/teams").json["data"] == [team]
    renamed = api.patch(f"/teams/{team['id']}", {"name": "Databases", "email": None}).json
    assert renamed["name"] == "Databases" and renamed["email"] is None
    assert api.delete(f"/teams/{team['id']}").status_code == 204
    assert api.get("/teams").json["data"] == []
    assert api.delete(f"/teams/{team['id']}").status_code == 404


def test_team_members_must_belong_to_the_project(api):
    response = api.post("/teams", {"name": "x", "members": ["stranger"]})
    assert response.status_code == 409 and response.json["error"]["details"][0]["field"] == "members"


def test_removing_a_member_takes_them_out_of_teams(api):
    alice = api.add_member("member")
    team = api.post("/teams", {"name": "SRE", "members": [alice["user_id"]]}).json
    api.delete(f"/members/{alice['user_id']}")
    assert api.get("/teams").json["data"][0]["members"] == []
    assert team["members"] == [alice["user_id"]]


def test_automation_key_shapes(api):
    created = api.post("/api-keys", {"name": "zapier", "automation": True, "role": "viewer"}).json
    assert created["automation"] is True and created["user_id"] is None and created["role"] == "viewer"
    for body in ({"name": "x", "automation": True}, {"name": "x", "automation": True, "role": "admin"},
                 {"name": "x"}, {"name": "x", "automation": True, "role": "member", "user_id": "u"}):
        assert api.post("/api-keys", body).status_code == 400, body
    unknown = api.post("/api-keys", {"name": "x", "user_id": "nobody"})
    assert unknown.status_code == 409 and unknown.json["error"]["details"][0]["field"] == "user_id"


def test_revoking_unknown_key_is_404(api):
    assert api.delete("/api-keys/nope").status_code == 404


ALL_ON = {"ticket_created": True, "ticket_updated": True, "comment_added": True, "ticket_overdue": True,
          "sla": True, "mentioned": True}


@pytest.mark.parametrize("role", ["viewer", "member"])
def test_members_read_and_change_their_own_name_and_notifications(api, role):
    person = api.add_member(role, email=f"{role}@example.com")
    me = api.as_key(api.key_for(person["user_id"]))
    assert me.get("/me").json == person
    me.patch("/me", {"notifications": {"ticket_created": False}})
    changed = me.patch("/me", {"name": "Robin", "notifications": {"comment_added": False}})
    assert changed.status_code == 200
    expected = person | {"name": "Robin",
                         "notifications": ALL_ON | {"ticket_created": False, "comment_added": False}}
    assert changed.json == expected
    assert me.get("/me").json == expected
    listed = {m["user_id"]: m for m in api.get("/members").json["data"]}
    assert listed[person["user_id"]] == expected


def test_admins_have_a_me_too(api, admin_id):
    assert api.get("/me").json["user_id"] == admin_id
    assert api.patch("/me", {"name": "Ada"}).json["role"] == "admin"


def test_changing_yourself_leaves_others_alone(api, admin_id):
    bob = api.as_key(api.key_for(api.add_member("member")["user_id"]))
    bob.patch("/me", {"name": "Bob", "notifications": {"ticket_updated": False}})
    admin = next(m for m in api.get("/members").json["data"] if m["user_id"] == admin_id)
    assert admin["name"] == "Ada Admin" and admin["notifications"] == ALL_ON


@pytest.mark.parametrize("body,field", [
    ({"role": "admin"}, "role"),
    ({"email": "me@example.com"}, "email"),
    ({"nickname": "Bo"}, "nickname"),
    ({"name": "Bob", "role": "admin"}, "role"),
    ({"name": None}, "name"),
    ({"name": ""}, "name"),
    ({"notifications": None}, "notifications"),
    ({"notifications": {"comment_added": None}}, "notifications.comment_added"),
    ({"notifications": {"bogus": False}}, "notifications.bogus"),
])
def test_changing_yourself_refuses_other_fields_and_null_naming_the_field(api, body, field):
    person = api.add_member("member")
    me = api.as_key(api.key_for(person["user_id"]))
    response = me.patch("/me", body)
    assert response.status_code == 400
    assert [d["field"] for d in response.json["error"]["details"]] == [field]
    assert me.get("/me").json == person


def test_an_automation_key_has_no_me(api):
    robot = api.as_key(api.automation_key("pager", role="viewer"))
    for response in (robot.get("/me"), robot.patch("/me", {"name": "Robot"})):
        assert response.status_code == 403
        assert response.json["error"]["code"] == "forbidden"
        assert "automation:pager, not to a member" in response.json["error"]["message"]
