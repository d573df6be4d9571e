"""Signing in by email: a code (and a link bound to the browser that asked) sent to an address,
finished by the code or the link, and one-time links an operator hands out.

Asking for a code answers the same, makes the same storage calls and sends one email whether an
account has the address or not (domain.sign_in). Codes, links and the pending cookie's secret are
stored only as hashes keyed by the deployment's sign-in secret.
"""
import logging
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Callable, Protocol

from chalicelib import config
from chalicelib.adapters.mailer import MailRejected
from chalicelib.domain import sign_in
from chalicelib.domain.accounts import (
    EMAIL_CODE,
    EMAIL_LINK,
    MAX_WRONG_CODES,
    ONE_TIME_LINK,
    Account,
    Challenge,
    OneTimeLink,
    SessionCookie,
    StoredSession,
    hashes_match,
    keyed_hash,
    new_code,
    new_token,
)
from chalicelib.domain.clock import iso, new_id
from chalicelib.domain.people import normalise_email
from chalicelib.errors import (
    CodeExpired,
    Conflict,
    FieldError,
    LinkExpired,
    NotFound,
    TooManySignInRequests,
    ValidationFailed,
    WrongCode,
)
from chalicelib.services import ports
from chalicelib.services.mail import Mail

log = logging.getLogger(__name__)
# What an operator's link is valid for unless they say, and at most.
DEFAULT_OPERATOR_LINK_SECONDS = 24 * 3600
MAX_OPERATOR_LINK_SECONDS = 7 * 24 * 3600
OUTBOX_REFERENCE = "sign-in"


class SessionStarter(Protocol):
    def start(self, account: Account, method: str, ip: str | None,
              user_agent: str | None) -> tuple[StoredSession, SessionCookie]: ...


class SignInStore(ports.SignInChallenges, ports.SignInRates, ports.Accounts, Protocol):
    """What signing in reads and writes: its own items, and the accounts they sign in."""


@dataclass(frozen=True)
class PendingSignIn:
    """What the browser that asked keeps (in the pending cookie) to finish with the code or link."""
    secret: str
    expires_in: int


class SignInService:
    def __init__(self, store: SignInStore, sessions: SessionStarter, mailer: Callable[[], Mail],
                 clock: Callable[[], float] = time.time, key: Callable[[], bytes] = config.sign_in_secret):
        self.store = store
        self.sessions = sessions
        self.mailer = mailer
        self.clock = clock
        self.key = key

    def request_code(self, email: str, ip: str | None, return_to: str | None = None) -> PendingSignIn:
        """Counts the request against its limits, then writes a code and its link (one transaction)
        and emails them: to an address no account has (unless people may sign up by themselves),
        the email says so instead, and the stored code is one nobody was sent."""
        email = normalise_email(email)
        now = self.clock()
        self._count(email, ip, now)
        # The account's id only, not the account: one read, known address or not.
        account_id = self.store.account_id_by_email(email)
        key, ttl = self.key(), config.sign_in_code_ttl_seconds()
        pending, code, token = new_token(), new_code(), new_token()
        expires_at = int(now) + ttl
        challenge = Challenge(pending_hash=keyed_hash(key, pending), email=email, account_id=account_id,
                              code_hash=keyed_hash(key, code), wrong_tries=0, created_at=_iso(now),
                              expires_at=expires_at)
        self.store.start_sign_in(challenge, OneTimeLink(token_hash=keyed_hash(key, token), email=email,
                                                        account_id=account_id, expires_at=expires_at,
                                                        pending_hash=challenge.pending_hash))
        public_url = config.public_url()
        if account_id is not None or config.allow_self_sign_up():
            message = sign_in.code_email(email, code, sign_in.link_url(public_url, token,
                                                                       sign_in.safe_return_to(return_to)), ttl // 60)
        else:
            message = sign_in.no_account_email(email, public_url)
        try:
            self.mailer().send(message, OUTBOX_REFERENCE)
        except MailRejected as error:
            # The same for an address with an account or without: the same call was refused.
            log.warning("the sign-in email was refused: %s", error)
            raise Conflict(f"the mail service refuses to send email to {email}",
                           [FieldError("email", "refused by the mail service")]) from None
        return PendingSignIn(pending, ttl)

    def finish_with_code(self, pending_secret: str | None, code: str, ip: str | None,
                         user_agent: str | None) -> tuple[StoredSession, SessionCookie]:
        """The right code, in the browser that asked, within its time and tries, signs in once. A
        wrong one is counted, on the code (the last allowed wrong try voids it) and on its address's
        wrong codes of the UTC day. Once the address has had its day's, no code for it is checked,
        right or not (TooManyWrongCodes): guessing gets no further, while the emailed link, which
        nobody can guess, still signs its owner in.

        One read (the challenge, which names the address whose count applies) and one transaction
        that writes the challenge and checks or adds to the count: the same calls for a right code
        and a wrong one, and for an address an account has or not."""
        if not pending_secret:
            raise CodeExpired()
        key, now = self.key(), self.clock()
        pending_hash = keyed_hash(key, pending_secret)
        challenge = self.store.challenge(pending_hash)
        if challenge is None or challenge.expires_at <= now or challenge.wrong_tries >= MAX_WRONG_CODES:
            raise CodeExpired()
        cap = sign_in.wrong_code_cap(challenge.email, now, config.sign_in_wrong_codes_per_address_per_day())
        if not hashes_match(challenge.code_hash, keyed_hash(key, code)):
            if not self.store.count_wrong_code(pending_hash, cap):
                raise CodeExpired()
            raise WrongCode(max(0, MAX_WRONG_CODES - challenge.wrong_tries - 1))
        if not self.store.use_challenge(pending_hash, challenge.code_hash, int(now), cap):
            raise CodeExpired()
        account = self._account(challenge.account_id, challenge.email, now)
        if account is None:
            raise CodeExpired()
        return self.sessions.start(account, EMAIL_CODE, ip, user_agent)

    def finish_with_link(self, token: str, pending_secret: str | None, ip: str | None,
                         user_agent: str | None) -> tuple[StoredSession, SessionCookie]:
        """A link signs in once: an emailed one only in the browser that asked (its pending
        cookie), and spending its code with it; an operator's in any browser."""
        key, now = self.key(), self.clock()
        pending_hash = keyed_hash(key, pending_secret) if pending_secret else None
        link = self.store.use_link(keyed_hash(key, token), pending_hash, int(now))
        if link is None:
            raise LinkExpired()
        account = self._account(link.account_id, link.email, now)
        if account is None:
            raise LinkExpired()
        return self.sessions.start(account, EMAIL_LINK if link.pending_hash else ONE_TIME_LINK, ip, user_agent)

    def operator_link(self, email: str, expires_in: int | None = None) -> str:
        return operator_link(self.store, email, expires_in, clock=self.clock, key=self.key)

    def _count(self, email: str, ip: str | None, now: float) -> None:
        window = sign_in.window_at(now)
        for limit in sign_in.limits(email, ip, config.sign_in_emails_per_address(), config.sign_in_emails_per_source(),
                                    config.sign_in_emails_overall()):
            if self.store.count_sign_in_request(limit.subject, window) > limit.allowed:
                raise TooManySignInRequests(sign_in.seconds_left(window, now))

    def _account(self, account_id: str | None, email: str, now: float) -> Account | None:
        """The account a code or link signs in; for an address no account had, a new one when
        people may sign up by themselves (else None: it signs nobody in)."""
        if account_id is not None:
            return self.store.account(account_id)
        if not config.allow_self_sign_up():
            return None
        account = Account(id=new_id(), email=email, name=email.split("@", 1)[0], created_at=_iso(now))
        try:
            self.store.create_account(account)
        except Conflict:
            return self.store.account_by_email(email)  # made meanwhile, by an invitation or another sign-in
        return account


class OperatorLinks(ports.SignInChallenges, ports.Accounts, Protocol):
    """What handing out an operator's link reads and writes."""


def operator_link(store: OperatorLinks, email: str, expires_in: int | None = None, *,
                  clock: Callable[[], float] = time.time, key: Callable[[], bytes] = config.sign_in_secret) -> str:
    """A one-time link that signs the account with this address in, in any browser, within
    `expires_in` seconds (a day by default): what an operator hands a person, and the local stack
    its demo admin. NotFound when no account has the address."""
    seconds = DEFAULT_OPERATOR_LINK_SECONDS if expires_in is None else expires_in
    if not 0 < seconds <= MAX_OPERATOR_LINK_SECONDS:
        raise ValidationFailed.on("expires_in", f"must be between 1 and {MAX_OPERATOR_LINK_SECONDS} seconds")
    email = normalise_email(email)
    account = store.account_by_email(email)
    if account is None:
        raise NotFound(f"no account has the address {email}; add it to a project as a member first")
    token = new_token()
    store.add_link(OneTimeLink(token_hash=keyed_hash(key(), token), email=email, account_id=account.id,
                               expires_at=int(clock()) + seconds))
    return sign_in.link_url(config.public_url(), token)


def _iso(epoch: float) -> str:
    return iso(datetime.fromtimestamp(epoch, timezone.utc))
