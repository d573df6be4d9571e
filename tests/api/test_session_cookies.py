"""Session cookies through the real routing on DynamoDB Local: what a cookie's request reads, the
same-origin rule that keeps other sites from acting with it, and API keys answered as before."""
import json

import pytest

from chalicelib import config
from chalicelib.domain.accounts import SESSION_COOKIE
from chalicelib.services.registry import services
from tests.aws_calls import RECORDER
from tests.signed_in import sign_in

EVIL = "https://evil.example"
FORM = "application/x-www-form-urlencoded"


def calls_of(request) -> list[str]:
    before = len(RECORDER.calls)
    request()
    return [c.operation for c in RECORDER.calls[before:]]


def tickets_titled(api, title: str) -> list:
    return [t for t in api.get("/tickets?sort=created").json["data"] if t["title"] == title]


@pytest.fixture
def browser(api):
    return sign_in(api, "member")


class TestCrossOriginRequests:
    """A page of another site can make the browser send its cookie: a form post, or a script's
    fetch. Neither is let act: 403 `cross_origin_request`, nothing read or written."""

    def test_a_cross_origin_form_post_is_refused_and_changes_nothing(self, api, browser):
        form = browser.with_cookie(browser.cookie)
        form.origin = {"Origin": EVIL}
        response = None

        def post():
            nonlocal response
            response = form.post("/tickets", raw="title=Forged&description=&severity=low", headers={"Content-Type": FORM})
        assert calls_of(post) == []
        assert response.status_code == 403, response.body
        assert response.json["error"]["code"] == "cross_origin_request"
        assert EVIL in response.json["error"]["message"]
        assert tickets_titled(api, "Forged") == []

    def test_a_cross_site_fetch_with_json_is_refused_and_changes_nothing(self, api, browser):
        fetch = browser.with_cookie(browser.cookie)
        fetch.origin = {"Sec-Fetch-Site": "cross-site", "Origin": EVIL}
        response = fetch.post("/tickets", {"title": "Forged", "description": "", "severity": "low"})
        assert response.status_code == 403 and response.json["error"]["code"] == "cross_origin_request"
        assert "cross-site" in response.json["error"]["message"]
        assert tickets_titled(api, "Forged") == []

    @pytest.mark.parametrize("origin", [
        {"Sec-Fetch-Site": "same-site"},             # a sibling subdomain is another origin
        {"Sec-Fetch-Site": "none"},
        {"Sec-Fetch-Site": "cross-site", "Origin": config.public_url()},  # the header browsers set wins
        {"Origin": "null"},
        {"Origin": config.public_url().replace("127.0.0.1", "127.0.0.2")},
        {},                                          # no proof of origin at all
    ])
    def test_any_other_origin_or_none_is_refused(self, api, browser, origin):
        other = browser.with_cookie(browser.cookie)
        other.origin = origin
        for method, path, body in (("POST", "/tickets", {"title": "Forged", "description": "", "severity": "low"}),
                                   ("PATCH", "/me", {"name": "Forged"}), ("DELETE", "/tickets/OPS-1", None)):
            response = other.call(method, path, body)
            assert response.status_code == 403 and response.json["error"]["code"] == "cross_origin_request", (
                method, response.body)
        assert tickets_titled(api, "Forged") == []

    def test_a_same_origin_form_or_text_body_is_refused_too(self, api, browser):
        for content_type in (FORM, "text/plain", "multipart/form-data; boundary=x"):
            response = browser.post("/tickets", raw='{"title": "Forged", "description": "", "severity": "low"}',
                                    headers={"Content-Type": content_type})
            assert response.status_code == 403, (content_type, response.body)
            assert response.json["error"]["code"] == "cross_origin_request"
            assert "JSON" in response.json["error"]["message"]
        assert tickets_titled(api, "Forged") == []

    @pytest.mark.parametrize("origin", [
        {"Sec-Fetch-Site": "same-origin"},
        {"Origin": config.public_url()},                               # a browser without Sec-Fetch-Site
        {"Origin": "https://ticketry.example.com", "Host": "ticketry.example.com"},  # the host it was sent to
    ])
    def test_the_apps_own_pages_may_act(self, api, browser, origin):
        own = browser.with_cookie(browser.cookie)
        own.origin = origin
        created = own.post("/tickets", {"title": "Mine", "description": "", "severity": "low"})
        assert created.status_code == 201, created.body
        history = api.get(f"/tickets/{created.json['id']}/history").json["data"]
        assert history[0]["changed_by"] == browser.user_id

    def test_a_cross_site_read_is_a_read(self, api, browser):
        """GET changes nothing; SameSite=Lax already keeps the cookie off other sites' requests
        but top-level links, which must open the app signed in."""
        reader = browser.with_cookie(browser.cookie)
        reader.origin = {"Sec-Fetch-Site": "cross-site"}
        assert reader.get("").status_code == 200


class TestApiKeysAsBefore:
    def test_a_key_is_answered_whatever_the_origin(self, api):
        headers = {"Origin": EVIL, "Sec-Fetch-Site": "cross-site"}
        created = api.post("/tickets", {"title": "By key", "description": "", "severity": "low"}, headers=headers)
        assert created.status_code == 201, created.body

    @pytest.mark.parametrize("content_type", [FORM, "text/plain", "multipart/form-data; boundary=x", "application/xml"])
    def test_a_body_other_than_json_is_415_in_chalices_words(self, api, content_type):
        for caller in (api, api.as_key(None)):
            response = caller.post("/tickets", raw="title=x", headers={"Content-Type": content_type})
            assert response.status_code == 415, response.body
            assert response.json == {"Code": "UnsupportedMediaType", "Message": f"Unsupported media type: {content_type}"}

    def test_with_a_key_the_cookie_is_not_read(self, api, browser):
        both = {"Cookie": f"{SESSION_COOKIE}={browser.cookie}", "Origin": EVIL, "Sec-Fetch-Site": "cross-site"}
        created = api.post("/tickets", {"title": "Key", "description": "", "severity": "low"}, headers=both).json
        assert api.get(f"/tickets/{created['id']}/history").json["data"][0]["changed_by"] != browser.user_id
        wrong_key = api.as_key("tkt_nonsense").get("", headers=both)
        assert wrong_key.status_code == 401   # the session would have worked; the key is what was sent
        forged_form = api.post("/tickets", raw="title=x", headers=both | {"Content-Type": FORM})
        assert forged_form.status_code == 415


class TestWhatACookiesRequestReads:
    def test_one_batch_get_like_a_key_and_a_touch_at_most_once_an_hour(self, api, browser, monkeypatch):
        sessions = services().sessions
        now = [sessions.clock()]
        monkeypatch.setattr(sessions, "clock", lambda: now[0])
        assert calls_of(lambda: browser.get("")) == ["BatchGetItem"]   # GET the project: the auth read only
        assert calls_of(lambda: api.get("")) == ["BatchGetItem"]
        now[0] += config.session_touch_seconds()
        assert calls_of(lambda: browser.get("")) == ["BatchGetItem", "UpdateItem"]
        assert calls_of(lambda: browser.get("")) == ["BatchGetItem"]

    def test_an_expired_session_is_401_session_expired(self, api, browser, monkeypatch):
        sessions = services().sessions
        later = sessions.clock() + config.session_idle_seconds() + 1
        monkeypatch.setattr(sessions, "clock", lambda: later)
        response = browser.get("")
        assert response.status_code == 401 and response.json["error"]["code"] == "session_expired"


class TestSignOut:
    def test_sign_out_ends_the_session_and_clears_its_cookie(self, api, browser):
        response = browser.unscoped("DELETE", "/v1/ce/session")
        assert response.status_code == 204, response.body
        cleared = response.headers["Set-Cookie"]
        assert cleared.startswith(f"{SESSION_COOKIE}=;") and "Max-Age=0" in cleared and "Path=/" in cleared
        assert {"HttpOnly", "SameSite=Lax", "Secure"} <= {part.strip() for part in cleared.split(";")}
        again = browser.get("")
        assert again.status_code == 401 and again.json["error"]["code"] == "unauthorized"

    def test_a_key_has_no_session_to_end(self, client, api):
        response = client.http.delete("/v1/ce/session", headers={"Authorization": f"Bearer {api.token}"})
        assert response.status_code == 403
        assert json.loads(response.body)["error"] == {"code": "not_a_session", "message": (
            "an API key is not a session; this route is for a signed-in browser"), "details": []}
        assert api.get("").status_code == 200
