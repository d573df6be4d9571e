"""The pure rules of OIDC sign-in: provider settings, PKCE, where a browser may be sent back to,
and what an ID token must say (each claim refused on its own)."""
import base64
import hashlib
import json
from urllib.parse import parse_qs, urlsplit

import pytest
from joserfc import jwt
from joserfc.jwk import KeySet, RSAKey

from chalicelib.domain import oidc
from chalicelib.domain.oidc import Provider, ProviderMetadata, ProviderSettingsInvalid, SignInFailed

ISSUER = "https://login.example.com/tenant"
PROVIDER = Provider(id="corp", name="Corp", issuer=ISSUER, client_id="ticketry", client_secret="s3cret")
NOW = 1_800_000_000
KEY = RSAKey.generate_key(2048, parameters={"kid": "k1", "use": "sig", "alg": "RS256"})
KEY_SET = KeySet([KEY]).as_dict(private=False)


def entry(**fields):
    return {"id": "corp", "name": "Corp", "issuer": ISSUER, "client_id": "ticketry", "client_secret": "x"} | fields


def settings(*entries) -> str:
    return json.dumps(list(entries))


def test_providers_are_read_from_the_setting():
    arn = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:okta-AbCdEf"
    corp, okta = oidc.parse_providers(settings(entry(), entry(id="okta", name=" Okta ", client_secret=None,
                                                              client_secret_arn=arn)))
    assert corp == PROVIDER.__class__(id="corp", name="Corp", issuer=ISSUER, client_id="ticketry", client_secret="x")
    assert (okta.name, okta.client_secret, okta.client_secret_arn) == ("Okta", None, arn)
    assert oidc.parse_providers("[]") == ()
    assert "client_secret" not in repr(corp)  # no secret in a log line


@pytest.mark.parametrize("text, message", [
    ("{", "not valid JSON"),
    ('{"id": "corp"}', "must be a JSON list"),
    (settings("corp"), "OIDC_PROVIDERS[0] must be an object"),
    (settings(entry(colour="red")), "unknown fields: colour"),
    (settings(entry(issuer="")), "OIDC_PROVIDERS[0].issuer must be a non-empty string"),
    (settings(entry(client_id=None)), "OIDC_PROVIDERS[0].client_id must be a non-empty string"),
    (settings(entry(id="Corp Login")), "OIDC_PROVIDERS[0].id must be"),
    (settings(entry(), entry()), "OIDC_PROVIDERS[1].id 'corp' is used twice"),
    (settings(entry(issuer="http://login.example.com")), "OIDC_PROVIDERS[0].issuer must be an https URL"),
    (settings(entry(issuer="https://login.example.com/?tenant=1")), "without query"),
    (settings(entry(client_secret=None)), "exactly one of client_secret and client_secret_arn"),
    (settings(entry(client_secret_arn="arn:aws:secretsmanager:x")), "exactly one of"),
    (settings(entry(client_secret=None, client_secret_arn="okta-secret")), "must be a Secrets Manager secret's ARN"),
])
def test_settings_that_cannot_work_are_refused_naming_the_entry_and_field(text, message):
    with pytest.raises(ProviderSettingsInvalid, match=message.replace("[", r"\[").replace("]", r"\]")):
        oidc.parse_providers(text)


def test_plain_http_is_accepted_only_for_a_provider_on_this_machine():
    (local,) = oidc.parse_providers(settings(entry(issuer="http://localhost:9400")))
    assert local.issuer == "http://localhost:9400"


def test_the_code_challenge_is_s256_of_the_verifier():
    # RFC 7636, appendix B
    assert oidc.code_challenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk") == "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"


def test_a_start_asks_for_a_code_with_state_nonce_and_pkce():
    metadata = ProviderMetadata(issuer=ISSUER, authorization_endpoint="https://login.example.com/authorize?tenant=7",
                                token_endpoint="https://login.example.com/token", jwks_uri="https://login.example.com/keys")
    started = oidc.start(PROVIDER, metadata, "https://app.example.com/v1/ce/sign-in/oidc/corp/callback")
    url = urlsplit(started.authorization_url)
    query = {name: values[0] for name, values in parse_qs(url.query).items()}
    assert (url.netloc, url.path) == ("login.example.com", "/authorize")
    assert query == {"tenant": "7", "response_type": "code", "client_id": "ticketry", "scope": "openid email profile",
                     "redirect_uri": "https://app.example.com/v1/ce/sign-in/oidc/corp/callback",
                     "state": started.state, "nonce": started.nonce, "code_challenge_method": "S256",
                     "code_challenge": oidc.code_challenge(started.code_verifier)}
    assert 43 <= len(started.code_verifier) <= 128
    again = oidc.start(PROVIDER, metadata, "https://app.example.com/cb")
    assert {again.state, again.nonce, again.code_verifier} & {started.state, started.nonce, started.code_verifier} == set()


@pytest.mark.parametrize("asked, kept", [
    (None, "/"), ("", "/"), ("/", "/"), ("/projects/abc?view=open#top", "/projects/abc?view=open#top"),
    ("https://evil.example.com/", "/"), ("//evil.example.com/", "/"), ("/\\evil.example.com", "/"),
    ("evil.example.com", "/"), ("javascript:alert(1)", "/"), ("/\x00x", "/"), ("/a\nLocation: x", "/"),
    ("/" + "a" * 3000, "/"),
])
def test_only_a_path_of_this_app_is_a_place_to_return_to(asked, kept):
    assert oidc.safe_return_to(asked) == kept


def test_the_discovery_document_must_be_the_issuers_own():
    document = {"issuer": ISSUER, "authorization_endpoint": ISSUER + "/authorize", "token_endpoint": ISSUER + "/token",
                "jwks_uri": ISSUER + "/keys", "token_endpoint_auth_methods_supported": ["client_secret_post"]}
    metadata = ProviderMetadata.from_discovery(PROVIDER, document)
    assert metadata.token_auth_method == "client_secret_post"
    assert ProviderMetadata.from_discovery(PROVIDER, document | {"token_endpoint_auth_methods_supported": [
        "client_secret_post", "client_secret_basic"]}).token_auth_method == "client_secret_basic"
    with pytest.raises(SignInFailed, match="names issuer"):
        ProviderMetadata.from_discovery(PROVIDER, document | {"issuer": "https://evil.example.com"})
    with pytest.raises(SignInFailed, match="token_endpoint"):
        ProviderMetadata.from_discovery(PROVIDER, document | {"token_endpoint": "http://login.example.com/token"})


# ---- the ID token ------------------------------------------------------------------------------

def claims(**changes):
    base = {"iss": ISSUER, "aud": "ticketry", "sub": "u-1", "iat": NOW - 5, "exp": NOW + 300, "nonce": "n-1",
            "email": "ada@example.com", "email_verified": True, "name": "Ada"}
    return {name: value for name, value in (base | changes).items() if value is not None}


def token(payload, key=KEY, header=None):
    return jwt.encode(header or {"alg": "RS256", "kid": key.kid}, payload, key)


def verify(raw, now=NOW, key_set=None):
    return oidc.verify_id_token(raw, key_set or KEY_SET, PROVIDER, "n-1", now)


def test_a_good_token_names_who_signed_in():
    identity = verify(token(claims()))
    assert identity == oidc.Identity(subject="u-1", email="ada@example.com", email_verified=True, name="Ada")
    assert verify(token(claims(email_verified="true"))).email_verified
    assert not verify(token(claims(email_verified=None))).email_verified
    assert not verify(token(claims(email_verified="false"))).email_verified
    assert verify(token(claims(aud=["ticketry", "other"], azp="ticketry"))).subject == "u-1"


@pytest.mark.parametrize("changes, reason", [
    ({"iss": "https://evil.example.com"}, "issued by"),
    ({"aud": "someone-else"}, "meant for"),
    ({"aud": ["someone-else", "other"]}, "meant for"),
    ({"aud": ["ticketry", "other"]}, "azp"),
    ({"aud": ["ticketry", "other"], "azp": "other"}, "azp"),
    ({"azp": "other"}, "azp"),
    ({"exp": NOW - oidc.CLOCK_LEEWAY_SECONDS - 1}, "expired"),
    ({"iat": NOW + oidc.CLOCK_LEEWAY_SECONDS + 1}, "in the future"),
    ({"exp": None}, "no exp"),
    ({"iat": None}, "no iat"),
    ({"nonce": "n-2"}, "nonce"),
    ({"nonce": None}, "nonce"),
    ({"sub": None}, "subject"),
])
def test_a_token_is_refused_for_each_claim_that_is_wrong(changes, reason):
    with pytest.raises(SignInFailed, match=reason) as refused:
        verify(token(claims(**changes)))
    assert refused.value.code == oidc.OIDC_FAILED


def test_small_clock_differences_are_allowed():
    verify(token(claims(exp=NOW - 30, iat=NOW + 30)))


def test_the_signature_must_be_by_a_key_of_the_providers_set():
    other = RSAKey.generate_key(2048, parameters={"kid": "k1", "alg": "RS256"})
    with pytest.raises(SignInFailed, match="signature"):
        verify(token(claims(), key=other))
    payload = base64.urlsafe_b64encode(json.dumps(claims()).encode()).rstrip(b"=").decode()
    unsigned = base64.urlsafe_b64encode(b'{"alg":"none","kid":"k1"}').rstrip(b"=").decode() + "." + payload + "."
    with pytest.raises(SignInFailed, match="signature"):
        verify(unsigned)
    with pytest.raises(SignInFailed, match="not a JWT"):
        verify("garbage")


def test_a_symmetric_signature_keyed_by_anything_is_refused():
    from joserfc.jwk import OctKey

    secret = OctKey.import_key(hashlib.sha256(b"s3cret").digest(), parameters={"kid": "k1"})
    with pytest.raises(SignInFailed):
        oidc.verify_id_token(token(claims(), key=secret, header={"alg": "HS256", "kid": "k1"}),
                             KeySet([secret]).as_dict(private=False), PROVIDER, "n-1", NOW)


def test_a_key_the_set_lacks_is_told_apart_so_the_set_is_fetched_again():
    rotated = RSAKey.generate_key(2048, parameters={"kid": "k2", "alg": "RS256"})
    with pytest.raises(oidc.UnknownSigningKey):
        verify(token(claims(), key=rotated))
    assert verify(token(claims(), key=rotated), key_set=KeySet([KEY, rotated]).as_dict(private=False)).subject == "u-1"

