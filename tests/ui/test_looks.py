"""The UI as people see it: light and dark, desktop and phone. Runs before the other UI tests, so the
list shows this module's tickets. SCREENSHOTS=docs/screenshots saves the pictures the README shows."""
import os
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from playwright.sync_api import expect

SIZES = {"desktop": {"width": 1280, "height": 800}, "mobile": {"width": 375, "height": 812}}


def _in(hours: float) -> str:
    return (datetime.now(timezone.utc) + timedelta(hours=hours)).isoformat()


@pytest.fixture(scope="module")
def showcase(api):
    ana = api.call("POST", "/members", expect=201, json={"email": "ana@example.com", "name": "Ana Ortiz",
                                                         "role": "member"}).json()
    team = api.call("POST", "/teams", expect=201, json={"name": "Payments", "members": [ana["user_id"]]}).json()
    ana_key = api.call("POST", "/api-keys", expect=201, json={"name": "ana", "user_id": ana["user_id"]}).json()
    api.call("PUT", "/sla-policy", json={"targets": {
        "critical": {"acknowledge": {"minutes": 15}, "resolve": {"minutes": 240}},
        "high": {"acknowledge": {"minutes": 60}, "resolve": {"minutes": 1440}},
        "medium": {"resolve": {"minutes": 4320}}}})
    rows = [
        dict(title="Password reset emails delayed", severity="medium", tags=["email"], status="resolved"),
        dict(title="Typo on the pricing page", severity="low", tags=["web"]),
        dict(title="Renew the TLS certificate of api.example.com", severity="high", tags=["security"],
             due_date=_in(24 * 5)),
        dict(title="Nightly export job timed out", severity="medium", tags=["batch"], due_date=_in(-20)),
        dict(title="Disk 91% full on db-1", severity="high", tags=["db"], assignee=ana["user_id"],
             due_date=_in(3), status="acknowledged"),
        dict(title="Checkout fails for EU cards", severity="critical", tags=["payments", "eu"],
             assignee=f"team:{team['id']}", due_date=_in(-2), status="in_progress",
             description="Since 14:02 every EU card payment fails with `card_declined`.\n\n"
                         "- The gateway dashboard shows no errors\n- Rolling back 2.14.1 did not help"),
    ]
    created = []
    for row in rows:
        status = row.pop("status", None)
        ticket = api.create(**row)
        if status:
            api.call("PATCH", f"/tickets/{ticket['id']}", json={"status": status})
        created.append(ticket)
    checkout = created[-1]
    api.call("PATCH", f"/tickets/{checkout['id']}", json={"severity": "critical"})
    api.call("POST", f"/tickets/{checkout['id']}/comments", expect=201,
             headers={"Authorization": f"Bearer {ana_key['secret']}"},
             json={"comment": "Card network answers **timeouts** for BIN ranges 4000–4999; asking the gateway."})
    # The queues' counts are kept by the tickets stream: the pictures show them once it has caught up.
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        counts = {view["id"]: view.get("count") for view in api.call("GET", "/views").json()["data"]}
        if counts["builtin:unassigned"] == 3 and counts["builtin:critical"] == 3:
            break
        time.sleep(0.2)
    return {"checkout": checkout}


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("size", ["desktop", "mobile"])
def test_readable_in_light_and_dark_at_desktop_and_phone_widths(browser, stack, admin_storage, showcase, scheme, size,
                                                               tmp_path):
    folder = Path(os.environ.get("SCREENSHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    project = f"{stack['api_url']}/projects/{stack['project_id']}"
    signed_out = browser.new_context(viewport=SIZES[size], color_scheme=scheme, device_scale_factor=1)
    context = browser.new_context(viewport=SIZES[size], color_scheme=scheme, device_scale_factor=1,
                                  storage_state=admin_storage)
    page = context.new_page()
    page.goto(project)
    expect(page.get_by_role("row")).to_have_count(7)
    pages = {"list": (page, None), "ticket": (page, f"{project}/tickets/{showcase['checkout']['key']}"),
             "form": (page, f"{project}/new"), "reports": (page, f"{project}/reports"), "sla": (page, f"{project}/sla"),
             "members": (page, f"{project}/members"), "profile": (page, f"{stack['api_url']}/profile"),
             "sign-in": (signed_out.new_page(), f"{stack['api_url']}/sign-in")}
    for name, (shown, address) in pages.items():
        if address:
            shown.goto(address)
        shown.get_by_role("heading", level=1).first.wait_for(state="attached")
        shown.wait_for_load_state("networkidle")
        shown.screenshot(path=str(folder / f"{name}-{scheme}-{size}.png"))
        # Nothing runs off the side of the screen.
        assert shown.evaluate("document.documentElement.scrollWidth") <= SIZES[size]["width"], name
    context.close()
    signed_out.close()
