"""Single sign-on through OpenID Connect: the providers a deployment trusts, the secrets of one
sign-in (state, nonce, PKCE verifier), where a browser may be sent back to, and what an ID token
must say before it signs anyone in.

Only the authorization code flow with PKCE (S256) is spoken. The state is stored only as a keyed
hash and used once; the nonce binds the ID token to the sign-in that asked for it.
"""
import base64
import hashlib
import hmac
import json
import re
import secrets
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from chalicelib.domain import sign_in

SCOPE = "openid email profile"
STATE_TTL_SECONDS = 600
# Clocks of the provider and of Lambda differ a little; a token is judged with this much slack.
CLOCK_LEEWAY_SECONDS = 60
PROVIDER_ID_PATTERN = re.compile(r"[a-z0-9][a-z0-9_-]{0,31}")
# Asymmetric signatures only: a symmetric one (HS256) would be keyed by the client secret, and "none"
# by nothing.
SIGNING_ALGORITHMS = ("RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA")

# Why a sign-in failed, as the sign-in page is told (`/sign-in?error=<code>`).
OIDC_FAILED = "oidc_failed"
EMAIL_NOT_VERIFIED = "email_not_verified"
NO_ACCOUNT = "no_account"
UNKNOWN_PROVIDER = "unknown_provider"

_PROVIDER_FIELDS = {"id", "name", "issuer", "client_id", "client_secret", "client_secret_arn"}
_LOOPBACK_HOSTS = {"localhost", "127.0.0.1", "::1"}


class SignInFailed(Exception):
    """A sign-in that ends on the sign-in page with `code`; `reason` is for the log only."""

    def __init__(self, code: str, reason: str):
        super().__init__(f"{code}: {reason}")
        self.code = code
        self.reason = reason


class UnknownSigningKey(SignInFailed):
    """The token names a key the provider's key set (as last fetched) lacks: keys rotate, so the set
    is fetched again once before the token is refused."""

    def __init__(self, kid: str | None):
        super().__init__(OIDC_FAILED, f"no key {kid!r} in the provider's key set")


class ProviderSettingsInvalid(ValueError):
    """OIDC_PROVIDERS cannot be used; the message names the entry and the field."""


@dataclass(frozen=True)
class Provider:
    id: str
    name: str
    issuer: str
    client_id: str
    client_secret: str | None = None       # inline: local and test set-ups
    client_secret_arn: str | None = None   # in Secrets Manager: deployed stages

    def __repr__(self) -> str:  # never the secret in a log line
        return f"Provider(id={self.id!r}, issuer={self.issuer!r}, client_id={self.client_id!r})"


@dataclass(frozen=True)
class ProviderMetadata:
    """What the provider's discovery document says, of what sign-in uses."""
    issuer: str
    authorization_endpoint: str
    token_endpoint: str
    jwks_uri: str
    token_auth_methods: tuple[str, ...] = ("client_secret_basic",)

    @classmethod
    def from_discovery(cls, provider: Provider, document: Any) -> "ProviderMetadata":
        if not isinstance(document, dict):
            raise SignInFailed(OIDC_FAILED, "the discovery document is not a JSON object")
        if document.get("issuer") != provider.issuer:
            # OpenID Connect Discovery 1.0, 4.3: the document must be the issuer's own.
            raise SignInFailed(OIDC_FAILED, f"the discovery document names issuer {document.get('issuer')!r}")
        endpoints = {}
        for name in ("authorization_endpoint", "token_endpoint", "jwks_uri"):
            value = document.get(name)
            if not isinstance(value, str) or not _acceptable_url(value):
                raise SignInFailed(OIDC_FAILED, f"the discovery document's {name} is not an https URL")
            endpoints[name] = value
        methods = document.get("token_endpoint_auth_methods_supported") or ["client_secret_basic"]
        return cls(issuer=provider.issuer, token_auth_methods=tuple(m for m in methods if isinstance(m, str)),
                   **endpoints)

    @property
    def token_auth_method(self) -> str:
        """client_secret_basic (the default of the spec) unless the provider takes only _post."""
        if "client_secret_basic" in self.token_auth_methods or "client_secret_post" not in self.token_auth_methods:
            return "client_secret_basic"
        return "client_secret_post"


@dataclass(frozen=True)
class Identity:
    """Who the provider says signed in, from a verified ID token."""
    subject: str
    email: str | None
    email_verified: bool
    name: str | None


@dataclass(frozen=True)
class Started:
    """A sign-in under way: the secrets kept (the state only as its hash) and where to send the browser."""
    state: str
    nonce: str
    code_verifier: str
    authorization_url: str


# ---- the providers -----------------------------------------------------------------------------

def parse_providers(text: str) -> tuple[Provider, ...]:
    """OIDC_PROVIDERS: `[{"id", "name", "issuer", "client_id", "client_secret" | "client_secret_arn"}]`."""
    try:
        entries = json.loads(text)
    except ValueError as error:
        raise ProviderSettingsInvalid(f"OIDC_PROVIDERS is not valid JSON: {error}") from None
    if not isinstance(entries, list):
        raise ProviderSettingsInvalid("OIDC_PROVIDERS must be a JSON list of providers")
    providers, seen = [], set()
    for index, entry in enumerate(entries):
        where = f"OIDC_PROVIDERS[{index}]"
        if not isinstance(entry, dict):
            raise ProviderSettingsInvalid(f"{where} must be an object")
        unknown = sorted(set(entry) - _PROVIDER_FIELDS)
        if unknown:
            raise ProviderSettingsInvalid(f"{where} has unknown fields: {', '.join(unknown)}")
        for name in ("id", "name", "issuer", "client_id"):
            if not isinstance(entry.get(name), str) or not entry[name].strip():
                raise ProviderSettingsInvalid(f"{where}.{name} must be a non-empty string")
        provider_id = entry["id"]
        if not PROVIDER_ID_PATTERN.fullmatch(provider_id):
            raise ProviderSettingsInvalid(f"{where}.id must be 1-32 lowercase letters, digits, '-' or '_'")
        if provider_id in seen:
            raise ProviderSettingsInvalid(f"{where}.id {provider_id!r} is used twice")
        seen.add(provider_id)
        issuer = entry["issuer"]
        if not _acceptable_url(issuer) or urlsplit(issuer).query or urlsplit(issuer).fragment:
            raise ProviderSettingsInvalid(f"{where}.issuer must be an https URL without query or fragment "
                                          "(http only for localhost)")
        secrets_given = [name for name in ("client_secret", "client_secret_arn") if entry.get(name) is not None]
        if len(secrets_given) != 1:
            raise ProviderSettingsInvalid(f"{where} needs exactly one of client_secret and client_secret_arn")
        secret = entry[secrets_given[0]]
        if not isinstance(secret, str) or not secret:
            raise ProviderSettingsInvalid(f"{where}.{secrets_given[0]} must be a non-empty string")
        if secrets_given[0] == "client_secret_arn" and not secret.startswith("arn:aws:secretsmanager:"):
            raise ProviderSettingsInvalid(f"{where}.client_secret_arn must be a Secrets Manager secret's ARN")
        providers.append(Provider(id=provider_id, name=entry["name"].strip(), issuer=issuer, client_id=entry["client_id"],
                                  **{secrets_given[0]: secret}))
    return tuple(providers)


def discovery_url(issuer: str) -> str:
    return issuer.rstrip("/") + "/.well-known/openid-configuration"


def _acceptable_url(url: str) -> bool:
    parts = urlsplit(url)
    if not parts.hostname:
        return False
    return parts.scheme == "https" or (parts.scheme == "http" and parts.hostname in _LOOPBACK_HOSTS)


# ---- starting a sign-in ------------------------------------------------------------------------

def code_challenge(verifier: str) -> str:
    """PKCE S256 (RFC 7636, 4.2): BASE64URL(SHA256(verifier)), unpadded."""
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def start(provider: Provider, metadata: ProviderMetadata, redirect_uri: str) -> Started:
    state, nonce = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    verifier = secrets.token_urlsafe(48)  # 64 characters: RFC 7636 wants 43 to 128
    params = {"response_type": "code", "client_id": provider.client_id, "redirect_uri": redirect_uri,
              "scope": SCOPE, "state": state, "nonce": nonce, "code_challenge": code_challenge(verifier),
              "code_challenge_method": "S256"}
    parts = urlsplit(metadata.authorization_endpoint)
    # An endpoint may carry parameters of its own (some tenants' do): they are kept.
    query = urlencode(parse_qsl(parts.query) + list(params.items()))
    return Started(state=state, nonce=nonce, code_verifier=verifier,
                   authorization_url=urlunsplit(parts._replace(query=query)))


def safe_return_to(value: str | None) -> str:
    """Where a browser goes after signing in: a path of this app (sign_in.safe_return_to), else `/`."""
    return sign_in.safe_return_to(value) or "/"


def states_match(a: str | None, b: str | None) -> bool:
    return bool(a) and bool(b) and hmac.compare_digest(a.encode(), b.encode())


# ---- the ID token ------------------------------------------------------------------------------

def verify_id_token(token: str, key_set: dict, provider: Provider, nonce: str, now: float) -> Identity:
    """The token's signature by a key of the provider's set, then its claims (OpenID Connect Core
    1.0, 3.1.3.7): issuer, audience (and authorized party), expiry and issue time against `now`,
    and the nonce of this sign-in. Raises UnknownSigningKey when the set lacks the token's key."""
    # Imported here: about 90 ms of a cold start that every other request would pay for.
    from joserfc import jwt
    from joserfc.errors import JoseError
    from joserfc.jwk import KeySet

    try:
        keys = KeySet.import_key_set(key_set)
    except (JoseError, ValueError, TypeError, KeyError) as error:
        raise SignInFailed(OIDC_FAILED, f"the provider's key set cannot be read: {error}") from None
    kid = _header(token).get("kid")
    if kid is not None and not any(key.kid == kid for key in keys.keys):
        raise UnknownSigningKey(kid)
    try:
        claims = jwt.decode(token, keys, algorithms=list(SIGNING_ALGORITHMS)).claims
    except (JoseError, ValueError, TypeError) as error:
        raise SignInFailed(OIDC_FAILED, f"the ID token's signature does not verify: {error!r}") from None
    check_claims(claims, provider, nonce, now)
    email = claims.get("email")
    return Identity(subject=str(claims["sub"]), email=email if isinstance(email, str) and email else None,
                    email_verified=_verified(claims.get("email_verified")),
                    name=claims.get("name") if isinstance(claims.get("name"), str) else None)


def check_claims(claims: dict, provider: Provider, nonce: str, now: float) -> None:
    def fail(reason: str):
        raise SignInFailed(OIDC_FAILED, f"the ID token {reason}")

    if claims.get("iss") != provider.issuer:
        fail(f"was issued by {claims.get('iss')!r}, not {provider.issuer!r}")
    audience = claims.get("aud")
    audiences = [audience] if isinstance(audience, str) else audience
    if not isinstance(audiences, list) or provider.client_id not in audiences:
        fail(f"is meant for {audience!r}, not this client")
    azp = claims.get("azp")
    if (len(audiences) > 1 or azp is not None) and azp != provider.client_id:
        fail(f"was given to {azp!r} (azp), not this client")
    for name in ("exp", "iat"):
        if not isinstance(claims.get(name), (int, float)) or isinstance(claims.get(name), bool):
            fail(f"has no {name}")
    if now > claims["exp"] + CLOCK_LEEWAY_SECONDS:
        fail("has expired")
    if claims["iat"] > now + CLOCK_LEEWAY_SECONDS:
        fail("was issued in the future")
    if not isinstance(claims.get("nonce"), str) or not hmac.compare_digest(claims["nonce"].encode(), nonce.encode()):
        fail("carries another sign-in's nonce")
    if not isinstance(claims.get("sub"), str) or not claims["sub"]:
        fail("names no subject")


def _header(token: str) -> dict:
    try:
        encoded = token.split(".", 1)[0]
        header = json.loads(base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4)))
    except (ValueError, AttributeError):
        raise SignInFailed(OIDC_FAILED, "the ID token is not a JWT") from None
    if not isinstance(header, dict):
        raise SignInFailed(OIDC_FAILED, "the ID token is not a JWT")
    return header


def _verified(value: Any) -> bool:
    """Only a verified address may sign in as the account that has it. Some providers (Cognito's
    older pools) send the claim as the string "true"."""
    return value is True or value == "true"
