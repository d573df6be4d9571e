"""SLA policies (admin-only, validated, versioned), the `sla` of every ticket answer, and the SLA
search filters, sort order and built-in views."""
from datetime import datetime, timedelta

from chalicelib.domain.clock import iso

POLICY = {
    "targets": {
        "critical": {"acknowledge": {"minutes": 15}, "resolve": {"minutes": 240}},
        "high": {"acknowledge": {"minutes": 60}, "resolve": {"minutes": 1440}},
    },
    "pause_on_deferred": True,
}


def parse(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def later(text: str, **delta) -> str:
    return iso(parse(text) + timedelta(**delta))


def test_only_admins_read_and_set_the_policy(api):
    assert api.get("/sla-policy").status_code == 404
    member = api.as_key(api.key_for(api.add_member("member")["user_id"]))
    assert member.put("/sla-policy", POLICY).status_code == 403
    assert member.get("/sla-policy").status_code == 403
    saved = api.put("/sla-policy", POLICY)
    assert saved.status_code == 200, saved.body
    assert saved.json["version"] == 1
    assert saved.json["targets"]["critical"]["acknowledge"] == {"minutes": 15, "business_hours": False}
    assert api.get("/sla-policy").json == saved.json


def test_business_hours_have_routes_of_their_own(api):
    assert api.get("/business-hours").status_code == 404
    hours = {"time_zone": "Europe/Paris", "working_days": ["mon", "tue", "wed", "thu", "fri"], "start": "09:00",
             "end": "17:30", "holidays": ["2026-12-25"]}
    assert api.put("/sla-policy", POLICY).json["version"] == 1
    saved = api.put("/business-hours", hours)
    assert saved.status_code == 200, saved.body
    assert saved.json["version"] == 2 and saved.json["targets"] == api.get("/sla-policy/versions/1").json["targets"]
    assert api.get("/business-hours").json == hours
    assert api.put("/business-hours", hours | {"time_zone": "Nowhere/Else"}).json["error"]["details"][0]["field"] == \
        "business_hours.time_zone"
    member = api.as_key(api.key_for(api.add_member("member")["user_id"]))
    assert member.get("/business-hours").status_code == 403


def test_business_hours_targets_count_only_working_time(api):
    hours = {"time_zone": "UTC", "working_days": ["mon", "tue", "wed", "thu", "fri"], "start": "00:00",
             "end": "24:00"}
    api.put("/sla-policy", {"targets": {"high": {"resolve": {"minutes": 3 * 1440, "business_hours": True}}},
                            "business_hours": hours})
    ticket = api.create_ticket(severity="high")
    resolve = ticket["sla"]["targets"]["resolve"]
    assert resolve["business_hours"] is True
    # Counted minute by minute from creation: only weekdays (UTC) count.
    moment, counted = parse(ticket["created_at"]), 0
    while counted < 3 * 1440:
        counted += moment.weekday() < 5
        moment += timedelta(minutes=1)
    assert abs(parse(resolve["due_at"]) - moment) < timedelta(minutes=1)


def test_a_night_shift_ends_the_next_morning(api):
    policy = {"targets": {"high": {"resolve": {"minutes": 60, "business_hours": True}}},
              "business_hours": {"time_zone": "UTC", "working_days": ["mon", "tue", "wed", "thu", "fri", "sat", "sun"],
                                 "start": "22:00", "end": "06:00"}}
    assert api.put("/sla-policy", policy).status_code == 200
    ticket = api.create_ticket(severity="high")
    created, due = parse(ticket["created_at"]), parse(ticket["sla"]["targets"]["resolve"]["due_at"])
    # Working time is 22:00-06:00 every day: an hour of it is counted within the next 17 hours.
    assert timedelta(hours=1) <= due - created <= timedelta(hours=17)
    assert due.hour in (22, 23, 0, 1, 2, 3, 4, 5, 6)


def test_bad_policies_are_refused_naming_the_field(api):
    cases = [
        ({"targets": {"critical": {"acknowledge": {"minutes": 0}}}}, "targets.critical.acknowledge.minutes"),
        ({"targets": {"urgent": {}}}, "targets.urgent"),
        ({"targets": {"high": {"resolve": {"minutes": 60, "business_hours": True}}}},
         "targets.high.resolve.business_hours"),
        ({"targets": {}, "business_hours": {"time_zone": "Mars/Olympus", "working_days": ["mon"], "start": "09:00",
                                            "end": "17:00"}}, "business_hours.time_zone"),
        ({"targets": {}, "business_hours": {"time_zone": "UTC", "working_days": ["mon"], "start": "17:00",
                                            "end": "9:00"}}, "business_hours.end"),
        ({"targets": {}, "business_hours": {"time_zone": "UTC", "working_days": ["mon"], "start": "09:00",
                                            "end": "17:00", "holidays": ["2026-02-30"]}}, "business_hours.holidays"),
    ]
    for body, field in cases:
        response = api.put("/sla-policy", body)
        assert response.status_code == 400, (body, response.body)
        assert field in [d["field"] for d in response.json["error"]["details"]], (field, response.json)


def test_a_ticket_keeps_the_policy_version_it_started_under(api):
    api.put("/sla-policy", POLICY)
    first = api.create_ticket(severity="critical")
    assert first["sla"]["policy_version"] == 1
    api.put("/sla-policy", POLICY | {"targets": {"critical": {"acknowledge": {"minutes": 5}}}})
    second = api.create_ticket(severity="critical")
    again = api.get(f"/tickets/{first['id']}").json
    assert again["sla"]["policy_version"] == 1 and again["sla"]["targets"]["acknowledge"]["minutes"] == 15
    assert second["sla"]["policy_version"] == 2 and second["sla"]["targets"]["acknowledge"]["minutes"] == 5
    assert "resolve" not in second["sla"]["targets"] or second["sla"]["targets"]["resolve"] is None
    assert api.get("/sla-policy/versions/1").json["targets"]["critical"]["acknowledge"]["minutes"] == 15
    assert api.get("/sla-policy/versions/3").status_code == 404


def test_every_ticket_answer_carries_its_sla(api):
    untracked = api.create_ticket()
    assert untracked["sla"] is None
    api.put("/sla-policy", POLICY)
    ticket = api.create_ticket(severity="critical")
    acknowledge = ticket["sla"]["targets"]["acknowledge"]
    assert acknowledge["state"] == "running" and acknowledge["due_at"] == later(ticket["created_at"], minutes=15)
    assert acknowledge["at_risk_at"] == later(ticket["created_at"], minutes=15 * 0.75)
    assert acknowledge["remaining_seconds"] <= 15 * 60 and acknowledge["met_at"] is None
    listed = api.get("/tickets").json["data"]
    assert {t["id"]: t["sla"] is not None for t in listed} == {ticket["id"]: True, untracked["id"]: False}
    changed = api.patch(f"/tickets/{ticket['id']}", {"status": "acknowledged"}).json
    met = changed["sla"]["targets"]["acknowledge"]
    assert met["state"] == "met" and met["met_at"] == changed["updated_at"] and met["took_seconds"] < 60
    assert changed["sla"]["targets"]["resolve"]["state"] == "running"
    detail = api.get(f"/tickets/{ticket['id']}").json
    assert detail["sla"]["targets"]["acknowledge"]["state"] == "met"


def test_deferred_pauses_and_canceled_stops_the_clocks(api):
    api.put("/sla-policy", POLICY)
    ticket = api.create_ticket(severity="high")
    deferred = api.patch(f"/tickets/{ticket['id']}", {"status": "deferred"}).json["sla"]["targets"]
    # Leaving `new` for deferred acknowledges it; the resolve clock pauses.
    assert deferred["acknowledge"]["state"] == "met"
    assert deferred["resolve"]["state"] == "paused" and deferred["resolve"]["due_at"] is None
    resumed = api.patch(f"/tickets/{ticket['id']}", {"status": "in_progress"}).json["sla"]["targets"]
    assert resumed["resolve"]["state"] == "running"
    assert parse(resumed["resolve"]["due_at"]) >= parse(later(ticket["created_at"], minutes=1440))
    canceled = api.patch(f"/tickets/{ticket['id']}", {"status": "canceled"}).json["sla"]["targets"]
    assert canceled["resolve"]["state"] == "stopped"


def test_a_severity_change_recomputes_targets_from_the_start(api):
    api.put("/sla-policy", POLICY)
    ticket = api.create_ticket(severity="high")
    raised = api.patch(f"/tickets/{ticket['id']}", {"severity": "critical"}).json
    assert raised["sla"]["targets"]["resolve"]["due_at"] == later(ticket["created_at"], minutes=240)
    lowered = api.patch(f"/tickets/{ticket['id']}", {"severity": "low"}).json
    assert lowered["sla"]["targets"] == {"acknowledge": None, "resolve": None} or lowered["sla"]["targets"] == {}


def test_sla_search_and_its_builtin_views(api):
    api.put("/sla-policy", POLICY)
    high = api.create_ticket(severity="high")
    critical = api.create_ticket(severity="critical")
    done = api.create_ticket(severity="critical")
    api.patch(f"/tickets/{done['id']}", {"status": "resolved"})
    low = api.create_ticket(severity="low")  # no targets
    by_sla = api.get("/tickets?sort=sla").json["data"]
    # Soonest breach first, then the tickets with no running target, newest first.
    assert [t["id"] for t in by_sla] == [critical["id"], high["id"], low["id"], done["id"]]
    # Nothing is at risk or breached yet.
    assert api.get("/tickets?sla=breached").json["data"] == []
    assert api.get("/tickets?sla=at_risk&sort=sla").json["data"] == []
    # The SLA filters come in SLA order whatever the sort asked for.
    ordered = api.get("/tickets?sla=at_risk&sort=updated")
    assert ordered.status_code == 200 and ordered.json["data"] == []
    views = {v["id"]: v for v in api.get("/views").json["data"]}
    assert views["builtin:sla_at_risk"]["query"] == "sla=at_risk&sort=sla"
    assert views["builtin:sla_breached"]["name"] == "Breached"
