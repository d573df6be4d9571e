"""Saved views: built-in, shared and personal; who sees and changes which; queries checked as the
search checks them; limits that hold (the shared views' limit in the table, under concurrent
requests, and the counts the stream keeps: tests/api/test_views.py)."""
import pytest

from chalicelib.domain import views as rules

BUILTIN_IDS = ["builtin:mine", "builtin:unassigned", "builtin:critical", "builtin:overdue", "builtin:recent",
               "builtin:sla_at_risk", "builtin:sla_breached", "builtin:watching"]
VIEW_FIELDS = {"id", "name", "query", "kind", "owner", "created_at", "updated_at"}


def person(api, role: str):
    """A member of `role` with a key of their own: (their user id, an Api acting as them)."""
    user_id = api.add_member(role)["user_id"]
    return user_id, api.as_key(api.key_for(user_id))


def ids(response) -> list[str]:
    assert response.status_code == 200, response.body
    return [v["id"] for v in response.json["data"]]


def assert_error(response, status, field=None):
    assert response.status_code == status, response.body
    error = response.json["error"]
    if field is not None:
        assert [d["field"] for d in error["details"]] == [field], error
    return error


# ---- built-in views --------------------------------------------------------------------------------

def test_every_project_has_the_built_in_views_first(client, api):
    from tests.api.conftest import new_project
    other, _ = new_project(client, "OTHER")
    for project in (api, other):
        listed = project.get("/views").json["data"]
        assert [v["id"] for v in listed] == BUILTIN_IDS
        assert [v["name"] for v in listed] == ["My tickets", "Unassigned", "Open critical and high", "Overdue",
                                               "Recently updated", "At risk", "Breached", "Watching"]
        assert all(v["kind"] == "builtin" and v["owner"] is None and v["created_at"] is None for v in listed)
        assert all(set(v) - {"count"} == VIEW_FIELDS for v in listed)
    assert api.get("/views/builtin:mine").json == {
        "id": "builtin:mine", "name": "My tickets", "query": "assignee=me&status=open&sort=updated",
        "kind": "builtin", "owner": None, "created_at": None, "updated_at": None, "count": 0}


def test_a_built_in_view_id_may_come_percent_encoded(api):
    assert api.get("/views/builtin%3Aoverdue").json["id"] == "builtin:overdue"


@pytest.mark.parametrize("view_id", BUILTIN_IDS)
def test_built_in_views_cannot_be_changed_or_deleted(api, view_id):
    error = assert_error(api.patch(f"/views/{view_id}", {"name": "Mine"}), 403)
    assert "built-in" in error["message"]
    assert_error(api.delete(f"/views/{view_id}"), 403)
    assert api.get(f"/views/{view_id}").json["name"] != "Mine"


def test_unknown_views_are_404(api):
    for view_id in ("builtin:nothing", "nothing", "builtin:", "UPPER", "x" * 70, "other:mine"):
        assert_error(api.get(f"/views/{view_id}"), 404)
        assert_error(api.delete(f"/views/{view_id}"), 404)


# ---- create, read, change, delete ------------------------------------------------------------------

def test_a_personal_view_lives_from_create_to_delete(api, admin_id):
    created = api.post("/views", {"name": "  My DB alerts ", "query": "tags=db&severity=critical,high"})
    assert created.status_code == 201, created.body
    view = created.json
    assert set(view) == VIEW_FIELDS  # two filters: no count can be exact
    assert view["name"] == "My DB alerts" and view["query"] == "tags=db&severity=critical,high"
    assert view["kind"] == "personal" and view["owner"] == admin_id
    assert view["created_at"] == view["updated_at"]
    assert api.get(f"/views/{view['id']}").json == view
    assert ids(api.get("/views")) == BUILTIN_IDS + [view["id"]]

    renamed = api.patch(f"/views/{view['id']}", {"name": "DB"}).json
    assert renamed["name"] == "DB" and renamed["query"] == view["query"] and renamed["updated_at"] > view["updated_at"]
    changed = api.patch(f"/views/{view['id']}", {"query": "assignee=me"}).json
    assert changed["name"] == "DB" and changed["query"] == "assignee=me"
    assert api.get(f"/views/{view['id']}").json == changed
    assert api.patch(f"/views/{view['id']}", {}).json == changed

    assert api.delete(f"/views/{view['id']}").status_code == 204
    assert_error(api.get(f"/views/{view['id']}"), 404)
    assert_error(api.delete(f"/views/{view['id']}"), 404)
    assert_error(api.patch(f"/views/{view['id']}", {"name": "x"}), 404)
    assert ids(api.get("/views")) == BUILTIN_IDS


def test_a_view_query_is_stored_normalised(api):
    view = api.post("/views", {"name": "n", "query": "?tags=disk+full&assignee=team:abc&severity=critical,high"}).json
    assert view["query"] == "tags=disk%20full&assignee=team:abc&severity=critical,high"
    again = api.post("/views", {"name": "n", "query": view["query"]}).json
    assert again["query"] == view["query"]


def test_an_empty_query_is_every_ticket(api):
    assert api.post("/views", {"name": "All", "query": ""}).json["query"] == ""


def test_me_is_kept_for_whoever_runs_the_view(api):
    assert api.post("/views", {"name": "Mine", "query": "assignee=me&reporter=me"}).json["query"] == \
        "assignee=me&reporter=me"


def test_listing_shows_built_ins_then_shared_then_your_own_each_oldest_first(api):
    made = [api.post("/views", {"name": f"v{n}", "query": "", "shared": shared}).json
            for n, shared in enumerate([False, True, False, True])]
    shared = [v["id"] for v in made if v["kind"] == "shared"]
    personal = [v["id"] for v in made if v["kind"] == "personal"]
    assert ids(api.get("/views")) == BUILTIN_IDS + shared + personal


# ---- who sees what ---------------------------------------------------------------------------------

def test_personal_views_are_seen_by_their_owner_only(api):
    alice_id, alice = person(api, "member")
    _, bob = person(api, "member")
    mine = alice.post("/views", {"name": "Alice's", "query": "assignee=me"}).json
    shared = alice.post("/views", {"name": "Team", "query": "tags=db", "shared": True}).json
    assert shared["kind"] == "shared" and shared["owner"] == alice_id
    assert ids(alice.get("/views")) == BUILTIN_IDS + [shared["id"], mine["id"]]
    for other in (bob, api):  # api: the admin does not see them either
        assert ids(other.get("/views")) == BUILTIN_IDS + [shared["id"]]
        assert other.get(f"/views/{shared['id']}").json == shared
        assert_error(other.get(f"/views/{mine['id']}"), 404)
        assert_error(other.patch(f"/views/{mine['id']}", {"name": "mine now"}), 404)
        assert_error(other.delete(f"/views/{mine['id']}"), 404)
    assert alice.get(f"/views/{mine['id']}").json == mine


def test_views_stay_in_their_project(client, api):
    from tests.api.conftest import new_project
    other, _ = new_project(client, "OTHER")
    view = api.post("/views", {"name": "Ours", "query": "", "shared": True}).json
    assert_error(other.get(f"/views/{view['id']}"), 404)
    assert_error(other.delete(f"/views/{view['id']}"), 404)
    assert ids(other.get("/views")) == BUILTIN_IDS


def test_a_viewer_reads_views_but_makes_none(api):
    _, viewer = person(api, "viewer")
    shared = api.post("/views", {"name": "Team", "query": "", "shared": True}).json
    assert ids(viewer.get("/views")) == BUILTIN_IDS + [shared["id"]]
    assert viewer.get(f"/views/{shared['id']}").status_code == 200
    for shared_flag in (False, True):
        assert_error(viewer.post("/views", {"name": "x", "query": "", "shared": shared_flag}), 403)
    assert_error(viewer.patch(f"/views/{shared['id']}", {"name": "x"}), 403)
    assert_error(viewer.delete(f"/views/{shared['id']}"), 403)


def test_a_shared_view_is_changed_by_its_maker_or_an_admin_only(api):
    _, alice = person(api, "member")
    _, bob = person(api, "member")
    view = alice.post("/views", {"name": "Team", "query": "tags=db", "shared": True}).json
    error = assert_error(bob.patch(f"/views/{view['id']}", {"name": "Bob's"}), 403)
    assert "admin" in error["message"]
    assert_error(bob.delete(f"/views/{view['id']}"), 403)
    assert alice.patch(f"/views/{view['id']}", {"name": "Databases"}).json["name"] == "Databases"
    assert api.patch(f"/views/{view['id']}", {"query": "tags=db,postgres"}).json["query"] == "tags=db,postgres"
    assert api.delete(f"/views/{view['id']}").status_code == 204
    assert ids(alice.get("/views")) == BUILTIN_IDS


# ---- automation keys -------------------------------------------------------------------------------

def test_an_automation_key_makes_shared_views_only(api):
    robot = api.as_key(api.automation_key("dashboards"))
    error = assert_error(robot.post("/views", {"name": "Mine", "query": ""}), 400, "shared")
    assert "automation:dashboards" in error["message"]
    view = robot.post("/views", {"name": "Critical for me", "query": "assignee=me&severity=critical",
                                 "shared": True})
    assert view.status_code == 201, view.body
    view = view.json
    assert view["kind"] == "shared" and view["owner"] == "automation:dashboards"
    assert view["query"] == "assignee=me&severity=critical"
    assert ids(api.get("/views")) == BUILTIN_IDS + [view["id"]]
    assert robot.patch(f"/views/{view['id']}", {"name": "Critical"}).json["name"] == "Critical"
    _, member = person(api, "member")
    assert_error(member.delete(f"/views/{view['id']}"), 403)
    assert robot.delete(f"/views/{view['id']}").status_code == 204


def test_an_automation_key_reads_shared_views(api):
    _, alice = person(api, "member")
    mine = alice.post("/views", {"name": "Mine", "query": ""}).json
    shared = alice.post("/views", {"name": "Team", "query": "", "shared": True}).json
    reader = api.as_key(api.automation_key("reporting", role="viewer"))
    assert ids(reader.get("/views")) == BUILTIN_IDS + [shared["id"]]
    assert reader.get(f"/views/{shared['id']}").json == shared
    assert_error(reader.get(f"/views/{mine['id']}"), 404)
    assert_error(reader.post("/views", {"name": "x", "query": "", "shared": True}), 403)


# ---- validation ------------------------------------------------------------------------------------

@pytest.mark.parametrize("body,field", [
    ({"query": ""}, "name"),
    ({"name": "", "query": ""}, "name"),
    ({"name": "   ", "query": ""}, "name"),
    ({"name": "x" * 81, "query": ""}, "name"),
    ({"name": 7, "query": ""}, "name"),
    ({"name": "x"}, "query"),
    ({"name": "x", "query": None}, "query"),
    ({"name": "x", "query": "tags=" + "x" * 2044}, "query"),
    ({"name": "x", "query": "", "shared": "yes"}, "shared"),
    ({"name": "x", "query": "", "kind": "builtin"}, "kind"),
])
def test_invalid_view_bodies_are_400_naming_the_field(api, body, field):
    assert_error(api.post("/views", body), 400, field)
    assert ids(api.get("/views")) == BUILTIN_IDS


@pytest.mark.parametrize("query,named", [
    ("status=bogus", "status"),
    ("severity=high,,low", "severity"),
    ("colour=red", "colour"),
    ("created_after=yesterday", "created_after"),
    ("status=new&status=resolved", "status"),
    ("limit=10", "limit"),
    ("cursor=abc", "cursor"),
    ("tags=db&limit=10&cursor=abc", "cursor, limit"),
    ("status", "not a query string"),
    ("status=new&&tags=db", "not a query string"),
    ("tags=%ff", "not a query string"),
])
def test_a_query_the_search_would_refuse_is_400_naming_the_parameter(api, query, named):
    error = assert_error(api.post("/views", {"name": "x", "query": query}), 400, "query")
    assert error["details"][0]["message"].startswith(named), error
    view = api.post("/views", {"name": "x", "query": "tags=db"}).json
    assert_error(api.patch(f"/views/{view['id']}", {"query": query}), 400, "query")
    assert api.get(f"/views/{view['id']}").json == view


@pytest.mark.parametrize("body,field", [
    ({"name": None}, "name"),
    ({"query": None}, "query"),
    ({"name": " "}, "name"),
    ({"shared": True}, "shared"),
    ({"owner": "someone"}, "owner"),
])
def test_invalid_changes_are_400_and_change_nothing(api, body, field):
    view = api.post("/views", {"name": "x", "query": "tags=db"}).json
    assert_error(api.patch(f"/views/{view['id']}", body), 400, field)
    assert api.get(f"/views/{view['id']}").json == view


# ---- limits ----------------------------------------------------------------------------------------

def test_a_member_has_at_most_fifty_personal_views_and_the_project_its_shared_ones_apart(api):
    _, alice = person(api, "member")
    made = [alice.post("/views", {"name": f"v{n}", "query": ""}) for n in range(rules.MAX_PERSONAL_VIEWS)]
    assert all(r.status_code == 201 for r in made)
    error = assert_error(alice.post("/views", {"name": "one more", "query": ""}), 409)
    assert error["code"] == "view_limit" and "50" in error["message"]
    # Shared views and other members' views have limits of their own.
    assert alice.post("/views", {"name": "shared", "query": "", "shared": True}).status_code == 201
    assert api.post("/views", {"name": "admin's own", "query": ""}).status_code == 201
    # Deleting one makes room for one.
    assert alice.delete(f"/views/{made[0].json['id']}").status_code == 204
    assert alice.post("/views", {"name": "again", "query": ""}).status_code == 201
    assert_error(alice.post("/views", {"name": "and again", "query": ""}), 409)
    assert len(alice.get("/views").json["data"]) == len(BUILTIN_IDS) + 1 + rules.MAX_PERSONAL_VIEWS


# ---- counts ------------------------------------------------------------------------------------
