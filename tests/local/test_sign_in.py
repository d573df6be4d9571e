"""Signing in by email on the local stack, as a browser does it: ask for a code, read it from the
outbox, send it, and the session cookie reaches the demo project."""
import re
from email import message_from_bytes
from email.policy import default as default_policy

import requests

from tests.local.conftest import api

SUBJECT = re.compile(r"^Your Ticketry sign-in code: (\d{6})$")


def newest_code(outbox) -> str:
    for path in sorted(outbox.glob("*.eml"), key=lambda p: (p.stat().st_mtime_ns, p.name), reverse=True):
        match = SUBJECT.match(message_from_bytes(path.read_bytes(), policy=default_policy)["Subject"] or "")
        if match:
            return match.group(1)
    raise AssertionError(f"no sign-in code in {sorted(p.name for p in outbox.glob('*.eml'))}")


def test_an_emailed_code_signs_in_and_the_session_reaches_the_demo_project(stack):
    info = stack.start()
    added = api(info, "POST", "/members", json={"email": "eve@example.com", "name": "Eve", "role": "member"})
    assert added.status_code == 201, added.text
    browser = requests.Session()
    page = {"Origin": info["api_url"]}  # what a browser sends from the app's own page
    asked = browser.post(f"{info['api_url']}/v1/ce/sign-in/email", json={"email": "eve@example.com"},
                         headers=page, timeout=10)
    assert asked.status_code == 202, asked.text
    signed_in = browser.post(f"{info['api_url']}/v1/ce/sign-in/code", json={"code": newest_code(stack.state_dir / "outbox")},
                             headers=page, timeout=10)
    assert signed_in.status_code == 200, signed_in.text
    me = browser.get(f"{info['api_url']}/v1/ce/session", timeout=10)
    assert me.status_code == 200, me.text
    assert me.json()["principal"]["kind"] == "session"
    assert [(p["id"], p["role"]) for p in me.json()["projects"]] == [(info["project_id"], "member")]
    assert stack.stop() == 0
