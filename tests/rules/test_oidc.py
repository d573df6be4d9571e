"""Single sign-on over HTTP, against real providers on this machine: oidc-provider-mock for the
round trip a person makes, and a provider of the test's own for ID tokens no real provider would
send (another audience, another nonce, expired). Every failure is a redirect to the sign-in page
with its code, never an error page and never a session."""
import json
from urllib.parse import parse_qs, urlsplit

import pytest

from chalicelib import config
from chalicelib.domain.accounts import EMAIL_CODE, SESSION_COOKIE, Account
from chalicelib.domain.clock import new_id
from chalicelib.domain.people import Member
from chalicelib.services.registry import services
from tests.oidc_providers import CLIENT_ID, CLIENT_SECRET, SigningProvider, authorize, mock_provider, seed_user

CREATED = "2026-01-01T00:00:00.000Z"
PUBLIC = "http://127.0.0.1:8000"
STATE_COOKIE = "ticketry_oidc"


@pytest.fixture
def mock_issuer():
    with mock_provider() as issuer:
        yield issuer


@pytest.fixture
def own():
    with SigningProvider() as provider:
        yield provider


@pytest.fixture(autouse=True)
def providers(monkeypatch, mock_issuer, own):
    monkeypatch.setenv(config.OIDC_PROVIDERS, json.dumps([
        {"id": "mock", "name": "Mock", "issuer": mock_issuer, "client_id": CLIENT_ID, "client_secret": CLIENT_SECRET},
        {"id": "own", "name": "Own", "issuer": own.issuer, "client_id": CLIENT_ID, "client_secret": CLIENT_SECRET},
    ]))
    monkeypatch.setenv(config.PUBLIC_URL, PUBLIC)


def account_in(project_id: str, email: str, role: str = "member") -> Account:
    directory = services().directory
    account = Account(id=new_id(), email=email, name="Ada", created_at=CREATED)
    directory.create_account(account)
    directory.add_member(project_id, Member(user_id=new_id(), email=email, name="Ada", role=role, created_at=CREATED,
                                            account_id=account.id))
    return account


def set_cookies(response) -> dict[str, str]:
    """name -> the whole Set-Cookie header, of every cookie the response sets."""
    headers = response.headers.get("Set-Cookie") or response.headers.get("set-cookie") or []
    headers = headers if isinstance(headers, list) else [headers]
    return {header.split("=", 1)[0]: header for header in headers}


def cookie_value(header: str) -> str:
    return header.split(";", 1)[0].split("=", 1)[1]


def start(client, provider="mock", return_to=None):
    path = f"/v1/ce/sign-in/oidc/{provider}/start" + (f"?return_to={return_to}" if return_to is not None else "")
    response = client.http.get(path)
    assert response.status_code == 302, response.body
    location = response.headers["Location"]
    query = {name: values[0] for name, values in parse_qs(urlsplit(location).query).items()}
    return location, query, cookie_value(set_cookies(response)[STATE_COOKIE])


def callback(client, provider, query: str, state_cookie: str | None):
    headers = {"Cookie": f"{STATE_COOKIE}={state_cookie}"} if state_cookie else {}
    return client.http.get(f"/v1/ce/sign-in/oidc/{provider}/callback?{query}", headers=headers)


def through_mock(client, email, return_to=None):
    """start → the provider's page (the user picked) → the callback, as a browser would."""
    location, _, state_cookie = start(client, "mock", return_to)
    back = urlsplit(authorize(location, email))
    assert back.path == "/v1/ce/sign-in/oidc/mock/callback"
    return callback(client, "mock", back.query, state_cookie)


def refused_with(response, code: str) -> None:
    assert response.status_code == 302, response.body
    assert response.headers["Location"] == f"{PUBLIC}/sign-in?error={code}"
    assert SESSION_COOKIE not in set_cookies(response)


def session_of(response) -> str:
    return cookie_value(set_cookies(response)[SESSION_COOKIE])


# ---- the providers and the start ---------------------------------------------------------------

def test_the_providers_are_listed_with_where_each_starts(client, mock_issuer):
    response = client.http.get("/v1/ce/sign-in/providers")
    assert response.status_code == 200
    assert json.loads(response.body) == {"providers": [
        {"id": "mock", "name": "Mock", "start_url": f"{PUBLIC}/v1/ce/sign-in/oidc/mock/start"},
        {"id": "own", "name": "Own", "start_url": f"{PUBLIC}/v1/ce/sign-in/oidc/own/start"}]}


def test_the_start_sends_the_browser_to_the_provider_with_state_nonce_and_pkce(client, mock_issuer):
    response = client.http.get("/v1/ce/sign-in/oidc/mock/start?return_to=/projects/x")
    assert response.status_code == 302 and response.body == b""
    location, query, state_cookie = start(client, "mock")
    assert location.startswith(f"{mock_issuer}/oauth2/authorize?")
    assert query["response_type"] == "code" and query["scope"] == "openid email profile"
    assert query["client_id"] == CLIENT_ID and query["code_challenge_method"] == "S256"
    assert query["redirect_uri"] == f"{PUBLIC}/v1/ce/sign-in/oidc/mock/callback"
    assert len(query["nonce"]) >= 43 and len(query["code_challenge"]) == 43
    assert state_cookie == query["state"]
    header = set_cookies(response)[STATE_COOKIE]
    assert "HttpOnly" in header and "SameSite=Lax" in header and "Max-Age=600" in header
    assert "Path=/v1/ce/sign-in/oidc/mock" in header


def test_an_unknown_provider_goes_back_to_the_sign_in_page(client):
    refused_with(client.http.get("/v1/ce/sign-in/oidc/nobody/start"), "unknown_provider")
    refused_with(client.http.get("/v1/ce/sign-in/oidc/nobody/callback?code=c&state=s"), "unknown_provider")
    hostile = client.http.get("/v1/ce/sign-in/oidc/No%20Body%3B%20Domain%3Devil/start")
    refused_with(hostile, "unknown_provider")
    assert set_cookies(hostile) == {}  # nothing of the path is ever written into a cookie
    hostile = client.http.get("/v1/ce/sign-in/oidc/No%20Body%3B%20Domain%3Devil/callback?code=c&state=s")
    refused_with(hostile, "unknown_provider")
    assert set_cookies(hostile) == {}
    refused_with(client.http.get("/v1/ce/sign-in/oidc/" + "x" * 300 + "/callback"), "unknown_provider")


# ---- the round trip ------------------------------------------------------------------------------

def test_a_person_signs_in_through_the_provider_and_reaches_their_projects(client, api, mock_issuer):
    account = account_in(api.project_id, "ada@example.com")
    seed_user(mock_issuer, "ada@example.com", email_verified=True, name="Ada Lovelace")
    response = through_mock(client, "ada@example.com", return_to="/projects/abc%3Fview%3Dopen")
    assert response.status_code == 302, response.body
    assert response.headers["Location"] == f"{PUBLIC}/projects/abc?view=open"
    cookies = set_cookies(response)
    assert cookies[STATE_COOKIE].startswith(f"{STATE_COOKIE}=;") and "Max-Age=0" in cookies[STATE_COOKIE]
    assert "HttpOnly" in cookies[SESSION_COOKIE] and "SameSite=Lax" in cookies[SESSION_COOKIE]
    value = session_of(response)
    assert value.startswith(f"{account.id}.")
    principal = services().sessions.authenticate(value, api.project_id)
    assert (principal.account_id, principal.sign_in_method, principal.role) == (account.id, "oidc:mock", "member")
    assert services().directory.account(account.id).last_sign_in_at is not None
    me = client.http.get("/v1/ce/session", headers={"Cookie": f"{SESSION_COOKIE}={value}"})
    assert me.status_code == 200, me.body
    assert [p["id"] for p in json.loads(me.body)["projects"]] == [api.project_id]


def test_the_email_is_matched_in_any_case(client, api, mock_issuer):
    account = account_in(api.project_id, "ada@example.com")
    seed_user(mock_issuer, "Ada@Example.COM", email_verified=True)
    response = through_mock(client, "Ada@Example.COM")
    assert response.headers["Location"] == f"{PUBLIC}/"
    assert session_of(response).startswith(f"{account.id}.")


def test_an_email_the_provider_has_not_verified_signs_nobody_in(client, api, mock_issuer):
    account_in(api.project_id, "ada@example.com")
    seed_user(mock_issuer, "ada@example.com", email_verified=False)
    refused_with(through_mock(client, "ada@example.com"), "email_not_verified")
    seed_user(mock_issuer, "ada@example.com")  # no email_verified claim at all
    refused_with(through_mock(client, "ada@example.com"), "email_not_verified")


def test_an_address_no_account_has_is_refused(client, api, mock_issuer):
    seed_user(mock_issuer, "stranger@example.com", email_verified=True)
    refused_with(through_mock(client, "stranger@example.com"), "no_account")
    assert services().directory.account_by_email("stranger@example.com") is None


def test_with_self_sign_up_an_unknown_address_gets_an_account(client, monkeypatch, mock_issuer):
    monkeypatch.setenv(config.ALLOW_SELF_SIGN_UP, "1")
    from chalicelib.services import registry

    with registry.serving(registry.on(registry.memory_storage())):
        seed_user(mock_issuer, "newcomer@example.com", email_verified=True, name="New Comer")
        response = through_mock(client, "newcomer@example.com")
        assert response.status_code == 302 and response.headers["Location"] == f"{PUBLIC}/"
        made = services().directory.account_by_email("newcomer@example.com")
        assert made is not None and made.name == "New Comer"
        assert session_of(response).startswith(f"{made.id}.")


def test_another_site_is_never_where_the_browser_returns(client, api, mock_issuer):
    account_in(api.project_id, "ada@example.com")
    seed_user(mock_issuer, "ada@example.com", email_verified=True)
    for elsewhere in ("https://evil.example.com/", "//evil.example.com/x", "/%5Cevil.example.com"):
        response = through_mock(client, "ada@example.com", return_to=elsewhere)
        assert response.status_code == 302 and response.headers["Location"] == f"{PUBLIC}/", elsewhere


# ---- the state -----------------------------------------------------------------------------------

def test_a_state_is_used_once(client, api, mock_issuer):
    account_in(api.project_id, "ada@example.com")
    seed_user(mock_issuer, "ada@example.com", email_verified=True)
    location, _, state_cookie = start(client, "mock")
    back = urlsplit(authorize(location, "ada@example.com")).query
    assert SESSION_COOKIE in set_cookies(callback(client, "mock", back, state_cookie))
    refused_with(callback(client, "mock", back, state_cookie), "oidc_failed")


def test_a_state_from_another_browser_is_refused_and_stays_usable_by_its_own(client, api, mock_issuer):
    account_in(api.project_id, "ada@example.com")
    seed_user(mock_issuer, "ada@example.com", email_verified=True)
    location, _, victims_cookie = start(client, "mock")
    _, _, attackers_cookie = start(client, "mock")
    back = urlsplit(authorize(location, "ada@example.com")).query
    refused_with(callback(client, "mock", back, attackers_cookie), "oidc_failed")
    refused_with(callback(client, "mock", back, None), "oidc_failed")
    assert SESSION_COOKIE in set_cookies(callback(client, "mock", back, victims_cookie))


def test_a_state_of_one_provider_does_not_finish_at_another(client, api, own):
    account_in(api.project_id, "ada@example.com")
    _, query, state_cookie = start(client, "mock")
    own.next_claims = own.claims(query["nonce"])
    refused_with(callback(client, "own", f"code=c&state={query['state']}", state_cookie), "oidc_failed")


def test_an_expired_state_is_refused(client, api, own):
    account_in(api.project_id, "ada@example.com")
    _, query, state_cookie = start(client, "own")
    own.next_claims = own.claims(query["nonce"])
    sign_in = services().oidc
    real_clock = sign_in.clock
    sign_in.clock = lambda: real_clock() + 601
    try:
        refused_with(callback(client, "own", f"code=c&state={query['state']}", state_cookie), "oidc_failed")
    finally:
        sign_in.clock = real_clock
    assert own.token_requests == []


def test_an_answer_naming_another_issuer_is_refused(client, api, own):
    """RFC 9207: a provider that says who answered must be the one the sign-in started with."""
    account_in(api.project_id, "ada@example.com")
    _, query, state_cookie = start(client, "own")
    own.next_claims = own.claims(query["nonce"])
    refused_with(callback(client, "own", f"code=c&state={query['state']}&iss=https://evil.example.com", state_cookie),
                 "oidc_failed")
    assert own.token_requests == []
    _, query, state_cookie = start(client, "own")
    own.next_claims = own.claims(query["nonce"])
    signed_in = callback(client, "own", f"code=c&state={query['state']}&iss={own.issuer}", state_cookie)
    assert SESSION_COOKIE in set_cookies(signed_in)


def test_a_provider_that_refuses_sends_the_browser_back_with_oidc_failed(client):
    _, query, state_cookie = start(client, "own")
    refused_with(callback(client, "own", f"error=access_denied&state={query['state']}", state_cookie), "oidc_failed")
    refused_with(callback(client, "own", "", None), "oidc_failed")


# ---- the ID token (the test's own provider) ------------------------------------------------------

def own_sign_in(client, own, **changes):
    _, query, state_cookie = start(client, "own")
    own.next_claims = own.claims(**({"nonce": query["nonce"]} | changes))
    return callback(client, "own", f"code=the-code&state={query['state']}", state_cookie), query


def test_the_code_is_traded_with_the_pkce_verifier_and_the_client_secret(client, api, own):
    account_in(api.project_id, "ada@example.com")
    response, query = own_sign_in(client, own)
    assert SESSION_COOKIE in set_cookies(response), response.headers
    (request,) = own.token_requests
    form = request["form"]
    assert form["grant_type"] == "authorization_code" and form["code"] == "the-code"
    assert form["redirect_uri"] == f"{PUBLIC}/v1/ce/sign-in/oidc/own/callback"
    from chalicelib.domain.oidc import code_challenge

    assert code_challenge(form["code_verifier"]) == query["code_challenge"]
    import base64

    assert base64.b64decode(request["authorization"].split()[1]).decode() == f"{CLIENT_ID}:{CLIENT_SECRET}"
    assert "client_secret" not in form


def test_a_provider_that_takes_only_secret_post_gets_it_in_the_form(client, api, own):
    own.auth_methods = ["client_secret_post"]
    account_in(api.project_id, "ada@example.com")
    response, _ = own_sign_in(client, own)
    assert SESSION_COOKIE in set_cookies(response)
    (request,) = own.token_requests
    assert request["authorization"] is None
    assert (request["form"]["client_id"], request["form"]["client_secret"]) == (CLIENT_ID, CLIENT_SECRET)


@pytest.mark.parametrize("changes", [
    {"nonce": "another-sign-ins-nonce"},
    {"aud": "another-client"},
    {"aud": [CLIENT_ID, "another-client"], "azp": "another-client"},
    {"iss": "https://login.example.com"},
    {"exp": 1_000_000_000, "iat": 999_999_000},
], ids=["wrong nonce", "wrong aud", "wrong azp", "wrong iss", "expired"])
def test_an_id_token_that_is_not_for_this_sign_in_signs_nobody_in(client, api, own, changes):
    account_in(api.project_id, "ada@example.com")
    refused_with(own_sign_in(client, own, **changes)[0], "oidc_failed")


def test_a_token_signed_by_a_key_the_provider_does_not_serve_is_refused(client, api, own):
    from joserfc.jwk import RSAKey

    account_in(api.project_id, "ada@example.com")
    own.signing_key = RSAKey.generate_key(2048, parameters={"kid": own.key.kid, "alg": "RS256"})
    refused_with(own_sign_in(client, own)[0], "oidc_failed")


def test_rotated_keys_are_fetched_again_once(client, api, own):
    from joserfc.jwk import RSAKey

    account_in(api.project_id, "ada@example.com")
    assert SESSION_COOKIE in set_cookies(own_sign_in(client, own)[0])  # the key set is now kept
    rotated = RSAKey.generate_key(2048, parameters={"kid": "test-key-2", "alg": "RS256"})
    own.served_keys, own.signing_key = [rotated], rotated
    before = own.fetches.count("/jwks")
    assert SESSION_COOKIE in set_cookies(own_sign_in(client, own)[0])
    assert own.fetches.count("/jwks") == before + 1
    own.signing_key = RSAKey.generate_key(2048, parameters={"kid": "never-served", "alg": "RS256"})
    refused_with(own_sign_in(client, own)[0], "oidc_failed")
    assert own.fetches.count("/jwks") == before + 2


def test_the_discovery_document_and_keys_are_kept_between_sign_ins(client, api, own):
    account_in(api.project_id, "ada@example.com")
    for _ in range(3):
        assert SESSION_COOKIE in set_cookies(own_sign_in(client, own)[0])
    assert own.fetches.count("/.well-known/openid-configuration") == 1 and own.fetches.count("/jwks") == 1


def test_a_provider_that_cannot_be_reached_sends_the_browser_back(client, monkeypatch):
    monkeypatch.setenv(config.OIDC_PROVIDERS, json.dumps([
        {"id": "gone", "name": "Gone", "issuer": "http://127.0.0.1:9", "client_id": "c", "client_secret": "s"}]))
    from chalicelib.services import registry

    with registry.serving(registry.on(registry.memory_storage())):
        refused_with(client.http.get("/v1/ce/sign-in/oidc/gone/start"), "oidc_failed")


def test_a_provider_slower_than_its_time_allows_sends_the_browser_back(client, api, own):
    from chalicelib.adapters import oidc_client

    account_in(api.project_id, "ada@example.com")
    own.token_delay = oidc_client.TIMEOUT_SECONDS + 1
    refused_with(own_sign_in(client, own)[0], "oidc_failed")


# ---- require_sso ---------------------------------------------------------------------------------

def test_require_sso_is_a_project_setting_admins_change(client, api):
    assert api.get("").json["require_sso"] is False
    changed = api.patch("", {"require_sso": True})
    assert changed.status_code == 200 and changed.json["require_sso"] is True
    assert api.get("").json["require_sso"] is True
    assert api.patch("", {"name": "Ops"}).json["require_sso"] is True
    refused = api.patch("", {"require_sso": None})
    assert refused.status_code == 400 and refused.json["error"]["details"][0]["field"] == "require_sso"
    assert api.patch("", {"require_sso": "yes"}).status_code == 400
    member = api.as_key(api.key_for(api.add_member("member")["user_id"]))
    assert member.patch("", {"require_sso": False}).status_code == 403
    assert api.patch("", {"require_sso": False}).json["require_sso"] is False


def test_with_require_sso_a_members_email_session_is_refused_and_sso_and_admins_pass(client, api, mock_issuer):
    member = account_in(api.project_id, "ada@example.com")
    admin = account_in(api.project_id, "root@example.com", role="admin")
    assert api.patch("", {"require_sso": True}).status_code == 200
    sessions = services().sessions
    _, by_email = sessions.start(member, EMAIL_CODE, None, None)
    _, admin_by_email = sessions.start(admin, EMAIL_CODE, None, None)
    seed_user(mock_issuer, "ada@example.com", email_verified=True)
    by_sso = session_of(through_mock(client, "ada@example.com"))

    def project_as(cookie):
        return client.http.get(f"/v1/ce/projects/{api.project_id}", headers={"Cookie": f"{SESSION_COOKIE}={cookie}"})

    refused = project_as(by_email.value())
    assert refused.status_code == 403 and json.loads(refused.body)["error"]["code"] == "sso_required"
    assert project_as(by_sso).status_code == 200
    assert project_as(admin_by_email.value()).status_code == 200
    assert api.patch("", {"require_sso": False}).status_code == 200
    assert project_as(by_email.value()).status_code == 200
