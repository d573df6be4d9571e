"""The report summary through the real pipeline: API changes, the tickets stream handler keeping
the daily aggregates, the report route reading them. Equal to a brute-force count over the
tickets' histories, and unchanged when the stream hands the same records over again."""
from collections import Counter
from datetime import date, datetime, timedelta

from chalicelib.domain.clock import utc_now
from chalicelib.domain.tickets import FINISHED_STATUSES, SEVERITIES
from tests.streams import handle_records, new_records

POLICY = {"targets": {"critical": {"acknowledge": {"minutes": 30}, "resolve": {"minutes": 240}},
                      "high": {"acknowledge": {"minutes": 60}}}}


def seconds(start: str, end: str) -> float:
    parse = lambda t: datetime.fromisoformat(t.replace("Z", "+00:00"))  # noqa: E731
    return (parse(end) - parse(start)).total_seconds()


def brute_force(api, ticket_ids: list[str]) -> dict:
    """Per severity, from each ticket's full history (oldest first) and its current state."""
    figures = {severity: Counter() for severity in SEVERITIES}
    ack = {severity: [] for severity in SEVERITIES}
    res = {severity: [] for severity in SEVERITIES}
    for ticket_id in ticket_ids:
        answer = api.get(f"/tickets/{ticket_id}")
        ticket = answer.json if answer.status_code == 200 else None   # None: deleted
        history = list(reversed(api.get(f"/tickets/{ticket_id}/history?limit=100").json["data"]))
        created = history[0]
        severity = created["changes"]["severity"]["new"]
        figures[severity]["created"] += 1
        acknowledged = resolved = False
        for entry in history[1:]:
            severity = (entry["changes"].get("severity") or {}).get("new", severity)
            status = entry["changes"].get("status")
            if status is None:
                continue
            if not acknowledged and status["old"] == "new" and status["new"] != "canceled" or (
                    not acknowledged and status["new"] in ("resolved", "closed")):
                acknowledged = True
                ack[severity].append(seconds(created["timestamp"], entry["timestamp"]))
            if not resolved and status["new"] in ("resolved", "closed"):
                resolved = True
                res[severity].append(seconds(created["timestamp"], entry["timestamp"]))
        if ticket is None:
            continue
        for target in (ticket["sla"] or {}).get("targets", {}).values():
            if target and target["met_at"]:
                figures[ticket["severity"]]["sla_" + target["state"]] += 1
        if ticket["status"] not in FINISHED_STATUSES:
            figures[ticket["severity"]]["backlog"] += 1
    for severity in SEVERITIES:
        figures[severity]["acknowledged"] = len(ack[severity])
        figures[severity]["resolved"] = len(res[severity])
    return {"figures": figures, "ack": ack, "res": res}


def test_the_report_equals_the_histories_and_replays_count_nothing_twice(api):
    api.put("/sla-policy", POLICY)
    ids = []
    plan = [("critical", ["acknowledged", "resolved"]), ("critical", ["in_progress", "deferred", "in_progress"]),
            ("high", ["resolved", "new", "closed"]), ("high", ["canceled"]), ("medium", []),
            ("low", ["acknowledged"]), ("critical", [])]
    for severity, moves in plan:
        ticket = api.create_ticket(severity=severity)
        ids.append(ticket["id"])
        for status in moves:
            assert api.patch(f"/tickets/{ticket['id']}", {"status": status}).status_code == 200
    api.patch(f"/tickets/{ids[-1]}", {"severity": "high"})
    gone = api.create_ticket(severity="low")
    api.delete(f"/tickets/{gone['id']}")
    records = new_records()
    assert handle_records(records) == {"batchItemFailures": []}
    day = api.get(f"/tickets/{ids[0]}").json["created_at"][:10]
    report = api.get(f"/reports/summary?from={day}&to={day}")
    assert report.status_code == 200, report.body
    expected = brute_force(api, ids + [gone["id"]])

    def check(report):
        [bucket] = report["buckets"]
        for severity in SEVERITIES:
            got, want = bucket["severities"][severity], expected["figures"][severity]
            for name in ("created", "acknowledged", "resolved", "sla_met", "sla_breached", "backlog"):
                assert got[name] == want[name], (severity, name, got, want)
            for name, durations in (("mtta", expected["ack"][severity]), ("mttr", expected["res"][severity])):
                assert got[name]["count"] == len(durations)
                if durations:
                    assert abs(got[name]["mean_seconds"] - sum(durations) / len(durations)) <= 1
        assert bucket["total"]["created"] == len(ids) + 1

    check(report.json)
    # The event source hands the same records over again: the aggregates do not move.
    assert handle_records(records) == {"batchItemFailures": []}
    check(api.get(f"/reports/summary?from={day}&to={day}&bucket=week").json)


def test_report_parameters_are_checked(api):
    assert api.get("/reports/summary?from=2026-13-02&to=2026-03-01").json["error"]["details"][0]["field"] == "from"
    assert api.get("/reports/summary?from=2026-03-02").json["error"]["details"][0]["field"] == "to"
    # Any range is answered, narrowed to the days a report covers, which the answer names.
    backwards = api.get("/reports/summary?from=2026-03-02&to=2026-03-01").json
    assert (backwards["from"], backwards["to"], backwards["buckets"]) == ("2026-03-02", "2026-03-01", [])
    today = utc_now().date()
    long = api.get(f"/reports/summary?from={today - timedelta(days=500)}&to={today}&bucket=week").json
    assert (long["from"], long["to"]) == (str(today - timedelta(days=500)), str(today - timedelta(days=500 - 365)))
    ancient = api.get("/reports/summary?from=0001-01-01&to=9999-12-31&bucket=week").json
    assert (date.fromisoformat(ancient["to"]) - date.fromisoformat(ancient["from"])).days == 365
    assert date.fromisoformat(ancient["from"]) >= today - timedelta(days=5 * 366)
    assert api.get("/reports/summary?from=9999-12-31&to=9999-12-31").json["buckets"] == []
    assert api.get("/reports/summary?from=2026-03-02&to=2026-03-03&bucket=month").status_code == 400
    viewer = api.as_key(api.key_for(api.add_member("viewer")["user_id"]))
    assert viewer.get("/reports/summary?from=2026-03-02&to=2026-03-03").status_code == 403


def test_changes_dated_after_the_readers_today_count_on_no_earlier_day(api):
    """The reader's today is a day behind the writes (a report asked just before midnight, read
    once the stream had counted a ticket created just after): that ticket was open on no earlier
    day, though the open counts read now hold it."""
    from chalicelib.domain.people import Principal
    from chalicelib.services.registry import services

    ticket = api.create_ticket(severity="critical")
    assert handle_records(new_records()) == {"batchItemFailures": []}
    written = date.fromisoformat(ticket["created_at"][:10])
    before = written - timedelta(days=1)
    project = services().directory.project(api.project_id)
    reader = Principal(project=project, actor="reader", role="member", key_id=None)
    report = services().reports.summary(reader, before, before, "day", today=before)
    [bucket] = report["buckets"]
    assert bucket["severities"]["critical"]["backlog"] == 0
    assert bucket["total"]["backlog"] == 0
    today = services().reports.summary(reader, written, written, "day", today=written)
    assert today["buckets"][0]["severities"]["critical"]["backlog"] == 1
