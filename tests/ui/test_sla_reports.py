"""SLA clocks, the SLA policy page and the Reports page in the browser."""
import csv
import io
import re
import time
from datetime import date
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.ui.conftest import axe_violations

POLICY = {
    "targets": {
        "critical": {"acknowledge": {"minutes": 15}, "resolve": {"minutes": 240}},
        "high": {"acknowledge": {"minutes": 45}, "resolve": {"minutes": 1440}},
        "medium": {"resolve": {"minutes": 2880}},
    },
    "pause_on_deferred": True,
}


@pytest.fixture(scope="module")
def policy(api):
    return api.call("PUT", "/sla-policy", json=POLICY).json()


def row(page: Page, key: str):
    return page.get_by_role("row").filter(has=page.get_by_role("cell", name=key, exact=True))


def test_badges_colour_by_time_left_and_the_ticket_shows_its_timers(signed_in: Page, stack, api, policy, word):
    critical = api.create(title=f"Payments down {word}", severity="critical", tags=[word])
    high = api.create(title=f"Slow search {word}", severity="high", tags=[word])
    medium = api.create(title=f"Old browser {word}", severity="medium", tags=[word])
    low = api.create(title=f"Typo {word}", severity="low", tags=[word])
    page = signed_in
    page.clock.install()
    page.goto(f"{stack['api_url']}/projects/{stack['project_id']}?tags={word}")
    expect(row(page, critical["key"]).locator(".sla-cell .sla")).to_have_class(re.compile("sla-urgent"))
    expect(row(page, critical["key"]).locator(".sla-cell .sla")).to_contain_text(re.compile(r"1[45] min left"))
    expect(row(page, high["key"]).locator(".sla-cell .sla")).to_have_class(re.compile("sla-soon"))
    expect(row(page, medium["key"]).locator(".sla-cell .sla")).to_have_class(re.compile("sla-ok"))
    expect(row(page, medium["key"]).locator(".sla-cell .sla")).to_contain_text("1 d 23 h left")
    expect(row(page, low["key"]).locator(".sla-cell .sla")).to_have_count(0)

    # Time passes in the browser: the critical ticket's acknowledgement falls due.
    page.clock.fast_forward("16:00")
    expect(row(page, critical["key"]).locator(".sla-cell .sla")).to_have_class(re.compile("sla-breached"))

    row(page, high["key"]).get_by_role("link").click()
    panel = page.get_by_role("region", name="SLA")
    expect(panel).to_contain_text("Acknowledge")
    expect(panel).to_contain_text("within 45 min")
    expect(panel).to_contain_text("Resolve")
    page.get_by_role("button", name="Acknowledge").click()
    expect(panel.locator(".sla-target").first).to_contain_text("met in")
    sla = api.ticket(high["id"])["sla"]
    assert sla["policy_version"] == policy["version"] and sla["targets"]["acknowledge"]["state"] == "met"


def test_the_sla_views_and_filter(signed_in: Page, stack, policy):
    page = signed_in
    views = page.get_by_role("navigation", name="Views")
    expect(views.get_by_role("link", name=re.compile("^At risk"))).to_be_visible()
    views.get_by_role("link", name=re.compile("^Breached")).click()
    expect(page).to_have_url(re.compile(r"sla=breached"))
    expect(page.get_by_role("button", name="Remove filter SLA breached")).to_be_visible()
    page.get_by_label("SLA", exact=True).select_option("at_risk")
    expect(page).to_have_url(re.compile(r"sla=at_risk"))


def test_an_admin_changes_the_policy_and_sees_errors_by_field(signed_in: Page, stack, api, policy, console):
    console.expected_statuses = {400}
    page = signed_in
    page.get_by_role("link", name="SLA policy").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("SLA policy")
    acknowledge = page.get_by_label("Critical: acknowledge within")
    expect(acknowledge).to_have_value("15")
    expect(page.get_by_label("Critical: acknowledge unit")).to_have_value("1")
    expect(page.get_by_label("High: resolve within")).to_have_value("1")
    expect(page.get_by_label("High: resolve unit")).to_have_value("1440")

    page.get_by_label("Low: resolve within").fill("3")
    page.get_by_label("Low: resolve unit").select_option("1440")
    page.get_by_role("checkbox", name="business hours for Low resolve").check()
    page.get_by_role("button", name="Save policy").click()
    expect(page.get_by_text("Set the business hours below first")).to_be_visible()

    page.get_by_role("checkbox", name="Count business hours").check()
    page.get_by_label("Time zone").fill("Mars/Olympus_Mons")
    page.get_by_role("button", name="Save policy").click()
    expect(page.locator("#error-business_hours-time_zone")).to_be_visible()

    page.get_by_label("Time zone").fill("Europe/Paris")
    page.get_by_role("button", name="Save policy").click()
    expect(page.get_by_text(re.compile(f"Version {policy['version'] + 1}, saved"))).to_be_visible()
    saved = api.call("GET", "/sla-policy").json()
    assert saved["targets"]["low"]["resolve"] == {"minutes": 3 * 1440, "business_hours": True}
    assert saved["business_hours"]["time_zone"] == "Europe/Paris"
    assert saved["targets"]["critical"]["acknowledge"]["minutes"] == 15
    # Back as it was, for the other tests.
    api.call("PUT", "/sla-policy", json=POLICY)


def created_today(api) -> int:
    today = date.today().isoformat()
    summary = api.call("GET", "/reports/summary", params={"from": today, "to": today, "bucket": "day"}).json()
    return summary["buckets"][-1]["total"]["created"]


def test_the_reports_page_draws_the_figures_and_offers_them_as_csv(signed_in: Page, stack, api, policy, word):
    before = created_today(api)
    api.create(title=f"Reported {word}", severity="low")
    # The counters are the tickets stream's: the page is opened once it has counted the new ticket.
    deadline = time.monotonic() + 30
    while created_today(api) == before and time.monotonic() < deadline:
        time.sleep(0.2)
    counted = created_today(api)
    assert counted == before + 1
    page = signed_in
    page.get_by_role("link", name="Reports").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Reports")
    table = page.get_by_role("table", name="Report figures")
    today = date.today().isoformat()
    expect(table.get_by_role("row").filter(has_text=today)).to_contain_text(str(counted))
    for name in ("Created and resolved", "Backlog", "Mean time to acknowledge", "SLA targets met and breached"):
        expect(page.get_by_role("img", name=re.compile(name))).to_be_visible()

    with page.expect_download() as download:
        page.get_by_role("link", name="Download CSV").click()
    rows = list(csv.DictReader(io.StringIO(Path(download.value.path()).read_text())))
    today_total = next(r for r in rows if r["start"] == today and r["severity"] == "total")
    assert int(today_total["created"]) == counted
    today_low = next(r for r in rows if r["start"] == today and r["severity"] == "low")
    assert int(today_low["created"]) >= 1

    page.get_by_label("Bucket", exact=True).select_option("week")
    expect(page).to_have_url(re.compile("bucket=week"))
    expect(table.get_by_role("row")).not_to_have_count(0)


def test_reports_and_policy_pages_have_no_serious_accessibility_violations(audited: Page, stack, policy):
    page = audited
    page.goto(f"{stack['api_url']}/projects/{stack['project_id']}/reports")
    expect(page.get_by_role("table", name="Report figures")).to_be_visible()
    assert axe_violations(page) == []
    page.goto(f"{stack['api_url']}/projects/{stack['project_id']}/sla")
    expect(page.get_by_label("Critical: acknowledge within")).to_be_visible()
    assert axe_violations(page) == []
