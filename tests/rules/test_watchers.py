"""The watchers API over the in-memory tables: who may make whom watch a ticket or stop, `me`,
what is listed, and that a stop is kept."""
import pytest

from chalicelib.domain.events import TicketEvent
from chalicelib.domain.tickets import Events
from chalicelib.services.registry import services


@pytest.fixture
def crew(api):
    member = api.add_member("member")
    viewer = api.add_member("viewer")
    team = api.post("/teams", {"name": "Infra", "members": [member["user_id"]]}).json
    return {"member": member["user_id"], "viewer": viewer["user_id"], "team": f"team:{team['id']}",
            "member_api": api.as_key(api.key_for(member["user_id"])),
            "viewer_api": api.as_key(api.key_for(viewer["user_id"]))}


def listed(api, ticket_id: str) -> dict[str, str]:
    response = api.get(f"/tickets/{ticket_id}/watchers")
    assert response.status_code == 200, response.body
    return {w["watcher"]: w["reason"] for w in response.json["data"]}


def test_anyone_may_watch_a_ticket_themselves_and_stop(api, crew):
    ticket = api.create_ticket()
    viewer = crew["viewer_api"]
    watched = viewer.put(f"/tickets/{ticket['id']}/watchers/me")
    assert watched.status_code == 200
    assert (watched.json["watcher"], watched.json["state"], watched.json["reason"], watched.json["added_by"]) == (
        crew["viewer"], "watching", "subscribed", crew["viewer"])
    assert listed(viewer, ticket["key"]) == {crew["viewer"]: "subscribed"}
    assert viewer.put(f"/tickets/{ticket['id']}/watchers/{crew['viewer']}").json == watched.json  # no change
    assert viewer.delete(f"/tickets/{ticket['id']}/watchers/me").status_code == 204
    assert listed(viewer, ticket["id"]) == {}


def test_making_someone_else_watch_needs_the_member_role_and_a_member_or_team(api, crew):
    ticket = api.create_ticket()
    path = f"/tickets/{ticket['id']}/watchers"
    assert crew["viewer_api"].put(f"{path}/{crew['member']}").status_code == 403
    added = crew["member_api"].put(f"{path}/{crew['viewer']}")
    assert (added.status_code, added.json["reason"], added.json["added_by"]) == (200, "added", crew["member"])
    assert crew["member_api"].put(f"{path}/{crew['team']}").status_code == 200
    assert crew["member_api"].put(f"{path}/nosuchmember").status_code == 404
    assert crew["member_api"].put(f"{path}/team:nosuchteam").status_code == 404
    assert listed(api, ticket["id"]) == {crew["viewer"]: "added", crew["team"]: "added"}


def test_stopping_someone_else_needs_the_admin_role(api, crew):
    ticket = api.create_ticket()
    path = f"/tickets/{ticket['id']}/watchers/{crew['viewer']}"
    api.put(path)
    assert crew["member_api"].delete(path).status_code == 403
    assert api.delete(path).status_code == 204
    assert listed(api, ticket["id"]) == {}


def test_me_needs_a_member_and_bad_names_are_404(api, crew):
    ticket = api.create_ticket()
    automation = api.as_key(api.automation_key("pager"))
    assert automation.put(f"/tickets/{ticket['id']}/watchers/me").status_code == 403
    assert api.put(f"/tickets/{ticket['id']}/watchers/Not%20An%20Id").status_code == 404
    assert api.put("/tickets/OPS-999/watchers/me").status_code == 404
    api.delete(f"/tickets/{ticket['id']}")
    assert api.put(f"/tickets/{ticket['id']}/watchers/me").status_code == 404


def test_a_stop_is_kept_when_later_events_would_subscribe_again(api, crew):
    ticket = api.create_ticket(assignee=crew["member"])
    assert crew["member_api"].delete(f"/tickets/{ticket['id']}/watchers/me").status_code == 204
    comment = api.post(f"/tickets/{ticket['id']}/comments", {"comment": "ping"}).json
    event = TicketEvent(id=comment["id"], type=Events.COMMENT_ADDED, timestamp=comment["timestamp"],
                        project_id=api.project_id, actor=comment["changed_by"],
                        ticket=api.get(f"/tickets/{ticket['id']}").json, comment={"body": "ping"})
    services().notifications_for_batch().ensure_watchers(event)
    assert crew["member"] not in listed(api, ticket["id"])
    assert set(listed(api, ticket["id"])) == {comment["changed_by"]}


def test_watching_me_lists_the_tickets_i_watch_newest_first_with_other_filters(api, crew):
    member = crew["member_api"]
    first, second, third = (api.create_ticket(title=f"t{n}") for n in range(3))
    for ticket in (first, second, third):
        member.put(f"/tickets/{ticket['id']}/watchers/me")
    member.delete(f"/tickets/{second['id']}/watchers/me")
    api.patch(f"/tickets/{third['id']}", {"status": "closed"})
    found = member.get("/tickets?watching=me").json["data"]
    assert [t["id"] for t in found] == [third["id"], first["id"]]
    assert [t["id"] for t in member.get("/tickets?watching=me&status=open").json["data"]] == [first["id"]]
    assert [t["id"] for t in api.get(f"/tickets?watching={crew['member']}&sort=-created").json["data"]] == [
        first["id"], third["id"]]
    assert api.get("/tickets?watching=me").json["data"] == []


@pytest.mark.parametrize("query, field", [("watching=me&sort=updated", "sort"), ("watching=me&sort=due", "sort"),
                                          ("watching=me&sla=breached", "sla"), ("watching=team:x", "watching")])
def test_watching_takes_created_order_only_and_says_which_parameter(api, query, field):
    response = api.get(f"/tickets?{query}")
    assert response.status_code == 400
    assert [d["field"] for d in response.json["error"]["details"]] == [field]


def test_the_watching_view_lists_my_open_watched_tickets(api, crew):
    member = crew["member_api"]
    ticket = api.create_ticket()
    member.put(f"/tickets/{ticket['id']}/watchers/me")
    views = {v["id"]: v for v in member.get("/views").json["data"]}
    assert views["builtin:watching"]["name"] == "Watching"
    assert views["builtin:watching"]["query"] == "watching=me&status=open"
    assert views["builtin:watching"].get("count") is None  # no kept count says it
    found = member.get(f"/tickets?{views['builtin:watching']['query']}")
    assert found.status_code == 200, found.body
    assert [t["id"] for t in found.json["data"]] == [ticket["id"]]
