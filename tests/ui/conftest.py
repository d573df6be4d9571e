"""The web UI in Debian's Chromium, against the local stack as `make run` starts it."""
import re
import uuid
from pathlib import Path

import pytest
import requests
from playwright.sync_api import Page

from chalicelib.local.stack_process import StackProcess

CHROMIUM = "/usr/bin/chromium"
# Without the networking flags Chromium keeps calling hosts this machine cannot reach.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--no-first-run", "--disable-quic", "--disable-sync"]
FAILED_LOAD = re.compile(r"Failed to load resource: the server responded with a status of (\d+)")
AXE = Path(__file__).resolve().parents[2] / "web" / "node_modules" / "axe-core" / "axe.min.js"


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "viewport": {"width": 1280, "height": 800}, "accept_downloads": True}


@pytest.fixture(scope="session")
def stack(tmp_path_factory):
    process = StackProcess(tmp_path_factory.mktemp("ui-stack"), ready_timeout=120)
    info = process.start()
    yield info | {"outbox": process.state_dir / "outbox"}
    process.stop()


class Console:
    """What the page said on its console; failed loads are allowed only with the statuses a test expects."""

    def __init__(self, page: Page):
        self.messages: list[str] = []
        self.expected_statuses: set[int] = set()
        page.on("console", lambda message: message.type == "error" and self.messages.append(
            f"{message.text} ({message.location.get('url', '')})"))
        page.on("pageerror", lambda error: self.messages.append(f"uncaught: {error}"))

    def unexpected(self) -> list[str]:
        def allowed(text: str) -> bool:
            match = FAILED_LOAD.search(text)
            return match is not None and int(match.group(1)) in self.expected_statuses
        return [text for text in self.messages if not allowed(text)]


@pytest.fixture
def console(page: Page):
    watcher = Console(page)
    yield watcher
    assert watcher.unexpected() == []


class Api:
    """The API as an automation sees it, for arranging data and checking what the UI did."""

    def __init__(self, info: dict):
        self.base = f"{info['api_url']}/v1/ce/projects/{info['project_id']}"
        self.headers = {"Authorization": f"Bearer {info['api_key']}"}

    def call(self, method: str, path: str, expect: int = 200, **kwargs) -> requests.Response:
        response = requests.request(method, self.base + path, headers={**self.headers, **kwargs.pop("headers", {})},
                                    timeout=10, **kwargs)
        assert response.status_code == expect, response.text
        return response

    def ticket(self, ref: str) -> dict:
        return self.call("GET", f"/tickets/{ref}").json()

    def create(self, **fields) -> dict:
        body = {"title": "Printer on fire", "description": "", "severity": "medium"} | fields
        return self.call("POST", "/tickets", expect=201, json=body).json()


@pytest.fixture(scope="session")
def api(stack) -> Api:
    return Api(stack)


@pytest.fixture
def word() -> str:
    """A word no other ticket has, to find this test's tickets."""
    return "w" + uuid.uuid4().hex[:10]


@pytest.fixture
def signed_in(page: Page, stack, console) -> Page:
    page.goto(stack["ui_url"])
    page.get_by_role("table").or_(page.get_by_role("status").filter(has_text="No tickets")).first.wait_for()
    return page


@pytest.fixture
def audited(browser, stack):
    # axe is injected as an inline script, which the page's own policy refuses.
    context = browser.new_context(bypass_csp=True, viewport={"width": 1280, "height": 800})
    page = context.new_page()
    page.goto(stack["ui_url"])
    page.get_by_role("table").or_(page.get_by_role("status").filter(has_text="No tickets")).first.wait_for()
    yield page
    context.close()


def axe_violations(page: Page) -> list[dict]:
    """The page's context must bypass the CSP (bypass_csp=True): axe is injected as an inline script."""
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    return [{"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]][:3]}
            for v in result["violations"] if v["impact"] in ("serious", "critical")]
