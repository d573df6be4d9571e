"""Signing in by email over HTTP, on the in-memory tables: the answers, their cookies and errors,
the same-origin rule, the limits' 429, the daily cap of wrong codes, and the unknown address's
identical answer."""
import pytest

from chalicelib import config
from chalicelib.domain.accounts import Account
from chalicelib.domain.clock import new_id, now_iso
from chalicelib.domain.people import Member
from chalicelib.services.registry import services
from tests.api.conftest import new_project
from tests.signing_in import SIGN_IN, Browser, code_and_token


@pytest.fixture
def outbox(tmp_path, monkeypatch):
    monkeypatch.setenv(config.EMAIL_OUTBOX_DIR, str(tmp_path))
    return tmp_path


@pytest.fixture
def member(client):
    """An account that is the admin of a project of its own."""
    api, _ = new_project(client)
    account = Account(id=new_id(), email=f"{new_id()}@example.com", name="Ada", created_at=now_iso())
    services().directory.add_member(api.project_id, Member(user_id=new_id(), email=account.email, name="Ada",
                                                           role="admin", created_at=now_iso(), account_id=account.id),
                                    account)
    return account, api.project_id


def cookie_attributes(header: str) -> tuple[str, list[str]]:
    name_value, *attributes = header.split("; ")
    return name_value.split("=", 1)[0], attributes


def test_the_code_flow_signs_in_and_the_session_reaches_the_accounts_projects(client, outbox, member):
    account, project_id = member
    browser = Browser(client)
    asked = browser.ask_code(account.email.upper())
    assert (asked.status_code, asked.json) == (202, {"expires_in": 900, "code_length": 6})
    (pending,) = asked.set_cookies
    assert cookie_attributes(pending) == ("ticketry_pending", ["Max-Age=900", f"Path={SIGN_IN}", "HttpOnly",
                                                               "SameSite=Lax", "Secure"])
    code, _ = code_and_token(outbox)
    signed_in = browser.send_code(code)
    assert signed_in.status_code == 200, signed_in.body
    assert signed_in.json["principal"]["kind"] == "session"
    assert signed_in.json["principal"]["account_id"] == account.id
    assert [p["id"] for p in signed_in.json["projects"]] == [project_id]
    session_cookie, cleared = signed_in.set_cookies
    assert cookie_attributes(session_cookie)[0] == "ticketry_session"
    assert cookie_attributes(session_cookie)[1][0] == f"Max-Age={config.session_absolute_seconds()}"
    assert cookie_attributes(cleared) == ("ticketry_pending", ["Max-Age=0", f"Path={SIGN_IN}", "HttpOnly",
                                                               "SameSite=Lax", "Secure"])
    me = browser.request("GET", "/v1/ce/session")
    assert me.status_code == 200 and me.json == signed_in.json
    again = Browser(client)
    again.cookies["ticketry_pending"] = pending.split(";")[0].split("=", 1)[1]
    assert again.send_code(code).json["error"]["code"] == "code_expired"


def test_a_wrong_code_names_the_field_and_a_missing_pending_cookie_is_code_expired(client, outbox, member):
    browser = Browser(client)
    browser.ask_code(member[0].email)
    code, _ = code_and_token(outbox)
    wrong = browser.send_code(f"{(int(code) + 1) % 1_000_000:06d}")
    assert wrong.status_code == 400
    assert wrong.json["error"]["code"] == "wrong_code" and wrong.json["error"]["details"][0]["field"] == "code"
    stranger = Browser(client).send_code(code)
    assert (stranger.status_code, stranger.json["error"]["code"]) == (400, "code_expired")
    assert browser.send_code(code).status_code == 200


def test_a_code_must_be_six_digits(client, outbox):
    answer = Browser(client).send_code("12345a")
    assert answer.status_code == 400 and answer.json["error"]["details"][0]["field"] == "code"


def test_the_emailed_link_works_only_in_the_browser_that_asked(client, outbox, member):
    browser = Browser(client)
    browser.ask_code(member[0].email, return_to="/projects/p1")
    _, token = code_and_token(outbox)
    other = Browser(client)
    other.ask_code(member[0].email)
    refused = other.open_link(token)
    assert (refused.status_code, refused.json["error"]["code"]) == (400, "link_expired")
    signed_in = browser.open_link(token)
    assert signed_in.status_code == 200 and signed_in.json["principal"]["account_id"] == member[0].id
    assert browser.open_link(token).json["error"]["code"] == "link_expired"


def test_an_operator_link_signs_in_once_in_any_browser(client, member):
    url = services().sign_in.operator_link(member[0].email, 3600)
    token = url.rpartition("#link=")[2]
    signed_in = Browser(client).open_link(token)
    assert signed_in.status_code == 200 and signed_in.json["principal"]["account_id"] == member[0].id
    assert Browser(client).open_link(token).json["error"]["code"] == "link_expired"


@pytest.mark.parametrize("origin", [{"Sec-Fetch-Site": "cross-site"}, {"Origin": "https://evil.example"}, {}])
def test_sign_in_posts_from_another_site_are_refused(client, outbox, member, origin):
    browser = Browser(client, origin=origin)
    for answer in (browser.ask_code(member[0].email), browser.send_code("123456"), browser.open_link("abc")):
        assert (answer.status_code, answer.json["error"]["code"]) == (403, "cross_origin_request")
    assert not list(outbox.glob("*.eml"))


def test_the_apps_own_origin_is_enough_without_sec_fetch_site(client, outbox, member):
    browser = Browser(client, origin={"Origin": config.public_url()})
    assert browser.ask_code(member[0].email).status_code == 202


def test_an_email_is_validated(client, outbox):
    answer = Browser(client).ask_code("not an address")
    assert answer.status_code == 400 and answer.json["error"]["details"][0]["field"] == "email"


def test_known_and_unknown_addresses_get_the_same_answer(client, outbox, member):
    known, unknown = Browser(client).ask_code(member[0].email), Browser(client).ask_code("nobody@example.com")
    assert (known.status_code, known.body) == (unknown.status_code, unknown.body)
    shape = [[cookie_attributes(h)[0], cookie_attributes(h)[1]] for h in known.set_cookies]
    assert shape == [[cookie_attributes(h)[0], cookie_attributes(h)[1]] for h in unknown.set_cookies]
    assert known.set_cookies != unknown.set_cookies  # each its own pending secret
    assert {k.lower() for k in known.headers} == {k.lower() for k in unknown.headers}


def test_past_a_limit_the_answer_is_429_with_retry_after(client, outbox, member, monkeypatch):
    monkeypatch.setenv(config.SIGN_IN_EMAILS_PER_ADDRESS, "2")
    browser = Browser(client)
    assert [browser.ask_code(member[0].email).status_code for _ in range(2)] == [202, 202]
    refused = browser.ask_code(member[0].email)
    assert refused.status_code == 429 and refused.json["error"]["code"] == "too_many_sign_in_requests"
    assert 1 <= int(refused.headers["Retry-After"]) <= 3600
    assert len(list(outbox.glob("*.eml"))) == 2


def test_past_the_days_wrong_codes_every_code_is_refused_and_the_emailed_link_signs_in(client, outbox, member,
                                                                                       monkeypatch):
    monkeypatch.setenv(config.SIGN_IN_WRONG_CODES_PER_ADDRESS_PER_DAY, "2")
    browser = Browser(client)
    browser.ask_code(member[0].email)
    code, token = code_and_token(outbox)
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    assert [browser.send_code(wrong).json["error"]["code"] for _ in range(2)] == ["wrong_code"] * 2
    refused = browser.send_code(code)
    assert refused.status_code == 400 and refused.json["error"]["code"] == "too_many_wrong_codes"
    assert "link in the email" in refused.json["error"]["message"]
    assert browser.send_code(wrong).json == refused.json
    signed_in = browser.open_link(token)
    assert signed_in.status_code == 200 and signed_in.json["principal"]["account_id"] == member[0].id


@pytest.mark.parametrize("address", ["a,b@example.com", "<a>@example.com", "ü@example.com"])
def test_an_address_no_email_can_be_written_to_is_409_naming_email(client, outbox, address):
    """The schema lets these through (no pattern can say what an email header carries); the mail
    service cannot send to them, for an account or not: nothing else to try."""
    answer = Browser(client).ask_code(address)
    assert answer.status_code == 409, answer.body
    assert answer.json["error"]["details"] == [{"field": "email", "message": "refused by the mail service"}]
