"""The storage contract of signing in by email, held by moto, DynamoDB Local and memory alike: a code
and its link are written together, each is used once, a wrong code is counted and five void the
code, expiry is checked on use (TTL deletes late), a bound link needs its browser and spends its
code, the hourly counts add up per subject and window, and an address's wrong codes are counted per
UTC day, past whose cap no code of the address is used or counted while its link still works."""
import pytest

from chalicelib.domain import sign_in
from chalicelib.domain.accounts import MAX_WRONG_CODES, Challenge, OneTimeLink
from chalicelib.domain.clock import new_id
from chalicelib.errors import Conflict, TooManyWrongCodes

NOW = 1_800_000_000
LATER = NOW + 900


def challenge_and_link(account_id: str | None = "acc1", expires_at: int = LATER,
                       email: str = "ada@example.com") -> tuple[Challenge, OneTimeLink]:
    pending = new_id()
    challenge = Challenge(pending_hash=pending, email=email, account_id=account_id,
                          code_hash="code-hash", wrong_tries=0, created_at="2027-01-15T08:00:00.000Z",
                          expires_at=expires_at)
    return challenge, OneTimeLink(token_hash=new_id(), email=email, account_id=account_id,
                                  expires_at=expires_at, pending_hash=pending)


def roomy_cap() -> sign_in.WrongCodeCap:
    """A cap of a fresh address that the test does not reach."""
    return sign_in.wrong_code_cap(f"{new_id()}@example.com", NOW, 100)


def unbound_link(expires_at: int = LATER) -> OneTimeLink:
    return OneTimeLink(token_hash=new_id(), email="ada@example.com", account_id="acc1", expires_at=expires_at)


def test_a_code_and_its_link_are_written_together_and_read_back(directory):
    challenge, link = challenge_and_link()
    directory.start_sign_in(challenge, link)
    assert directory.challenge(challenge.pending_hash) == challenge
    unknown, unknown_link = challenge_and_link(account_id=None)
    directory.start_sign_in(unknown, unknown_link)
    assert directory.challenge(unknown.pending_hash) == unknown
    assert directory.challenge("no-such-hash") is None


def test_a_sign_in_whose_link_exists_writes_neither(directory):
    challenge, link = challenge_and_link()
    directory.start_sign_in(challenge, link)
    again, _ = challenge_and_link()
    with pytest.raises(Conflict):
        directory.start_sign_in(again, link)
    assert directory.challenge(again.pending_hash) is None


def test_a_code_is_used_once_and_returns_what_it_held(directory):
    challenge, link = challenge_and_link()
    directory.start_sign_in(challenge, link)
    cap = roomy_cap()
    assert directory.use_challenge(challenge.pending_hash, "another-hash", NOW, cap) is False
    assert directory.use_challenge(challenge.pending_hash, challenge.code_hash, NOW, cap) is True
    assert directory.use_challenge(challenge.pending_hash, challenge.code_hash, NOW, cap) is False
    assert directory.challenge(challenge.pending_hash) is None


def test_an_expired_code_is_refused_though_ttl_has_not_removed_it(directory):
    challenge, link = challenge_and_link()
    directory.start_sign_in(challenge, link)
    assert directory.use_challenge(challenge.pending_hash, challenge.code_hash, LATER, roomy_cap()) is False
    assert directory.challenge(challenge.pending_hash) == challenge


def test_wrong_codes_are_counted_and_the_limit_voids_even_the_right_one(directory):
    challenge, link = challenge_and_link()
    directory.start_sign_in(challenge, link)
    cap = roomy_cap()
    assert [directory.count_wrong_code(challenge.pending_hash, cap) for _ in range(MAX_WRONG_CODES)] == [True] * 5
    assert directory.challenge(challenge.pending_hash).wrong_tries == MAX_WRONG_CODES
    assert directory.count_wrong_code(challenge.pending_hash, cap) is False
    assert directory.challenge(challenge.pending_hash).wrong_tries == MAX_WRONG_CODES
    assert directory.use_challenge(challenge.pending_hash, challenge.code_hash, NOW, cap) is False
    assert directory.count_wrong_code("no-such-hash", cap) is False
    assert directory.challenge("no-such-hash") is None  # counting made nothing


def test_an_unbound_link_is_used_once_in_any_browser(directory):
    link = unbound_link()
    directory.add_link(link)
    with pytest.raises(Conflict):
        directory.add_link(link)
    assert directory.use_link(link.token_hash, "some-browsers-pending-hash", NOW) == link
    assert directory.use_link(link.token_hash, None, NOW) is None


def test_an_expired_link_is_refused(directory):
    link = unbound_link(expires_at=NOW)
    directory.add_link(link)
    assert directory.use_link(link.token_hash, None, NOW) is None
    assert directory.use_link(link.token_hash, None, NOW - 1) == link


def test_a_bound_link_works_only_in_its_browser_and_spends_its_code(directory):
    challenge, link = challenge_and_link()
    directory.start_sign_in(challenge, link)
    other, other_link = challenge_and_link()
    directory.start_sign_in(other, other_link)
    assert directory.use_link(link.token_hash, None, NOW) is None
    assert directory.use_link(link.token_hash, other.pending_hash, NOW) is None
    assert directory.use_link(link.token_hash, challenge.pending_hash, LATER) is None
    assert directory.use_link(link.token_hash, challenge.pending_hash, NOW) == link
    assert directory.use_link(link.token_hash, challenge.pending_hash, NOW) is None
    assert directory.challenge(challenge.pending_hash) is None  # the code went with it
    assert directory.challenge(other.pending_hash) == other


def test_a_bound_link_whose_code_was_used_is_spent_too(directory):
    challenge, link = challenge_and_link()
    directory.start_sign_in(challenge, link)
    assert directory.use_challenge(challenge.pending_hash, challenge.code_hash, NOW, roomy_cap()) is True
    assert directory.use_link(link.token_hash, challenge.pending_hash, NOW) is None


def test_sign_in_requests_are_counted_per_subject_and_window(directory):
    window = sign_in.window_at(NOW)
    subject = f"email:{new_id()}@example.com"
    assert [directory.count_sign_in_request(subject, window) for _ in range(3)] == [1, 2, 3]
    assert directory.count_sign_in_request(subject + "x", window) == 1
    next_window = sign_in.window_at(window.end)
    assert next_window.start == window.start + sign_in.WINDOW_SECONDS
    assert directory.count_sign_in_request(subject, next_window) == 1


def test_past_its_daily_cap_an_addresss_codes_are_neither_used_nor_counted_but_its_link_works(directory):
    email = f"{new_id()}@example.com"
    signing_in = [challenge_and_link(email=email) for _ in range(3)]
    for challenge, link in signing_in:
        directory.start_sign_in(challenge, link)
    (first, _), (second, _), (third, third_link) = signing_in
    cap = sign_in.wrong_code_cap(email, NOW, 3)
    assert [directory.count_wrong_code(first.pending_hash, cap) for _ in range(2)] == [True, True]
    assert directory.count_wrong_code(second.pending_hash, cap) is True
    with pytest.raises(TooManyWrongCodes):
        directory.count_wrong_code(second.pending_hash, cap)
    assert directory.challenge(second.pending_hash).wrong_tries == 1  # refused, not counted
    with pytest.raises(TooManyWrongCodes):
        directory.use_challenge(third.pending_hash, third.code_hash, NOW, cap)  # the right code
    assert directory.challenge(third.pending_hash) == third
    other_address = sign_in.wrong_code_cap(f"{new_id()}@example.com", NOW, 3)
    assert directory.count_wrong_code(first.pending_hash, other_address) is True
    next_day = sign_in.wrong_code_cap(email, cap.window.end, 3)
    assert next_day.window.start == cap.window.start + 24 * 3600
    assert directory.use_challenge(second.pending_hash, second.code_hash, NOW, next_day) is True
    assert directory.use_link(third_link.token_hash, third.pending_hash, NOW) == third_link
    # the three wrong codes are the day's count, kept like the hourly counts of sign-in emails
    assert directory.count_sign_in_request(cap.subject, cap.window) == 4


def test_a_days_window_is_a_utc_day():
    cap = sign_in.wrong_code_cap("ada@example.com", NOW, 10)
    assert cap.window.start % 86400 == 0 and cap.window.start <= NOW < cap.window.end == cap.window.start + 86400


def test_the_account_an_address_signs_in_is_one_read_of_its_guard(directory):
    from chalicelib.domain.accounts import Account

    account = Account(id=new_id(), email=f"{new_id()}@example.com", name="Ada", created_at="2027-01-15T08:00:00.000Z")
    directory.create_account(account)
    assert directory.account_id_by_email(account.email) == account.id
    assert directory.account_id_by_email(f"{new_id()}@example.com") is None
