"""Signing in through an OIDC provider: start (keep the sign-in's secrets, send the browser to the
provider) and finish (take the state once, trade the code for tokens, verify the ID token, find
the account by its verified email, start a session). Every failure is a SignInFailed whose code the
sign-in page shows; nothing is signed in unless every check passed."""
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Callable, Protocol

from chalicelib.domain import oidc
from chalicelib.domain.accounts import OIDC_METHOD_PREFIX, Account, OidcState, SessionCookie, StoredSession, keyed_hash
from chalicelib.domain.clock import iso, new_id
from chalicelib.domain.oidc import (
    EMAIL_NOT_VERIFIED,
    NO_ACCOUNT,
    OIDC_FAILED,
    UNKNOWN_PROVIDER,
    Provider,
    ProviderMetadata,
    SignInFailed,
    UnknownSigningKey,
)
from chalicelib.domain.people import normalise_email
from chalicelib.errors import Conflict
from chalicelib.services import ports

CALLBACK_PATH = "/v1/ce/sign-in/oidc/{provider_id}/callback"
START_PATH = "/v1/ce/sign-in/oidc/{provider_id}/start"


class ProviderClient(Protocol):
    """The provider's HTTP endpoints (adapters/oidc_client.py)."""

    def metadata(self, provider: Provider) -> ProviderMetadata: ...

    def key_set(self, metadata: ProviderMetadata, refresh: bool = False) -> dict: ...

    def exchange_code(self, provider: Provider, metadata: ProviderMetadata, code: str, code_verifier: str,
                      redirect_uri: str, client_secret: str) -> dict: ...


class SecretReader(Protocol):
    def secret_for(self, provider: Provider) -> str: ...


class SessionStarter(Protocol):
    def start(self, account: Account, method: str, ip: str | None,
              user_agent: str | None) -> tuple[StoredSession, SessionCookie]: ...


class SignInAccounts(Protocol):
    def account_by_email(self, email: str) -> Account | None: ...

    def create_account(self, account: Account) -> None: ...


@dataclass(frozen=True)
class SignedIn:
    account: Account
    session: StoredSession
    cookie: SessionCookie
    return_to: str


class OidcSignIn:
    def __init__(self, providers: Callable[[], tuple[Provider, ...]], client: ProviderClient, secrets: SecretReader,
                 states: ports.OidcStates, accounts: SignInAccounts, sessions: SessionStarter, *,
                 secret_key: Callable[[], bytes], public_url: str, self_sign_up: bool,
                 clock: Callable[[], float] = time.time):
        """`providers` and `secret_key` are read at first use: a process that signs nobody in (a
        stream handler, a command) needs neither, and a setting that cannot be used fails the
        sign-in routes only, naming what is wrong."""
        self._read_providers = providers
        self._providers: dict[str, Provider] | None = None
        self.client = client
        self.secrets = secrets
        self.states = states
        self.accounts = accounts
        self.sessions = sessions
        self.secret_key = secret_key
        self.public_url = public_url.rstrip("/")
        self.self_sign_up = self_sign_up
        self.clock = clock

    def providers(self) -> list[Provider]:
        return list(self._by_id().values())

    def _by_id(self) -> dict[str, Provider]:
        if self._providers is None:
            self._providers = {provider.id: provider for provider in self._read_providers()}
        return self._providers

    def start_url(self, provider: Provider) -> str:
        return self.public_url + START_PATH.format(provider_id=provider.id)

    def redirect_uri(self, provider: Provider) -> str:
        """What each provider must have registered for this client, exactly."""
        return self.public_url + CALLBACK_PATH.format(provider_id=provider.id)

    def provider(self, provider_id: str) -> Provider:
        provider = self._by_id().get(provider_id)
        if provider is None:
            raise SignInFailed(UNKNOWN_PROVIDER, f"no provider {provider_id!r}")
        return provider

    def start(self, provider_id: str, return_to: str | None) -> oidc.Started:
        provider = self.provider(provider_id)
        started = oidc.start(provider, self.client.metadata(provider), self.redirect_uri(provider))
        self.states.save_oidc_state(OidcState(
            state_hash=keyed_hash(self.secret_key(), started.state), provider_id=provider.id, nonce=started.nonce,
            code_verifier=started.code_verifier, return_to=oidc.safe_return_to(return_to),
            expires_at=int(self.clock()) + oidc.STATE_TTL_SECONDS))
        return started

    def finish(self, provider_id: str, *, code: str | None, state: str | None, browser_state: str | None,
               error: str | None, ip: str | None, user_agent: str | None, issuer: str | None = None) -> SignedIn:
        """`issuer` is the callback's `iss` (RFC 9207): a provider that sends it says who answered,
        so that a response from another provider of this deployment is not taken for its own."""
        provider = self.provider(provider_id)
        if not oidc.states_match(state, browser_state):
            # A state this browser was not given: another browser's sign-in (a login CSRF), or none.
            raise SignInFailed(OIDC_FAILED, "the state is not the one this browser started with")
        pending = self.states.take_oidc_state(keyed_hash(self.secret_key(), state), int(self.clock()))
        if pending is None:
            raise SignInFailed(OIDC_FAILED, "the state is unknown, expired or used")
        if pending.provider_id != provider.id:
            raise SignInFailed(OIDC_FAILED, f"the state belongs to provider {pending.provider_id!r}")
        if issuer is not None and issuer != provider.issuer:
            raise SignInFailed(OIDC_FAILED, f"the answer comes from issuer {issuer!r}")
        if error or not code:
            raise SignInFailed(OIDC_FAILED, f"the provider answered {error!r}" if error else "no code came back")
        identity = self._identity(provider, pending, code)
        if not identity.email or not identity.email_verified:
            raise SignInFailed(EMAIL_NOT_VERIFIED, "the provider does not say the address is verified")
        account = self._account(normalise_email(identity.email), identity.name)
        session, cookie = self.sessions.start(account, OIDC_METHOD_PREFIX + provider.id, ip, user_agent)
        return SignedIn(account=account, session=session, cookie=cookie, return_to=pending.return_to)

    def _identity(self, provider: Provider, pending: OidcState, code: str) -> oidc.Identity:
        metadata = self.client.metadata(provider)
        tokens = self.client.exchange_code(provider, metadata, code, pending.code_verifier,
                                           self.redirect_uri(provider), self.secrets.secret_for(provider))
        id_token = tokens.get("id_token")
        if not isinstance(id_token, str):
            raise SignInFailed(OIDC_FAILED, "the token endpoint gave no ID token")
        try:
            return oidc.verify_id_token(id_token, self.client.key_set(metadata), provider, pending.nonce, self.clock())
        except UnknownSigningKey:
            return oidc.verify_id_token(id_token, self.client.key_set(metadata, refresh=True), provider,
                                        pending.nonce, self.clock())

    def _account(self, email: str, name: str | None) -> Account:
        account = self.accounts.account_by_email(email)
        if account is not None:
            return account
        if not self.self_sign_up:
            raise SignInFailed(NO_ACCOUNT, "no account has the address")
        try:
            account = Account(id=new_id(), email=email, name=(name or "").strip()[:128] or email.split("@")[0],
                              created_at=iso(datetime.fromtimestamp(self.clock(), timezone.utc)))
            self.accounts.create_account(account)
            return account
        except Conflict:
            # Made by a sign-in of the same address a moment ago.
            existing = self.accounts.account_by_email(email)
            if existing is None:
                raise
            return existing

