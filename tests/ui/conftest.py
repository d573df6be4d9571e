"""The web UI in Debian's Chromium, against the local stack as `make run` starts it. Pages are signed
in as the demo admin through the one-time link the stack writes (`ui_url`), once per run: every page
shares that session's cookie, so no test signs it out (those that sign out use accounts of their own)."""
import re
import time
import uuid
from email import message_from_bytes
from email.policy import default as default_policy
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


# Pictures the demo project holding only its own tickets, so it runs before the other UI tests.
FIRST = "tests/ui/test_looks.py"


def pytest_collection_modifyitems(items):
    """Puts FIRST's tests ahead of the other UI tests, leaving every other test where it was."""
    places = [n for n, item in enumerate(items) if item.nodeid.startswith("tests/ui/")]
    ours = sorted((items[n] for n in places), key=lambda item: not item.nodeid.startswith(FIRST))
    for n, item in zip(places, ours):
        items[n] = item


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def stack(tmp_path_factory):
    process = StackProcess(tmp_path_factory.mktemp("ui-stack"), ready_timeout=120)
    info = process.start()
    yield info | {"outbox": process.state_dir / "outbox"}
    process.stop()


@pytest.fixture(scope="session")
def admin_storage(browser, stack) -> dict:
    """The demo admin's session cookie, from the stack's one-time sign-in link (it works once)."""
    context = browser.new_context()
    page = context.new_page()
    page.goto(stack["ui_url"])
    page.get_by_role("button", name="Sign in", exact=True).click()
    page.wait_for_url(re.compile(re.escape(f"/projects/{stack['project_id']}")))
    storage = context.storage_state()
    context.close()
    assert any(cookie["name"] == "ticketry_session" for cookie in storage["cookies"])
    return storage


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args, admin_storage):
    """Every `page` is the demo admin's, signed in; a test wanting a signed-out browser opens a context."""
    return {**browser_context_args, "viewport": {"width": 1280, "height": 800}, "accept_downloads": True,
            "storage_state": admin_storage}


class Console:
    """What the page said on its console; failed loads are allowed only with the statuses a test expects."""

    def __init__(self, page: Page):
        self.page = page
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


def project_list(stack: dict) -> str:
    return f"{stack['api_url']}/projects/{stack['project_id']}"


@pytest.fixture
def signed_in(page: Page, stack, console) -> Page:
    page.goto(project_list(stack))
    page.get_by_role("table").or_(page.get_by_role("status").filter(has_text="No tickets")).first.wait_for()
    return page


@pytest.fixture
def audited(browser, stack, admin_storage):
    # axe is injected as an inline script, which the page's own policy refuses.
    context = browser.new_context(bypass_csp=True, viewport={"width": 1280, "height": 800}, storage_state=admin_storage)
    page = context.new_page()
    page.goto(project_list(stack))
    page.get_by_role("table").or_(page.get_by_role("status").filter(has_text="No tickets")).first.wait_for()
    yield page
    context.close()


@pytest.fixture(scope="session")
def admin_email(stack) -> str:
    """The demo admin's address, as the API says for the stack's key."""
    response = requests.get(f"{stack['api_url']}/v1/ce/session", timeout=10,
                            headers={"Authorization": f"Bearer {stack['api_key']}"})
    assert response.status_code == 200, response.text
    return response.json()["principal"]["email"]


def outbox_now(stack: dict) -> set[str]:
    """The messages in the outbox so far, to tell the next one from them."""
    return {path.name for path in stack["outbox"].glob("*.eml")}


def emailed_code(stack: dict, address: str, before: set[str], timeout: float = 30) -> str:
    """The code in a sign-in email to `address` written to the outbox since `before` was taken."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for path in sorted(stack["outbox"].glob("*.eml"), reverse=True):
            if path.name in before:
                continue
            message = message_from_bytes(path.read_bytes(), policy=default_policy)
            found = re.search(r"sign-in code: (\d{6})", str(message["Subject"] or ""))
            if found and address.lower() in str(message["To"]).lower():
                return found.group(1)
        time.sleep(0.2)
    raise AssertionError(f"no sign-in code was emailed to {address}")


def sign_in_by_email(page: Page, stack: dict, address: str) -> None:
    """The sign-in page's whole email-code flow, from wherever the page was sent to sign in."""
    if "/sign-in" not in page.url:
        page.goto(f"{stack['api_url']}/sign-in")
    before = outbox_now(stack)
    page.get_by_label("Email").fill(address)
    page.get_by_role("button", name="Email me a code").click()
    page.get_by_label("Code").fill(emailed_code(stack, address, before))
    page.get_by_role("button", name="Sign in", exact=True).click()
    page.wait_for_url(lambda url: "/sign-in" not in url)


def sign_in_over_http(stack: dict, address: str, user_agent: str = "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) "
                      "Gecko/20100101 Firefox/133.0") -> requests.Session:
    """A session of `address` signed in without a browser (the same calls the page makes)."""
    http = requests.Session()
    http.headers.update({"Origin": stack["api_url"], "User-Agent": user_agent})
    before = outbox_now(stack)
    started = http.post(f"{stack['api_url']}/v1/ce/sign-in/email", json={"email": address}, timeout=10)
    assert started.status_code == 202, started.text
    finished = http.post(f"{stack['api_url']}/v1/ce/sign-in/code", timeout=10,
                         json={"code": emailed_code(stack, address, before)})
    assert finished.status_code == 200, finished.text
    return http


def axe_violations(page: Page) -> list[dict]:
    """The page's context must bypass the CSP (bypass_csp=True): axe is injected as an inline script."""
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    return [{"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]][:3]}
            for v in result["violations"] if v["impact"] in ("serious", "critical")]
