"""Signing in by email, as a use case on the in-memory ports with the real SessionService: the code
and link flows, single use, wrong codes, expiry on an injected clock, the hourly limits, the daily
cap of an address's wrong codes, what an unknown address gets, self sign-up, and operator links."""
import re
from dataclasses import dataclass, field

import pytest

from chalicelib import config
from chalicelib.domain.accounts import EMAIL_CODE, EMAIL_LINK, MAX_WRONG_CODES, ONE_TIME_LINK, Account, keyed_hash
from chalicelib.domain.clock import new_id
from chalicelib.domain.notifications import Email
from chalicelib.errors import (
    CodeExpired,
    LinkExpired,
    NotFound,
    TooManySignInRequests,
    TooManyWrongCodes,
    ValidationFailed,
    WrongCode,
)
from chalicelib.services import registry
from chalicelib.services.sessions import SessionService
from chalicelib.services.sign_in import SignInService, operator_link

START = 1_800_000_000.0  # a whole hour, so that the hourly window's end is START + 3600
IP, UA = "203.0.113.9", "Firefox"


@dataclass
class Outbox:
    sent: list[Email] = field(default_factory=list)

    def send(self, email: Email, reference: str) -> str:
        self.sent.append(email)
        return f"message-{len(self.sent)}"

    def code(self) -> str:
        return re.search(r"code: (\d{6})$", self.sent[-1].subject).group(1)

    def link_token(self) -> str:
        return re.search(r"#link=([A-Za-z0-9_-]+)", self.sent[-1].text).group(1)


@dataclass
class Clock:
    now: float = START

    def __call__(self) -> float:
        return self.now


@dataclass
class World:
    directory: object
    service: SignInService
    outbox: Outbox
    clock: Clock

    def account(self, email: str | None = None) -> Account:
        account = Account(id=new_id(), email=email or f"{new_id()}@example.com", name="Ada",
                          created_at="2027-01-15T08:00:00.000Z")
        self.directory.create_account(account)
        return account


@pytest.fixture
def world() -> World:
    storage = registry.memory_storage()
    clock, outbox = Clock(), Outbox()
    sessions = SessionService(storage.sessions, storage.directory, clock)
    return World(storage.directory, SignInService(storage.directory, sessions, lambda: outbox, clock), outbox, clock)


@pytest.fixture
def self_sign_up(monkeypatch):
    monkeypatch.setenv(config.ALLOW_SELF_SIGN_UP, "1")


def test_the_emailed_code_signs_in_once(world):
    ada = world.account("ada@example.com")
    pending = world.service.request_code("Ada@Example.com", IP)
    assert pending.expires_in == 900 and world.outbox.sent[-1].to == "ada@example.com"
    assert world.outbox.sent[-1].subject == f"Your Ticketry sign-in code: {world.outbox.code()}"
    session, cookie = world.service.finish_with_code(pending.secret, world.outbox.code(), IP, UA)
    assert (session.account_id, session.method, session.ip, session.user_agent) == (ada.id, EMAIL_CODE, IP, UA)
    assert cookie.account_id == ada.id and cookie.session_id == session.id
    assert world.directory.account(ada.id).last_sign_in_at is not None
    with pytest.raises(CodeExpired):
        world.service.finish_with_code(pending.secret, world.outbox.code(), IP, UA)


def test_nothing_but_hashes_of_the_secrets_is_stored(world):
    world.account("ada@example.com")
    pending = world.service.request_code("ada@example.com", IP)
    stored = repr(world.directory.store.challenges) + repr(world.directory.store.links)
    for secret in (pending.secret, world.outbox.code(), world.outbox.link_token()):
        assert secret not in stored


def test_the_code_works_only_with_its_browsers_pending_cookie(world, monkeypatch):
    codes = iter(["111111", "222222"])
    monkeypatch.setattr("chalicelib.services.sign_in.new_code", lambda: next(codes))
    world.account("ada@example.com")
    first = world.service.request_code("ada@example.com", IP)
    other = world.service.request_code("ada@example.com", IP)
    with pytest.raises(CodeExpired):
        world.service.finish_with_code(None, "111111", IP, UA)
    with pytest.raises(WrongCode):
        world.service.finish_with_code(other.secret, "111111", IP, UA)
    assert world.service.finish_with_code(first.secret, "111111", IP, UA)[0].method == EMAIL_CODE


def test_five_wrong_codes_void_the_code_and_then_even_the_right_one_fails(world):
    world.account("ada@example.com")
    pending = world.service.request_code("ada@example.com", IP)
    right = world.outbox.code()
    wrong = f"{(int(right) + 1) % 1_000_000:06d}"
    left = []
    for _ in range(MAX_WRONG_CODES):
        with pytest.raises(WrongCode) as refused:
            world.service.finish_with_code(pending.secret, wrong, IP, UA)
        assert refused.value.details[0].field == "code"
        left.append(refused.value.message)
    assert "4 more tries" in left[0] and "last try" in left[-1]
    with pytest.raises(CodeExpired):
        world.service.finish_with_code(pending.secret, right, IP, UA)


def wrong(code: str) -> str:
    return f"{(int(code) + 1) % 1_000_000:06d}"


def next_utc_day(now: float) -> float:
    return (now // 86400 + 1) * 86400


def test_past_the_days_wrong_codes_no_code_is_checked_even_the_right_one_but_the_link_signs_in(world):
    ada = world.account("ada@example.com")
    assert config.sign_in_wrong_codes_per_address_per_day() == 10
    for _ in range(2):  # ten wrong codes: the day's allowance, each answered as a wrong code
        pending = world.service.request_code("ada@example.com", IP)
        for _ in range(MAX_WRONG_CODES):
            with pytest.raises(WrongCode):
                world.service.finish_with_code(pending.secret, wrong(world.outbox.code()), IP, UA)
    pending = world.service.request_code("ada@example.com", IP)
    code, token = world.outbox.code(), world.outbox.link_token()
    with pytest.raises(TooManyWrongCodes) as refused:
        world.service.finish_with_code(pending.secret, code, IP, UA)  # the eleventh code, and the right one
    assert "link in the email" in refused.value.message and refused.value.status == 400
    with pytest.raises(TooManyWrongCodes):
        world.service.finish_with_code(pending.secret, wrong(code), IP, UA)
    assert world.directory.challenge(keyed_hash(world.service.key(), pending.secret)).wrong_tries == 0  # not counted
    session, _ = world.service.finish_with_link(token, pending.secret, IP, UA)
    assert (session.account_id, session.method) == (ada.id, EMAIL_LINK)


def test_the_cap_holds_all_day_and_the_next_utc_day_codes_work_again(world):
    ada = world.account("ada@example.com")
    pending = world.service.request_code("ada@example.com", IP)
    for _ in range(MAX_WRONG_CODES):
        with pytest.raises(WrongCode):
            world.service.finish_with_code(pending.secret, wrong(world.outbox.code()), IP, UA)
    world.clock.now = START + 3600
    pending = world.service.request_code("ada@example.com", IP)
    for _ in range(MAX_WRONG_CODES):
        with pytest.raises(WrongCode):
            world.service.finish_with_code(pending.secret, wrong(world.outbox.code()), IP, UA)
    world.clock.now = next_utc_day(START) - 600  # the last minutes of the same UTC day
    pending = world.service.request_code("ada@example.com", IP)
    with pytest.raises(TooManyWrongCodes):
        world.service.finish_with_code(pending.secret, world.outbox.code(), IP, UA)
    world.clock.now = next_utc_day(START)
    with pytest.raises(WrongCode):  # the same code, the next day: checked again, and counted
        world.service.finish_with_code(pending.secret, wrong(world.outbox.code()), IP, UA)
    session, _ = world.service.finish_with_code(pending.secret, world.outbox.code(), IP, UA)
    assert (session.account_id, session.method) == (ada.id, EMAIL_CODE)


def test_one_addresss_wrong_codes_do_not_stop_anothers(world, monkeypatch):
    monkeypatch.setenv(config.SIGN_IN_WRONG_CODES_PER_ADDRESS_PER_DAY, "1")
    world.account("ada@example.com")
    grace = world.account("grace@example.com")
    pending = world.service.request_code("ada@example.com", IP)
    with pytest.raises(WrongCode):
        world.service.finish_with_code(pending.secret, wrong(world.outbox.code()), IP, UA)
    with pytest.raises(TooManyWrongCodes):
        world.service.finish_with_code(pending.secret, world.outbox.code(), IP, UA)
    pending = world.service.request_code("grace@example.com", IP)
    assert world.service.finish_with_code(pending.secret, world.outbox.code(), IP, UA)[0].account_id == grace.id


def test_a_code_expires_after_its_time(world):
    world.account("ada@example.com")
    pending = world.service.request_code("ada@example.com", IP)
    world.clock.now = START + 900
    with pytest.raises(CodeExpired):
        world.service.finish_with_code(pending.secret, world.outbox.code(), IP, UA)
    world.clock.now = START + 899
    assert world.service.finish_with_code(pending.secret, world.outbox.code(), IP, UA)[0].method == EMAIL_CODE


def test_the_emailed_link_signs_in_only_in_the_browser_that_asked_and_spends_the_code(world):
    ada = world.account("ada@example.com")
    pending = world.service.request_code("ada@example.com", IP, return_to="/projects/p1/tickets")
    token, code = world.outbox.link_token(), world.outbox.code()
    assert "/sign-in?return_to=/projects/p1/tickets#link=" in world.outbox.sent[-1].text
    another_browser = world.service.request_code("ada@example.com", IP)
    with pytest.raises(LinkExpired):
        world.service.finish_with_link(token, None, IP, UA)
    with pytest.raises(LinkExpired):
        world.service.finish_with_link(token, another_browser.secret, IP, UA)
    session, _ = world.service.finish_with_link(token, pending.secret, IP, UA)
    assert (session.account_id, session.method) == (ada.id, EMAIL_LINK)
    with pytest.raises(LinkExpired):
        world.service.finish_with_link(token, pending.secret, IP, UA)
    with pytest.raises(CodeExpired):
        world.service.finish_with_code(pending.secret, code, IP, UA)


def test_a_link_whose_code_was_used_signs_in_no_more(world):
    world.account("ada@example.com")
    pending = world.service.request_code("ada@example.com", IP)
    world.service.finish_with_code(pending.secret, world.outbox.code(), IP, UA)
    with pytest.raises(LinkExpired):
        world.service.finish_with_link(world.outbox.link_token(), pending.secret, IP, UA)


def test_a_link_expires_with_its_code(world):
    world.account("ada@example.com")
    pending = world.service.request_code("ada@example.com", IP)
    world.clock.now = START + 900
    with pytest.raises(LinkExpired):
        world.service.finish_with_link(world.outbox.link_token(), pending.secret, IP, UA)


def test_an_operator_link_works_once_in_any_browser(world):
    ada = world.account("ada@example.com")
    url = world.service.operator_link("ADA@example.com")
    assert url.startswith(f"{config.public_url()}/sign-in#link=")
    token = url.rpartition("#link=")[2]
    session, _ = world.service.finish_with_link(token, "some-other-pending-secret", IP, UA)
    assert (session.account_id, session.method) == (ada.id, ONE_TIME_LINK)
    with pytest.raises(LinkExpired):
        world.service.finish_with_link(token, None, IP, UA)


def test_an_operator_link_expires_when_asked(world):
    world.account("ada@example.com")
    url = operator_link(world.directory, "ada@example.com", 60, clock=world.clock)
    world.clock.now = START + 60
    with pytest.raises(LinkExpired):
        world.service.finish_with_link(url.rpartition("#link=")[2], None, IP, UA)


def test_an_operator_link_for_an_address_without_an_account_is_refused(world):
    with pytest.raises(NotFound, match="no account has the address nobody@example.com"):
        world.service.operator_link("nobody@example.com")
    with pytest.raises(ValidationFailed):
        world.service.operator_link("nobody@example.com", 0)


def test_an_unknown_address_is_told_so_and_its_code_never_signs_in(world):
    pending = world.service.request_code("nobody@example.com", IP)
    (email,) = world.outbox.sent
    assert email.to == "nobody@example.com" and "no Ticketry account uses it" in email.text
    assert "invite" in email.text and not re.search(r"\d{6}|#link=", email.text + email.html)
    (challenge,) = world.directory.store.challenges.values()
    (link,) = world.directory.store.links.values()
    # Written all the same, so that the request costs what a known address's does.
    assert challenge.account_id is None and link.account_id is None
    with pytest.raises(WrongCode):
        world.service.finish_with_code(pending.secret, "000000", IP, UA)
    assert world.directory.account_by_email("nobody@example.com") is None


def test_with_self_sign_up_an_unknown_address_gets_a_code_that_makes_its_account(world, self_sign_up):
    pending = world.service.request_code("newcomer@example.com", IP)
    assert world.outbox.sent[-1].subject.startswith("Your Ticketry sign-in code: ")
    session, _ = world.service.finish_with_code(pending.secret, world.outbox.code(), IP, UA)
    account = world.directory.account_by_email("newcomer@example.com")
    assert account is not None and session.account_id == account.id and account.last_sign_in_at is not None


def test_without_self_sign_up_the_right_code_of_an_unknown_address_signs_nobody_in(world, monkeypatch):
    """Even were the stored code guessed: a stand-in code (known to the test) is stored, and refused."""
    monkeypatch.setattr("chalicelib.services.sign_in.new_code", lambda: "123456")
    pending = world.service.request_code("nobody@example.com", IP)
    with pytest.raises(CodeExpired):
        world.service.finish_with_code(pending.secret, "123456", IP, UA)
    assert world.directory.account_by_email("nobody@example.com") is None


def test_known_and_unknown_addresses_make_the_same_calls(world):
    world.account("ada@example.com")
    calls = []

    class Counting:
        def __init__(self, inner):
            self.inner = inner

        def __getattr__(self, name):
            attribute = getattr(self.inner, name)
            if callable(attribute):
                def counted(*args, **kwargs):
                    calls.append(name)
                    return attribute(*args, **kwargs)
                return counted
            return attribute

    world.service.store = Counting(world.directory)
    world.service.request_code("ada@example.com", IP)
    known = list(calls)
    calls.clear()
    world.service.request_code("nobody@example.com", IP)
    assert calls == known == ["count_sign_in_request"] * 3 + ["account_id_by_email", "start_sign_in"]
    assert len(world.outbox.sent) == 2


def test_each_limit_answers_429_with_the_time_left_in_the_hour(world, monkeypatch):
    world.account("ada@example.com")
    for _ in range(config.DEFAULT_SIGN_IN_EMAILS_PER_ADDRESS):
        world.service.request_code("ada@example.com", IP)
    world.clock.now = START + 600.5
    with pytest.raises(TooManySignInRequests) as refused:
        world.service.request_code("ada@example.com", "198.51.100.1")
    assert refused.value.status == 429 and refused.value.retry_after == 3000
    world.service.request_code("bob@example.com", IP)  # another address from the same source is fine

    monkeypatch.setenv(config.SIGN_IN_EMAILS_PER_SOURCE, "6")
    with pytest.raises(TooManySignInRequests):
        world.service.request_code("carol@example.com", IP)  # the source's 7th this hour
    monkeypatch.setenv(config.SIGN_IN_EMAILS_OVERALL, "6")
    with pytest.raises(TooManySignInRequests):
        world.service.request_code("dan@example.com", "198.51.100.2")

    world.clock.now = START + 3600  # the next hour
    world.service.request_code("ada@example.com", IP)
    assert len(world.outbox.sent) == 7


def test_a_source_over_its_limit_spends_no_one_elses_emails(world, monkeypatch):
    monkeypatch.setenv(config.SIGN_IN_EMAILS_PER_SOURCE, "1")
    world.service.request_code("ada@example.com", IP)
    for _ in range(10):
        with pytest.raises(TooManySignInRequests):
            world.service.request_code("ada@example.com", IP)
    assert world.directory.store.sign_in_rates[("email:ada@example.com", int(START))] == 1
    assert world.directory.store.sign_in_rates[("all", int(START))] == 1
